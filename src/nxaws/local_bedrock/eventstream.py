"""The ``application/vnd.amazon.eventstream`` frame encoder: the inverse of ``botocore.eventstream``.

A frame is ``[total length][headers length][prelude CRC32] [headers] [payload] [message CRC32]``, all
integers big-endian uint32; the message CRC covers every byte before it. Headers here are only strings
(type 7): ``:event-type`` / ``:exception-type``, ``:content-type`` and ``:message-type``.
"""

from __future__ import annotations

import json
import struct
from binascii import crc32
from collections.abc import Mapping
from typing import Any

STRING_HEADER = 7
MAX_HEADERS_LENGTH = 128 * 1024  # botocore's decoder limits
MAX_PAYLOAD_LENGTH = 24 * 1024 * 1024


def encode_headers(headers: Mapping[str, str]) -> bytes:
    """Headers as name length (uint8), name, type 7, value length (uint16), value."""
    out = bytearray()
    for name, value in headers.items():
        raw_name, raw_value = name.encode(), value.encode()
        out += struct.pack("!B", len(raw_name)) + raw_name
        out += struct.pack("!BH", STRING_HEADER, len(raw_value)) + raw_value
    return bytes(out)


def encode_frame(headers: Mapping[str, str], payload: bytes) -> bytes:
    """One complete event-stream message."""
    raw_headers = encode_headers(headers)
    if len(raw_headers) > MAX_HEADERS_LENGTH or len(payload) > MAX_PAYLOAD_LENGTH:
        raise ValueError(f"frame too large: {len(raw_headers)} header bytes, {len(payload)} payload bytes")
    total = 12 + len(raw_headers) + len(payload) + 4
    prelude = struct.pack("!II", total, len(raw_headers))
    prelude += struct.pack("!I", crc32(prelude) & 0xFFFFFFFF)
    message = prelude + raw_headers + payload
    return message + struct.pack("!I", crc32(message) & 0xFFFFFFFF)


def event_frame(event_type: str, body: Any) -> bytes:
    """An event (``messageStart``, ``contentBlockDelta``, ...) with its JSON body."""
    headers = {":event-type": event_type, ":content-type": "application/json", ":message-type": "event"}
    return encode_frame(headers, _json(body))


def exception_frame(member: str, message: str) -> bytes:
    """An in-stream error; ``member`` is the stream's member name (``throttlingException``), as botocore expects."""
    headers = {":exception-type": member, ":content-type": "application/json", ":message-type": "exception"}
    return encode_frame(headers, _json({"message": message}))


def _json(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
