"""Send an ADT feed to a DUI's MLLP endpoint and judge the ACK it answers (``HL7-ACK-01``).

HL7 v2.5 §2.9 (original acknowledgment mode) and §2.14.8: the receiver answers each message with
an ACK whose MSA-1 is AA, AE or AR (CA, CE, CR in enhanced mode) and whose MSA-2 is the received
MSH-10. A DUI that closes the connection, stays silent or answers something else fails it.
"""

from __future__ import annotations

import socket
import ssl
import time
from itertools import count

from harness.core.findings import Finding
from harness.core.recorder import Exchange, Recorder
from harness.validators.hl7v2.er7 import read_er7
from mocks.hl7v2.feeds import build_feed
from mocks.hl7v2.mllp import send_and_receive
from mocks.hl7v2.recording import record_sent

__all__ = ["REQ_ACK", "judge_ack", "send_feed"]

REQ_ACK = "HL7-ACK-01"
ACK_CODES = ("AA", "AE", "AR", "CA", "CE", "CR")
_ids = count(1)


def _finding(rule: str, text: str, found: str, expected: str, where: str = "MSA[1]") -> Finding:
    return Finding(
        rule,
        REQ_ACK,
        f"{text} (HL7 v2.5 §2.9, §2.14.8); trouvé / found: {found!r}; attendu / expected: {expected}",
        location=where,
    )


def judge_ack(answer: bytes, control_id: str) -> tuple[list[Finding], str]:
    """The findings about a DUI's ACK to the message ``control_id``, and its MSA-1 code."""
    message, findings = read_er7(answer, wire=True)
    if message is None:
        return [
            _finding(
                "hl7.ack.unreadable",
                "the DUI's answer is not an HL7 v2 message",
                answer[:40].decode("latin-1"),
                "an ACK message",
                "MSH[1]",
            ),
            *findings,
        ], ""
    msa = message.first("MSA")
    if msa is None:
        names = " ".join(s.name for s in message.segments)
        return [*findings, _finding("hl7.ack.msa", "the ACK has an MSA segment", names, "MSH MSA [ERR…]")], ""
    code = msa.field(1)
    out = list(findings)
    if code not in ACK_CODES:
        out.append(
            _finding(
                "hl7.ack.code", "MSA-1 acknowledgment code (HL7 table 0008)", code, " or ".join(ACK_CODES), "MSA[1]-1"
            )
        )
    if msa.field(2) != control_id:
        out.append(
            _finding(
                "hl7.ack.control-id",
                "MSA-2 echoes the MSH-10 of the message acknowledged",
                msa.field(2),
                repr(control_id),
                "MSA[1]-2",
            )
        )
    if message.component(message.message_type, 1) != "ACK":
        out.append(
            _finding(
                "hl7.ack.type", "MSH-9 of an acknowledgment", message.message_type, "'ACK^<event>^ACK'", "MSH[1]-9"
            )
        )
    return out, code


def exchange_frame(
    host: str,
    port: int,
    payload: bytes,
    *,
    timeout: float,
    tls_context: ssl.SSLContext | None = None,
    prefix: bytes = b"",
) -> tuple[bytes | None, str]:
    """Send ``prefix`` (raw bytes, e.g. noise) then ``payload`` over MLLP and read the answer frame.

    Returns ``(answer, "")``, or ``(None, why)`` when the connection, TLS or the answer failed.
    """
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw:
            conn: socket.socket = raw
            if tls_context is not None:
                conn = tls_context.wrap_socket(raw, server_hostname=host)
            try:
                if prefix:
                    conn.sendall(prefix)
                return send_and_receive(host, port, payload, timeout=timeout, sock=conn), ""
            finally:
                if conn is not raw:
                    conn.close()
    except (OSError, TimeoutError, ConnectionError, ssl.SSLError) as exc:
        return None, f"{type(exc).__name__}: {exc}"


def send_feed(
    recorder: Recorder,
    scenario: str,
    host: str,
    port: int,
    *,
    timeout: float = 10.0,
    tls_context: ssl.SSLContext | None = None,
    control_id: str | None = None,
) -> Exchange:
    """Build the feed of ``scenario``, send it over MLLP, record the exchange with the ACK's findings."""
    control = control_id or f"HL7SIMF{next(_ids):06d}"
    feed = build_feed(scenario, control_id=control)
    started = time.perf_counter()
    findings: list[Finding] = []
    answer, failure = exchange_frame(host, port, feed.payload, timeout=timeout, tls_context=tls_context)
    if answer is None:
        findings.append(
            _finding("hl7.ack.none", "the DUI acknowledges each message it receives", failure, "an ACK frame", "MLLP")
        )
    code = ""
    if answer is not None:
        ack_findings, code = judge_ack(answer, control)
        findings += ack_findings
    exchange = record_sent(
        recorder,
        scenario=scenario,
        event=feed.event,
        control_id=control,
        payload=feed.payload,
        target=f"{host}:{port}",
        answer=answer,
        failure=failure,
        findings=findings,
        ins=feed.ins,
        duration_ms=(time.perf_counter() - started) * 1000,
    )
    exchange.summary.update({"ack": code or None, "expected": feed.expected})
    return exchange
