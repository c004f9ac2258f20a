"""mocks.hl7v2.mllp.MllpDecoder: frames at any split point, noise, truncated and oversized frames, bounded."""

from __future__ import annotations

import pytest

from mocks.hl7v2.mllp import MllpDecoder, frame

MESSAGE = b"MSH|^~\\&|A|B\rPID|1\r"


def kinds(events: list) -> list[tuple[str, bytes]]:  # type: ignore[type-arg]
    return [(e.kind, e.payload) for e in events]


def test_a_frame_split_at_every_offset_is_one_message() -> None:
    wire = frame(MESSAGE) + frame(MESSAGE)
    for cut in range(len(wire) + 1):
        decoder = MllpDecoder(100)
        events = decoder.feed(wire[:cut]) + decoder.feed(wire[cut:]) + decoder.finish()
        assert kinds(events) == [("message", MESSAGE)] * 2, cut


def test_byte_by_byte_feed() -> None:
    decoder = MllpDecoder(100)
    events = [e for byte in frame(MESSAGE) for e in decoder.feed(bytes([byte]))]
    assert kinds(events) == [("message", MESSAGE)]


def test_noise_then_resync() -> None:
    decoder = MllpDecoder(100)
    events = decoder.feed(b"\x00\xffnoise" + frame(MESSAGE) + b"\r\n" + frame(b"two"))
    assert kinds(events) == [("noise", b"\x00\xffnoise"), ("message", MESSAGE), ("message", b"two")]


def test_new_start_block_truncates_the_open_frame() -> None:
    events = MllpDecoder(100).feed(b"\x0bhalf a message" + frame(MESSAGE))
    assert [(e.kind, e.payload, e.reason) for e in events] == [
        ("truncated", b"half a message", "new start block"),
        ("message", MESSAGE, ""),
    ]


def test_oversized_frame_keeps_its_head_and_counts_the_rest() -> None:
    events = MllpDecoder(10).feed(frame(b"x" * 25) + frame(b"ok"))
    assert [(e.kind, e.payload, e.skipped) for e in events] == [("oversized", b"x" * 10, 15), ("message", b"ok", 0)]


def test_end_of_stream_reports_what_is_pending() -> None:
    decoder = MllpDecoder(10)
    assert decoder.feed(b"\x0bpartial") == [] and decoder.in_frame
    [event] = decoder.finish("timeout")
    assert (event.kind, event.payload, event.reason) == ("truncated", b"partial", "timeout")
    noise = MllpDecoder(10)
    noise.feed(b"\x01\x02")
    assert kinds(noise.finish()) == [("noise", b"\x01\x02")]


@pytest.mark.parametrize("size", [1, 10, 11, 1000])
def test_noise_buffer_stays_bounded(size: int) -> None:
    decoder = MllpDecoder(10)
    events = decoder.feed(b"\x01" * size) + decoder.finish()
    assert all(len(e.payload) <= 10 for e in events)
    assert sum(len(e.payload) + e.skipped for e in events) == size
