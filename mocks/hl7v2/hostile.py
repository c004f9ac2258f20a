"""Hostile input sent to a DUI's MLLP endpoint: it must refuse it (AE/AR) and lose nothing (``HL7-ACK-02``).

HL7 v2.5 §2.9.2: a message the receiver cannot read or accept is answered AR (rejected) or AE
(application error) with ERR segments, never AA; MLLP (Appendix C) resynchronises on the next
start block, so a message sent after noise or after a truncated frame is still acknowledged.

=================  ======================================================  =======================
case               sent                                                     expected
=================  ======================================================  =======================
no-pid             ADT^A28 without its PID segment                          AE or AR, MSA-2 echoed
ins-bad-key        a feed whose INS has a wrong key                         AE or AR, MSA-2 echoed
wrong-delimiters   MSH-2 ``#~\\&`` instead of ``^~\\&``                       AE or AR
binary-noise       binary noise outside any frame, then a valid feed        the feed acknowledged
truncated-frame    a frame cut by a new start block, then a valid feed      the feed acknowledged
=================  ======================================================  =======================
"""

from __future__ import annotations

import ssl
import time
from dataclasses import dataclass
from itertools import count

from harness.core.findings import Finding
from harness.core.recorder import Exchange, Recorder
from mocks.hl7v2.feeds import build_feed
from mocks.hl7v2.mllp import START
from mocks.hl7v2.recording import record_sent
from mocks.hl7v2.sender import exchange_frame, judge_ack

__all__ = ["HOSTILE_CASES", "REQ_HOSTILE", "send_hostile"]

REQ_HOSTILE = "HL7-ACK-02"
_ids = count(1)


@dataclass(frozen=True)
class Hostile:
    """What one case sends: bytes before the frame, the framed payload, and whether AA is a fault."""

    prefix: bytes
    payload: bytes
    must_refuse: bool
    echo_expected: bool = True


def _case(name: str, control_id: str) -> Hostile:
    feed = build_feed("known-person-update", control_id=control_id).payload
    segments = feed.split(b"\r")
    if name == "no-pid":
        return Hostile(b"", b"\r".join(s for s in segments if not s.startswith(b"PID")), True)
    if name == "ins-bad-key":
        return Hostile(b"", feed.replace(b"279035121518989", b"279035121518988"), True)
    if name == "wrong-delimiters":
        return Hostile(b"", b"MSH|#~\\&" + feed[len(b"MSH|^~\\&") :].replace(b"^", b"#"), True, echo_expected=False)
    if name == "binary-noise":
        return Hostile(bytes(range(256)).replace(START, b"") * 4, feed, False)
    if name == "truncated-frame":
        return Hostile(START + feed[: len(feed) // 2], feed, False)
    raise KeyError(f"unknown hostile case {name!r}; known: {', '.join(HOSTILE_CASES)}")


HOSTILE_CASES = ("no-pid", "ins-bad-key", "wrong-delimiters", "binary-noise", "truncated-frame")


def _finding(rule: str, text: str) -> Finding:
    return Finding(rule, REQ_HOSTILE, text, location="MSA[1]-1")


def send_hostile(
    recorder: Recorder,
    case: str,
    host: str,
    port: int,
    *,
    timeout: float = 10.0,
    tls_context: ssl.SSLContext | None = None,
) -> Exchange:
    """Send the hostile ``case`` to the DUI's MLLP endpoint; the exchange, its ACK judged."""
    control = f"HL7SIMH{next(_ids):06d}"
    hostile = _case(case, control)
    started = time.perf_counter()
    findings: list[Finding] = []
    answer, failure = exchange_frame(
        host, port, hostile.payload, timeout=timeout, tls_context=tls_context, prefix=hostile.prefix
    )
    if answer is None:
        findings.append(
            _finding(
                "hl7.hostile.no-ack",
                f"no ACK after the {case} case (HL7 v2.5 §2.9.2); trouvé / "
                f"found: {failure}; attendu / expected: an ACK (AE/AR for a refused message, the "
                "acknowledgment of the valid message sent after noise or a cut frame)",
            )
        )
    code = ""
    if answer is not None:
        ack_findings, code = judge_ack(answer, control)
        if not hostile.echo_expected:
            ack_findings = [f for f in ack_findings if f.rule != "hl7.ack.control-id"]
        findings += ack_findings
        if hostile.must_refuse and code not in ("AE", "AR", "CE", "CR"):
            findings.append(
                _finding(
                    "hl7.hostile.accepted",
                    f"the {case} message is acknowledged {code or '-'!s} "
                    "(HL7 v2.5 §2.9.2); trouvé / found: "
                    f"MSA-1 {code!r}; attendu / expected: AE or AR with ERR, nothing integrated / "
                    "message invalide accepté",
                )
            )
    exchange = record_sent(
        recorder,
        scenario=f"hostile:{case}",
        event="A31",
        control_id=control,
        payload=hostile.prefix + hostile.payload,
        target=f"{host}:{port}",
        answer=answer,
        failure=failure,
        findings=findings,
        ins="",
        duration_ms=(time.perf_counter() - started) * 1000,
    )
    exchange.summary.update({"ack": code or None, "hostile": case, "must_refuse": hostile.must_refuse})
    return exchange
