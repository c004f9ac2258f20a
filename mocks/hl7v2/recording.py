"""How the HL7 v2 simulator records what crosses it: one exchange per frame event, both directions.

* ``from-dui``: a frame (or noise, or a truncated / oversized frame) the DUI sent to the
  simulator's MLLP listener. Request body = the bytes received (up to the frame limit; the
  ``Skipped-Bytes`` header counts what was beyond it), response = the ACK sent (``ACK AA`` …) or
  ``no ACK`` when nothing could be answered.
* ``to-dui``: a feed the simulator sent to the DUI's MLLP endpoint. Request = the ADT message,
  response = the DUI's ACK (or the transport failure).

Transaction: ``ADT^A28`` … for readable messages, ``MLLP noise`` / ``MLLP truncated`` /
``MLLP oversized`` otherwise. Tags: ``direction``, ``control_id``, ``event``, ``ins``, ``scenario``.
"""

from __future__ import annotations

from harness.core.findings import Finding, Severity
from harness.core.recorder import Exchange, HttpMessage, Recorder
from harness.validators.hl7v2 import Hl7v2Report
from harness.validators.hl7v2.er7 import REQ_MESSAGE
from mocks.common.recording import ListenerRecording

__all__ = ["SERVICE", "framing_finding", "record_received", "record_sent"]

#: the service id of the registry (``harness/services/builtin.py``)
SERVICE = "HL7V2"
_FRAMING = {
    "noise": (
        "mllp.noise",
        "bytes outside any MLLP frame (0x0B … 0x1C 0x0D); trouvé / found: {n} byte(s) of noise; "
        "attendu / expected: every message framed / octets hors trame MLLP",
    ),
    "truncated": (
        "mllp.truncated",
        "MLLP frame not terminated ({reason}); trouvé / found: {n} byte(s) without the end "
        "block 0x1C 0x0D; attendu / expected: a complete frame / trame MLLP tronquée",
    ),
    "oversized": (
        "mllp.oversized",
        "MLLP frame larger than the simulator's limit; trouvé / found: {n} byte(s); "
        "attendu / expected: at most {limit} bytes / message trop grand",
    ),
}


def framing_finding(kind: str, size: int, *, reason: str = "", limit: int = 0) -> Finding:
    """The ``HL7-MSG-01`` finding of a framing fault (noise, truncated or oversized frame)."""
    rule, text = _FRAMING[kind]
    return Finding(rule, REQ_MESSAGE, text.format(n=size, reason=reason, limit=limit), Severity.ERROR, "MLLP")


def _tags(report: Hl7v2Report | None) -> dict[str, str]:
    if report is None or report.message is None:
        return {}
    summary = report.summary()
    tags = {"control_id": str(summary.get("control_id", "")), "event": str(summary.get("event", ""))}
    ins = next((i.ins for i in report.identities if i.ins), "")
    if ins:
        tags["ins"] = ins
    return tags


def record_received(
    recorder: Recorder,
    *,
    kind: str,
    payload: bytes,
    skipped: int,
    peer: str,
    tls: str,
    report: Hl7v2Report | None,
    ack: bytes | None,
    ack_code: str,
    extra: list[Finding],
    client_subject: str | None = None,
    duration_ms: float = 0.0,
) -> Exchange:
    """One frame event on the listener, with what the validator found and the ACK sent."""
    transaction = f"MLLP {kind}"
    if report is not None and report.message is not None:
        code, event, _ = report.message.type_parts()
        transaction = f"{code}^{event}" if event else (code or transaction)
    request = HttpMessage(
        f"MLLP {kind} from {peer}", [("Direction", "from-dui"), ("TLS", tls), ("Skipped-Bytes", str(skipped))], payload
    )
    response = HttpMessage(f"ACK {ack_code}" if ack is not None else "no ACK", [], ack or b"")
    recording = ListenerRecording(recorder, SERVICE)
    exchange = recording.exchange(transaction, request, response, peer=peer, client_subject=client_subject)
    exchange.duration_ms = duration_ms
    summary = {
        "frame": kind,
        "bytes": len(payload) + skipped,
        "skipped": skipped,
        "ack": ack_code if ack is not None else None,
        **(report.summary() if report is not None else {"readable": False}),
    }
    findings = [*extra, *(report.findings if report is not None else [])]
    return recording.record(
        exchange, summary=summary, tags={"direction": "from-dui", **_tags(report)}, findings=findings
    )


def record_sent(
    recorder: Recorder,
    *,
    scenario: str,
    event: str,
    control_id: str,
    payload: bytes,
    target: str,
    answer: bytes | None,
    failure: str,
    findings: list[Finding],
    ins: str,
    duration_ms: float,
) -> Exchange:
    """One feed sent to the DUI and its ACK (``answer`` None: ``failure`` says what happened)."""
    request = HttpMessage(f"MLLP ADT^{event} to {target}", [("Direction", "to-dui"), ("Scenario", scenario)], payload)
    start = "no ACK" if answer is None else "ACK"
    response = HttpMessage(start, [("Failure", failure)] if failure else [], answer or failure.encode())
    recording = ListenerRecording(recorder, SERVICE)
    exchange = recording.exchange(f"ADT^{event}", request, response, peer=target)
    exchange.duration_ms = duration_ms
    return recording.record(
        exchange,
        summary={"scenario": scenario, "control_id": control_id, "failure": failure or None},
        tags={"direction": "to-dui", "scenario": scenario, "control_id": control_id, "event": event, "ins": ins},
        findings=findings,
    )
