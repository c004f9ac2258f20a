"""harness.core.recorder: filters, bounded waits and the files written for each exchange."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from harness.core.findings import Finding
from harness.core.recorder import Exchange, HttpMessage, Recorder, utcnow


def _exchange(
    recorder: Recorder,
    transaction: str = "rechercherInsAvecTraitsIdentite",
    service: str = "INS",
    **tags: str,
) -> Exchange:
    return Exchange(
        id=recorder.new_id(),
        service=service,
        transaction=transaction,
        started=utcnow(),
        request=HttpMessage("POST /insi HTTP/1.1", [("Content-Type", "application/soap+xml")], b"<req/>"),
        response=HttpMessage("HTTP/1.1 200 OK", [("Content-Type", "application/soap+xml")], b"<rep/>"),
        tags=dict(tags),
    )


def test_filters_by_service_transaction_and_tags() -> None:
    recorder = Recorder()
    adrun = recorder.record(_exchange(recorder, birth_name="ADRUN"))
    corse = recorder.record(_exchange(recorder, birth_name="CORSE"))
    dmp = recorder.record(_exchange(recorder, "ITI-41", service="DMP", birth_name="ADRUN"))
    assert recorder.exchanges(service="INS") == [adrun, corse]
    assert recorder.exchanges(transaction="ITI-41") == [dmp]
    assert recorder.exchanges(birth_name="ADRUN") == [adrun, dmp]
    assert recorder.exchanges(service="INS", birth_name="ADRUN") == [adrun]
    assert recorder.exchanges(birth_name="NOBODY") == []
    assert len(recorder) == 3 and list(recorder) == [adrun, corse, dmp]


def test_since_a_mark_shows_only_later_exchanges() -> None:
    recorder = Recorder()
    assert recorder.mark() == "00000"
    recorder.record(_exchange(recorder))
    mark = recorder.mark()
    later = recorder.record(_exchange(recorder))
    assert recorder.exchanges(since=mark) == [later]


def test_since_orders_ids_past_99999() -> None:
    # given ids that outgrew five digits (string order would put "100000" before "99999")
    recorder = Recorder()
    old = recorder.record(_exchange(recorder))
    new = Exchange(**{**vars(old), "id": "100000"})
    recorder.record(new)
    # then "since 99999" still finds the newer exchange
    assert recorder.exchanges(since="99999") == [new]


def test_wait_for_times_out_within_bounds() -> None:
    recorder = Recorder()
    start = time.monotonic()
    found = recorder.wait_for(service="INS", timeout=0.2)
    elapsed = time.monotonic() - start
    assert found == []
    assert 0.2 <= elapsed < 2.0


def test_wait_for_returns_at_once_when_already_recorded() -> None:
    recorder = Recorder()
    exchange = recorder.record(_exchange(recorder, birth_name="ADRUN"))
    start = time.monotonic()
    assert recorder.wait_for(birth_name="ADRUN", timeout=5) == [exchange]
    assert time.monotonic() - start < 1.0


def test_wait_for_wakes_up_when_another_thread_records() -> None:
    # given a simulator thread that records two exchanges a little later
    recorder = Recorder()

    def simulator() -> None:
        for _ in range(2):
            time.sleep(0.05)
            recorder.record(_exchange(recorder, birth_name="ADRUN"))

    thread = threading.Thread(target=simulator)
    start = time.monotonic()
    thread.start()
    # when a test waits until both are there
    found = recorder.wait_for(lambda xs: len(xs) >= 2, birth_name="ADRUN", timeout=5)
    thread.join()
    # then it returns as soon as the predicate holds, long before the timeout
    assert len(found) == 2
    assert time.monotonic() - start < 2.0


def test_files_written_for_each_exchange(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "exchanges")
    exchange = _exchange(recorder, birth_name="ADRUN")
    exchange.findings.append(Finding("ins.key", "INS-KEY-01", "bad key"))
    recorder.record(exchange)
    stem = tmp_path / "exchanges" / "00001-INS-rechercherInsAvecTraitsIdentite"
    assert Path(f"{stem}.request").read_bytes().startswith(b"POST /insi HTTP/1.1\r\n")
    assert Path(f"{stem}.request").read_bytes().endswith(b"\r\n\r\n<req/>")
    assert Path(f"{stem}.response").read_bytes().startswith(b"HTTP/1.1 200 OK\r\n")
    summary = json.loads(Path(f"{stem}.json").read_text(encoding="utf-8"))
    assert summary["tags"] == {"birth_name": "ADRUN"}
    assert summary["status"] == "HTTP/1.1 200 OK"
    assert summary["findings"][0]["rule"] == "ins.key"


def test_file_names_keep_dotted_transactions_whole(tmp_path: Path) -> None:
    # a dotted or URN transaction name must not be cut by a suffix replacement
    recorder = Recorder(tmp_path)
    recorder.record(_exchange(recorder, "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite"))
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        f"00001-INS-urn_ServiceIdentiteCertifiee_1.0.0_rechercherInsAvecTraitsIdentite.{ext}"
        for ext in ("json", "request", "response")
    ]


def test_memory_limit_drops_the_oldest() -> None:
    recorder = Recorder(limit=2)
    first, second, third = (recorder.record(_exchange(recorder)) for _ in range(3))
    assert recorder.exchanges() == [second, third]
    assert first not in recorder.unclaimed()


def test_unclaimed_and_headers() -> None:
    recorder = Recorder()
    claimed = recorder.record(_exchange(recorder))
    claimed.claimed = True
    other = recorder.record(_exchange(recorder))
    assert recorder.unclaimed() == [other]
    assert other.request.header("content-type") == "application/soap+xml"
    assert other.request.header("X-Missing") is None
    assert other.title == "INS rechercherInsAvecTraitsIdentite #00002"
