"""The recorder's bounds (issue 17, defect 3): large bodies spooled, bytes and files capped, cuts noted."""

from __future__ import annotations

import stat
from pathlib import Path

from harness.core.recorder import EXCHANGE_OVERHEAD, TRUNCATED_KEEP, Exchange, HttpMessage, Recorder, utcnow


def _exchange(recorder: Recorder, body: bytes) -> Exchange:
    return Exchange(
        id=recorder.new_id(),
        service="DMP",
        transaction="ITI-41",
        started=utcnow(),
        request=HttpMessage("POST /dmp HTTP/1.1", [("Content-Type", "text/plain")], body),
        response=HttpMessage("HTTP/1.1 200", [], b"ok"),
    )


def test_large_bodies_are_spooled_out_of_memory_and_read_back() -> None:
    recorder = Recorder(spool_threshold=1024)
    big = _exchange(recorder, b"x" * 5000)
    recorder.record(big)
    assert big.request.spooled and big.request.body == b"x" * 5000 and big.request.size == 5000
    assert big.response is not None and not big.response.spooled
    assert recorder.truncation_note() is None


def test_bodies_past_the_byte_limit_are_truncated_and_noted(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "exchanges", max_body_bytes=20_000)
    first, second = _exchange(recorder, b"a" * 15_000), _exchange(recorder, b"b" * 15_000)
    recorder.record(first)
    recorder.record(second)
    assert first.request.body == b"a" * 15_000 and "evidence_truncated" not in first.summary
    assert second.request.body == b"b" * TRUNCATED_KEEP
    assert "15000 bytes received" in second.summary["evidence_truncated"]["request"]
    note = recorder.truncation_note()
    assert note is not None and note.startswith("preuves tronquées / evidence truncated: 1 body(ies) truncated")


def test_files_past_the_count_limit_are_not_written_and_noted(tmp_path: Path) -> None:
    folder = tmp_path / "exchanges"
    recorder = Recorder(folder, max_files=2)
    for _ in range(3):
        recorder.record(_exchange(recorder, b"x"))
    assert len(list(folder.glob("*.json"))) == 2 and len(recorder) == 3
    assert "1 exchange(s) not written" in (recorder.truncation_note() or "")


def test_exchange_files_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "exchanges"
    recorder = Recorder(folder)
    recorder.record(_exchange(recorder, b"patient data"))
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert {stat.S_IMODE(f.stat().st_mode) for f in folder.iterdir()} == {0o600}


def test_memory_is_bounded_by_size_oldest_first_files_kept(tmp_path: Path) -> None:
    # given a recorder bounded to ~3 exchanges of 10 kB in memory (issue 18: serve's memory stays flat)
    folder = tmp_path / "exchanges"
    recorder = Recorder(folder, memory_bytes=3 * (10_000 + 2 + EXCHANGE_OVERHEAD))
    sent = [_exchange(recorder, bytes([65 + i]) * 10_000) for i in range(6)]
    for exchange in sent:
        recorder.record(exchange)
    # then the newest three stay in memory, the oldest left it, every one is on disk, and the cut is said
    assert [e.id for e in recorder.exchanges()] == [e.id for e in sent[3:]]
    assert len(list(folder.glob("*.request"))) == 6
    note = recorder.truncation_note()
    assert note is not None and "3 exchange(s) dropped from memory" in note and "bytes" in note


def test_memory_bound_keeps_at_least_the_newest_exchange() -> None:
    recorder = Recorder(memory_bytes=1)
    big = _exchange(recorder, b"z" * 1000)
    recorder.record(_exchange(recorder, b"y"))
    recorder.record(big)
    assert recorder.exchanges() == [big]
