"""Read the ``agentcore`` runtime configuration that the infrastructure publishes to AppConfig.

The deployment writes ``{"gateways": {ClassName: url}, "agentRuntimes": {...}}`` to the AppConfig application
whose id it passes to the runtime as ``RUNTIME_CONFIG_APP_ID`` (environment ``default``, profile ``agentcore``).
"""

import os
from typing import Any

from aws_lambda_powertools.utilities.parameters import AppConfigProvider
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError
from botocore.config import Config
from botocore.exceptions import NoCredentialsError, NoRegionError

APP_ID_ENV = "RUNTIME_CONFIG_APP_ID"
PROFILE = "agentcore"


def get_agentcore_runtime_config() -> dict[str, Any]:
    """The ``agentcore`` runtime configuration document as a dict."""
    app_id = os.environ.get(APP_ID_ENV)
    if not app_id:
        raise RuntimeError(
            f"{APP_ID_ENV} is not set, so the runtime configuration cannot be read. Set it to the AppConfig "
            "application id from the deployment (stack output RuntimeConfigApplicationId), "
            "or set LOCAL_DEV=true to use the local gateway."
        )
    try:
        provider = AppConfigProvider(environment="default", application=app_id, boto_config=_boto_config())
        document = provider.get(PROFILE, transform="json")
    except NoRegionError:
        raise RuntimeError("No AWS region for AppConfig: set AWS_REGION (or AWS_DEFAULT_REGION).") from None
    except GetParameterError as error:
        if _lacks_credentials(error):
            raise RuntimeError(
                "No AWS credentials found to read the runtime configuration from AppConfig. Configure the default "
                "credential chain (AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or an IAM role)."
            ) from None
        raise RuntimeError(f"Could not read AppConfig profile '{PROFILE}' of application {app_id}: {error}") from error
    if isinstance(document, dict):
        return document
    raise RuntimeError(f"AppConfig profile '{PROFILE}' of application {app_id} is not a JSON object.")


def _lacks_credentials(error: GetParameterError) -> bool:
    # Powertools wraps every client error; the credentials case deserves a message that says what to do.
    return isinstance(error.__context__, NoCredentialsError)


def _boto_config() -> Config | None:
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    return Config(region_name=region) if region else None
