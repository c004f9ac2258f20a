"""MSSanté SMTP messages per second against aiosmtpd's bare handler, same TLS, N client sessions.

Both servers run in child processes (``http_servers.py mss`` / ``smtp-bare``) on implicit TLS
with the same server context; the clients are threads of this process, each with one
authenticated session (the test PKI's ``client-harness`` certificate names its mailbox) that
sends the same MSSanté document message (a CDA VSM in its IHE_XDM.ZIP) again and again for a
fixed time. Steps alternate and each figure keeps the best repetition.

``smtp_c8_*`` sends the same message each time: the operator judges its IHE_XDM archive (and the
CDA in it) once and finds the judgement by content afterwards (:mod:`harness.validators.digestcache`).
``smtp_c8_distinct_*`` sends, in turn, 128 archives that differ by their ZIP comment only — more
than the operator keeps judged (32) — so that every message is judged whole, as when each message
carries a new document; both servers get the same messages.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import smtplib
import ssl
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks.common import Figure, best, child_servers, cpu_seconds, interleaved, percentile

SENDER = "documents.sortants@chu-essai.mssante.fr"  # the mailbox of the client-harness certificate
RECIPIENT = "dui.reference@ehpad-essai.mssante.fr"


def message() -> bytes:
    from harness.suites.mss.documents import cda_for, mss_person
    from harness.suites.mss.messages import document_message

    return document_message(
        SENDER, RECIPIENT, [cda_for("vsm", mss_person("mss-roux-helene"))], acknowledgement=False
    ).raw


#: distinct archives sent in turn by the ``distinct`` figures: more than the operator keeps judged by content
VARIANTS = 128


def variants(raw: bytes, count: int = VARIANTS) -> list[bytes]:
    """``count`` copies of ``raw`` whose IHE_XDM.ZIP differs by its ZIP comment only (same members, so the
    same checks run), each a different content for the operator's judgement cache."""
    import base64
    import email

    part = next(p for p in email.message_from_bytes(raw).walk() if p.get_filename() == "IHE_XDM.ZIP")
    archive = part.get_payload(decode=True)
    assert isinstance(archive, bytes) and archive[-2:] == b"\0\0", "an IHE_XDM.ZIP without a comment"

    def wrapped(data: bytes) -> bytes:
        return base64.encodebytes(data).replace(b"\n", b"\r\n")

    original = wrapped(archive)
    assert original in raw, "the archive's base64 is not laid out as expected"
    out = []
    for index in range(count):
        comment = f"dui-harness bench {index:06d}".encode("ascii")
        changed = archive[:-2] + len(comment).to_bytes(2, "little") + comment
        out.append(raw.replace(original, wrapped(changed)))
    return out


def measure(
    url: str, *, clients: int, seconds: float, raw: bytes | list[bytes], context: ssl.SSLContext, server_pid: int
) -> dict[str, Any]:
    messages = raw if isinstance(raw, list) else [raw]
    turn = itertools.count()
    parts = urlsplit(url)
    sessions = []
    for _ in range(clients):  # sessions opened (TLS handshake) and warmed up before the clock
        session = smtplib.SMTP_SSL(parts.hostname or "127.0.0.1", parts.port or 465, context=context, timeout=30)
        session.sendmail(SENDER, [RECIPIENT], messages[next(turn) % len(messages)])
        sessions.append(session)
    latencies: list[float] = []
    counts = {"ok": 0, "failed": 0}
    lock = threading.Lock()
    cpu_before = cpu_seconds(server_pid)
    start = time.perf_counter()
    deadline = start + seconds

    def drive(session: smtplib.SMTP_SSL) -> None:
        while time.perf_counter() < deadline:
            sent = time.perf_counter()
            try:
                ok = session.sendmail(SENDER, [RECIPIENT], messages[next(turn) % len(messages)]) == {}
            except (smtplib.SMTPException, OSError):
                ok = False
            done = time.perf_counter()
            if done <= deadline:
                with lock:
                    latencies.append((done - sent) * 1000)
                    counts["ok" if ok else "failed"] += 1
            if not ok:
                return

    threads = [threading.Thread(target=drive, args=(s,), daemon=True) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    cpu = cpu_seconds(server_pid) - cpu_before
    for session in sessions:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            session.quit()
    total = counts["ok"] + counts["failed"]
    return {
        "per_second": round(counts["ok"] / seconds, 1),
        "p50_ms": round(percentile(latencies, 0.5), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "failed": counts["failed"],
        "server_cpu_ms_each": round(cpu * 1000 / total, 2) if total else None,
    }


def run(*, seconds: float, repeats: int, clients: int, work: Path) -> dict[str, Figure]:
    from harness.pki import ensure_pki

    pki = ensure_pki(work / "pki")
    context = ssl.create_default_context(cafile=str(pki.ca_cert))
    context.load_cert_chain(*(str(p) for p in pki.client("client-harness")))
    raw = message()
    cases: dict[str, bytes | list[bytes]] = {"": raw, "distinct_": variants(raw)}
    pki_dir = str(work / "pki")
    figures: dict[str, Figure] = {}
    with child_servers(["smtp-bare", pki_dir, str(work)], ["mss", pki_dir, str(work)]) as (bare, mss):
        for case, sent in cases.items():
            steps: dict[str, Callable[[], dict[str, Any]]] = {
                name: functools.partial(
                    measure,
                    server["url"],
                    clients=clients,
                    seconds=seconds,
                    raw=sent,
                    context=context,
                    server_pid=server["pid"],
                )
                for name, server in (("bare", bare), ("mss", mss))
            }
            results = interleaved(repeats, steps)
            what = (
                "the same document each time (its archive judged once)"
                if not case
                else f"{VARIANTS} distinct archives in turn (each message judged whole)"
            )
            figures.update(_figures(f"smtp_c{clients}_{case}", results, f"{len(raw)} bytes each; {what}"))
    return figures


def _figures(prefix: str, results: dict[str, list[dict[str, Any]]], note: str) -> dict[str, Figure]:
    base, top = best(results["bare"], "per_second"), best(results["mss"], "per_second")
    figures = {
        f"{prefix}messages_per_second": Figure(top["per_second"], base["per_second"], "msg/s", note=note),
        f"{prefix}p99_ms": Figure(top["p99_ms"], base["p99_ms"], "ms", False),
    }
    if top["server_cpu_ms_each"] and base["server_cpu_ms_each"]:
        figures[f"{prefix}server_cpu_ms"] = Figure(
            top["server_cpu_ms_each"], base["server_cpu_ms_each"], "ms CPU/msg", False
        )
    if top["failed"]:
        figures[f"{prefix}messages_per_second"].note += f"; {top['failed']} refused"
    return figures
