"""What the stand-in takes from botocore's bedrock-runtime service model, so its answers follow the real shapes."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import botocore.session

CONVERSE, CONVERSE_STREAM = "Converse", "ConverseStream"


@dataclass(frozen=True)
class ServiceFacts:
    """Error codes with their HTTP status, the stream's error members, and the stop reasons."""

    error_status: dict[str, int]  # ThrottlingException -> 429, for every error either operation declares
    stream_errors: dict[str, str]  # ThrottlingException -> throttlingException (the event-stream member name)
    stop_reasons: tuple[str, ...]
    roles: tuple[str, ...]


@functools.cache
def service_facts() -> ServiceFacts:
    """Read once from the installed botocore (``botocore/data/bedrock-runtime/*/service-2.json``)."""
    model = botocore.session.get_session().get_service_model("bedrock-runtime")
    status: dict[str, int] = {}
    for operation in (CONVERSE, CONVERSE_STREAM):
        for shape in model.operation_model(operation).error_shapes:
            status[shape.name] = shape.metadata["error"]["httpStatusCode"]
    stream = model.operation_model(CONVERSE_STREAM).output_shape.members["stream"]
    stream_errors = {}
    for member, shape in stream.members.items():
        if shape.metadata.get("exception"):
            stream_errors[shape.name] = member
            status.setdefault(shape.name, shape.metadata["error"]["httpStatusCode"])
    return ServiceFacts(
        error_status=status,
        stream_errors=stream_errors,
        stop_reasons=tuple(model.shape_for("StopReason").enum),
        roles=tuple(model.shape_for("ConversationRole").enum),
    )
