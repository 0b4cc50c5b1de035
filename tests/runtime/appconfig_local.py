"""The local AppConfig data plane for tests: ``nxaws.local_runtime_config`` (what users run) re-exported.

from runtime.appconfig_local import serving_appconfig

with serving_appconfig({("app-1", "default", "agentcore"): {"gateways": {...}}}) as appconfig:
    monkeypatch.setenv("AWS_ENDPOINT_URL_APPCONFIGDATA", appconfig.url)
"""

from nxaws.local_runtime_config import LocalAppConfig, serving_appconfig

__all__ = ["LocalAppConfig", "serving_appconfig"]
