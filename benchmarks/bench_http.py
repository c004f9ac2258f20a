"""INSi and DMP ITI-41 throughput and latency at 1/16/64 clients, against a trivial app on the same server.

The simulator and the trivial app (``http_servers.py``) each run in a child process on the same
server class with the same mutual TLS settings; the load client (``http_load.py``) is this
process. Steps alternate (trivial, simulator, trivial, …) and each figure keeps the best of the
repetitions, so that a baseline and its subject see the same machine.

ITI-41 submissions are real ones (a FLUDR CDA of the test identity, its metadata, MTOM/XOP, a
VIHF signed with the test PKI's signing certificate): one is built, then each submission gets
fresh unique ids (the document's and the submission set's ``2.25.…`` OIDs, same length) before
it is sent, so that the client's cost stays small; the submission set's XAdES signature (DMP-SIGN-01)
is made again for each renumbered document (a few ms of the client's CPU). After the runs, *lost* = submissions
answered Success − documents in the registry (read through the control API) must be 0.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks.common import Figure, best, child_servers, interleaved
from benchmarks.http_load import client_context, measure

SOAP = {"Content-Type": "application/soap+xml; charset=utf-8"}
INS, OID = "241057505612360", "1.2.250.1.213.1.4.10"
TRAITS = {
    "birth_name": "DUPONT-ESSAI",
    "first_names": ["LOUISE", "ANNE"],
    "sex": "F",
    "birth_date": "1941-05-12",
    "birth_place": "75056",
}
UNIQUE = re.compile(rb"2\.25\.(\d{20,})")
MANIFEST_URI = re.compile(rb'Reference URI="urn:oid:([^"]+)"')
ATTACHMENT = re.compile(
    rb"Content-Transfer-Encoding: base64\r\n(?:[^\r\n]+\r\n)*\r\n"
    rb"(?P<b64>[A-Za-z0-9+/=\r\n]+?)\r\n--"
)


def insi_maker() -> Any:
    from mocks.insi.samples import build_request

    body = build_request()
    return lambda: (body, SOAP)


def iti41_maker(pki: Any) -> Any:
    """Submissions with fresh unique ids, made from one ITI-41 request (VIHF signed when ``pki`` is given; the
    submission set then signed again for each renumbered document, IHE DSG XAdES: DMP-SIGN-01)."""
    from mocks.dmp.samples import Signer, iti41_request
    from mocks.dmp.samples_cda import clinical_document
    from mocks.dmp.samples_signature import signature_of

    signer = Signer.from_files(*pki.client("signing-vihf")) if pki is not None else None
    body, ctype = iti41_request([clinical_document("FLUDR", ins=INS, ins_oid=OID, traits=TRAITS)], signer=signer)
    headers = {"Content-Type": ctype}
    # the CDA (and the signature) travel base64-encoded in their MTOM parts: decoded once, re-encoded per submission
    parts = list(ATTACHMENT.finditer(body))
    assert parts, "no base64 MTOM part in the ITI-41 request"
    part = parts[0]
    lines = part.group("b64").split(b"\r\n")
    cda = base64.b64decode(b"".join(lines))
    signed = parts[1] if signer is not None and len(parts) > 1 else None
    manifest_uri = MANIFEST_URI.search(base64.b64decode(b"".join(signed.group("b64").split()))) if signed else None
    ids = sorted({m.group(1) for m in UNIQUE.finditer(body + cda)})
    digest = hashlib.sha1(cda).hexdigest().encode()

    def renumber(data: bytes, mapping: dict[bytes, bytes]) -> bytes:
        return UNIQUE.sub(lambda m: b"2.25." + mapping.get(m.group(1), m.group(1)), data)

    def fresh() -> tuple[bytes, dict[str, str]]:
        mapping = {old: str(random.randrange(10 ** (len(old) - 1), 10 ** len(old))).encode() for old in ids}
        document = renumber(cda, mapping)
        encoded, out, at = base64.b64encode(document), [], 0
        for line in lines:  # same length: the same line breaks
            out.append(encoded[at : at + len(line)])
            at += len(line)
        start, end = part.span("b64")
        head = renumber(body[:start], mapping).replace(digest, hashlib.sha1(document).hexdigest().encode())
        if signed is None or manifest_uri is None or signer is None:
            return head + b"\r\n".join(out) + renumber(body[end:], mapping), headers
        unique = renumber(manifest_uri.group(1), mapping).decode()
        signature = base64.encodebytes(signature_of([(unique, document)], signer)).replace(b"\n", b"\r\n").rstrip()
        s_start, s_end = signed.span("b64")
        middle = renumber(body[end:s_start], mapping)
        return head + b"\r\n".join(out) + middle + signature + renumber(body[s_end:], mapping), headers

    return fresh


def _stored_documents(url: str, token: str) -> int:
    base = url.split("/dmp/", 1)[0]
    request = urllib.request.Request(base + "/_harness/state", headers={"X-Harness-Token": token})
    context = None
    if base.startswith("https"):
        import ssl

        context = ssl._create_unverified_context()  # loopback, our own test server
    with urllib.request.urlopen(request, timeout=30, context=context) as answer:
        return int(json.loads(answer.read())["counts"]["documents"])


def run(*, seconds: float, repeats: int, levels: tuple[int, ...], work: Path) -> dict[str, Figure]:
    from harness.pki import ensure_pki

    pki = ensure_pki(work / "pki")
    cert, key = pki.client("client-insi-auto")
    context = client_context(str(pki.ca_cert), str(cert), str(key))
    figures: dict[str, Figure] = {}
    services = {
        "insi": (insi_maker(), lambda status, body: status == 200),
        "dmp_iti41": (iti41_maker(pki), lambda status, body: status == 200 and b"ResponseStatusType:Success" in body),
    }
    with (
        tempfile.TemporaryDirectory(dir=work) as tmp,
        child_servers(*([kind, str(work / "pki"), tmp] for kind in ("trivial", "insi", "dmp"))) as started,
    ):
        servers = dict(zip(("trivial", "insi", "dmp_iti41"), started, strict=True))
        trivial = servers["trivial"]
        for name, (make, check) in services.items():
            sim = servers[name]
            accepted = 0
            for clients in levels:

                def step(server: dict[str, Any], c: int = clients, m: Any = make, k: Any = check) -> dict[str, Any]:
                    return measure(
                        server["url"],
                        clients=c,
                        seconds=seconds,
                        make=m,
                        check=k,
                        context=context,
                        server_pid=server["pid"],
                    )

                results = interleaved(
                    repeats, {"trivial": lambda: step(trivial, k=lambda s, b: s == 200), "sim": lambda s=sim: step(s)}
                )
                base, top = best(results["trivial"], "per_second"), best(results["sim"], "per_second")
                accepted += sum(r["ok"] for r in results["sim"])
                figures[f"{name}_c{clients}_per_second"] = Figure(top["per_second"], base["per_second"], "req/s")
                figures[f"{name}_c{clients}_p50_ms"] = Figure(top["p50_ms"], base["p50_ms"], "ms", False)
                figures[f"{name}_c{clients}_p99_ms"] = Figure(top["p99_ms"], base["p99_ms"], "ms", False)
                if top["server_cpu_ms_each"]:
                    figures[f"{name}_c{clients}_server_cpu_ms"] = Figure(
                        top["server_cpu_ms_each"], base["server_cpu_ms_each"], "ms CPU/req", False
                    )
                failed = sum(r["failed"] for r in results["sim"])
                if failed:
                    figures[f"{name}_c{clients}_per_second"].note = f"{failed} requests failed or were refused"
            if name == "dmp_iti41":
                # warm-up requests count too: one per connection and repetition
                accepted += sum(levels) * repeats
                stored = _stored_documents(sim["url"], sim["token"])
                figures["dmp_iti41_lost"] = Figure(
                    float(max(0, accepted - stored)),
                    0.0,
                    "submissions",
                    note=f"{accepted} answered Success, {stored} stored",
                )
    return figures
