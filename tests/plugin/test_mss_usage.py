"""MSSanté usage counters of a run: document messages by recipient kind, acknowledgements apart."""

from __future__ import annotations

from harness.core.recorder import Exchange, HttpMessage, Recorder, utcnow
from harness.plugin.mss_usage import mss_usage


def _smtp(recorder: Recorder, reply: str, kinds: list[str], to: list[str], mdn: bool = False) -> None:
    exchange = Exchange(
        recorder.new_id(),
        "MSS",
        "SMTP",
        utcnow(),
        HttpMessage("SMTP DATA", [], b""),
        HttpMessage(f"SMTP {reply[:3]}", [], reply.encode()),
    )
    exchange.summary.update({"reply": reply, "recipient_kinds": kinds, "envelope": {"to": to}})
    if mdn:
        exchange.tags["original_message_id"] = "<o@x>"
    recorder.record(exchange)


def test_counters_split_professionals_patients_and_acknowledgements() -> None:
    # given what the simulated operator accepted and refused during a run
    recorder = Recorder()
    _smtp(recorder, "250 2.0.0 OK", ["personal"], ["a@chu.mssante.fr"])
    _smtp(recorder, "250 2.0.0 OK", ["organisational", "patient"], ["b@chu.mssante.fr", "1@patient.mssante.fr"])
    _smtp(recorder, "250 2.0.0 OK", ["patient"], ["1@patient.mssante.fr"])
    _smtp(recorder, "250 2.0.0 OK", ["applicative"], ["c@chu.mssante.fr"], mdn=True)
    _smtp(recorder, "550 5.1.1 no such mailbox", [], [])
    # then each message counts once per kind, acknowledgements and refusals apart
    assert mss_usage(recorder) == {
        "messages_sent": 3,
        "messages_to_professionals": 2,
        "messages_to_patients": 2,
        "patients_reached": 1,
        "acknowledgements_sent": 1,
        "refused_by_operator": 1,
    }
