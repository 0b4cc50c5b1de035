"""Our frame encoder, judged by botocore's decoder (prelude and message CRCs checked on every frame)."""

from __future__ import annotations

import json

import pytest
from botocore.eventstream import ChecksumMismatch, EventStreamBuffer
from hypothesis import given, settings
from hypothesis import strategies as st

from nxaws.local_bedrock.eventstream import encode_frame, event_frame, exception_frame

header_names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40).filter(
    lambda name: len(name.encode()) < 256
)
header_values = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200)


def decode(data: bytes, piece: int | None = None) -> list:
    """Every message in ``data``, fed to the decoder ``piece`` bytes at a time (all at once by default)."""
    buffer, messages = EventStreamBuffer(), []
    step = piece or len(data) or 1
    for at in range(0, len(data), step):
        buffer.add_data(data[at : at + step])
        messages.extend(buffer)
    return messages


@settings(max_examples=60, deadline=None)
@given(headers=st.dictionaries(header_names, header_values, max_size=5), payload=st.binary(max_size=4096))
def test_any_frame_decodes_to_what_was_encoded(headers: dict[str, str], payload: bytes) -> None:
    [message] = decode(encode_frame(headers, payload))
    assert message.headers == headers
    assert message.payload == payload


@pytest.mark.parametrize("size", [0, 1, 255, 65535, 65536, 65537, 70_000, 1 << 20])
def test_payload_sizes_up_to_a_mebibyte(size: int) -> None:
    payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
    [message] = decode(encode_frame({":event-type": "contentBlockDelta"}, payload))
    assert message.payload == payload
    assert message.prelude.total_length == 12 + message.prelude.headers_length + size + 4


def test_unicode_payload_split_across_reads() -> None:
    text = "Grüße, 世界 🌍 " * 5000  # > 64 KiB of multi-byte UTF-8
    frames = event_frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": text}})
    frames += exception_frame("throttlingException", "slow down ✋")
    first, second = decode(frames, piece=997)
    assert first.headers == {":event-type": "contentBlockDelta", ":content-type": "application/json",
                             ":message-type": "event"}  # fmt: skip
    assert json.loads(first.payload)["delta"]["text"] == text
    assert second.headers[":message-type"] == "exception"
    assert second.headers[":exception-type"] == "throttlingException"
    assert json.loads(second.payload) == {"message": "slow down ✋"}


def test_a_flipped_payload_byte_fails_the_message_crc() -> None:
    frame = bytearray(event_frame("messageStop", {"stopReason": "end_turn"}))
    frame[-6] ^= 0x01
    with pytest.raises(ChecksumMismatch):
        decode(bytes(frame))


def test_an_oversized_payload_is_refused() -> None:
    with pytest.raises(ValueError, match="too large"):
        encode_frame({}, bytes(24 * 1024 * 1024 + 1))
