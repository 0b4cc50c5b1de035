"""``nxaws local-bedrock``: a scripted Amazon Bedrock Runtime (``Converse``, ``ConverseStream``) on 127.0.0.1.

Any boto3 client, and so Strands' ``BedrockModel`` and LangChain's ``ChatBedrockConverse``, reaches it with
``AWS_ENDPOINT_URL_BEDROCK_RUNTIME=http://127.0.0.1:<port>`` and any credentials (signatures are not
checked). ``POST /model/<modelId>/converse`` answers JSON; ``.../converse-stream`` answers
``application/vnd.amazon.eventstream`` frames (``messageStart``, ``contentBlockDelta``/``Stop`` for text,
``contentBlockStart``/``Delta``/``Stop`` for a tool use with its input as JSON fragments, ``messageStop``,
``metadata``). Errors come as the service sends them: an HTTP status with ``x-amzn-ErrorType`` and
``{"message": ...}``, or in a stream an exception event (``:message-type: exception``).

In tests::

    from nxaws.local_bedrock import serving_bedrock

    with serving_bedrock([{"text": ["Hello", " world"]}]) as bedrock:   # or a Script, a file, None
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", bedrock.url)   # or env=bedrock.client_env()
        ...
        bedrock.received          # [{operation, modelId, signed, body}], also GET /_nxaws/requests
        bedrock.use_script(...)   # also PUT /_nxaws/script with a JSON list of turns

Script format (a JSON or YAML list; for each request the first turn that matches answers):

* Matching, on the request's last message:
  ``when``: ``text`` (default: a user prompt, no toolResult), ``toolResult`` (it carries a tool result) or
  ``any``; ``contains``: a substring, ``regex``: a Python regex searched for, both in the prompt text or
  the tool result's content; ``once: true`` or ``times: N``: the turn answers at most that often.
* Answering (one or more of):
  ``text``: a string or a list of strings, streamed as one delta each;
  ``tool_use``: ``{name, input}`` or a list of them; ``name`` exact, or a pattern such as ``*___add``
  matched against the request's ``toolConfig`` tools (no tool matches: the turn is skipped);
  ``error``: a type (``ThrottlingException``, ``ValidationException``, ``ServiceUnavailableException``, any
  error of the service model) or ``{type, message, in_stream}``; ``in_stream: true`` sends it inside the
  ConverseStream answer (after any text or tool use) instead of as an HTTP error;
  ``stop_reason``: overrides ``end_turn`` / ``tool_use``.
* In text, ``{prompt}``, ``{result}`` (the tool result's content), ``{tool}`` (the tool that produced it) and
  ``{tools}`` (the tools offered) are replaced.
* No turn matches: 400 ValidationException naming the script.

The built-in script (``DEFAULT_TURNS``): on a tool result, answer ``The gateway's <tool> tool says:
<result>``; on a prompt containing ``whoami``, call the tool ending in ``___whoami``; else call the tool
ending in ``___add`` with ``{"a": 40, "b": 2}``; with no such tool, say so in plain text.

Limits: request bodies up to ``MAX_BODY`` (8 MiB, then 413), ``MAX_CONNECTIONS`` (64) at once (then 429),
the newest ``MAX_RECORDED`` (1000) requests kept, in at most ``MAX_RECORDED_BYTES`` (64 MiB). Malformed
input gets a 4xx ValidationException; a 5xx only comes from a script.

Scripted throttling as the frameworks see it: botocore resends an HTTP 429 (3 attempts in its default
``standard`` mode; ``AWS_MAX_ATTEMPTS`` bounds it), never an in-stream error. Strands turns either into
``ModelThrottledException`` and retries the model call 6 times, 4 s doubling (about 2 minutes), unless the
agent gets ``retry_strategy=ModelRetryStrategy(max_attempts=..., initial_delay=...)``; LangChain raises the
botocore ``ClientError`` (``EventStreamError`` in-stream) at once. ``times: N`` lets a test throttle N
requests and then answer.
"""

from .cli import main
from .script import DEFAULT_TURNS, Reply, Script, ScriptError, Turn, default_script, load_script, parse_script
from .server import MAX_BODY, MAX_CONNECTIONS, MAX_RECORDED, MAX_RECORDED_BYTES, LocalBedrock, serving_bedrock

__all__ = [
    "DEFAULT_TURNS",
    "MAX_BODY",
    "MAX_CONNECTIONS",
    "MAX_RECORDED",
    "MAX_RECORDED_BYTES",
    "LocalBedrock",
    "Reply",
    "Script",
    "ScriptError",
    "Turn",
    "default_script",
    "load_script",
    "main",
    "parse_script",
    "serving_bedrock",
]
