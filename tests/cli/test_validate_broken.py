"""One rule for broken documents across every ``validate`` kind (issue 15 item 7).

A file that exists and was read but is not well-formed, carries a DTD / entity / XInclude, is
empty or exceeds the size limit is a non-conformity of the document: one ERROR finding with a
location, exit code 1. Exit code 2 stays for a missing or unreadable file and usage errors.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.cli import validate as validate_cli
from harness.validators.cda import MAX_CDA_BYTES
from harness.validators.fhir.jsonio import MAX_BYTES as MAX_FHIR_BYTES
from harness.validators.hl7v2.cli import MAX_FILE_BYTES as MAX_HL7V2_BYTES
from harness.validators.mail.mime import MAX_MESSAGE_BYTES as MAX_MAIL_BYTES
from harness.validators.pdf.pdfa import MAX_PDF_BYTES
from harness.validators.safexml import MAX_XML_BYTES
from harness.validators.xds.cli import MAX_MESSAGE_BYTES as MAX_XDS_BYTES
from tests.cli.conftest import CliRun

Cli = Callable[..., CliRun]

NOT_WELL_FORMED = b"<a><b></a>"
DTD = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>'
XINCLUDE = b'<a xmlns:xi="http://www.w3.org/2001/XInclude">\n<xi:include href="/etc/passwd" parse="text"/></a>'
SOAP_XINCLUDE = (
    b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    b'xmlns:xi="http://www.w3.org/2001/XInclude"><s:Body><xi:include href="/etc/passwd"/>'
    b"</s:Body></s:Envelope>"
)

#: kind -> the broken documents it is given, and its size limit
BROKEN: dict[str, tuple[list[bytes], int]] = {
    "cda": ([NOT_WELL_FORMED, DTD, XINCLUDE, b""], MAX_CDA_BYTES),
    "ins": ([NOT_WELL_FORMED, DTD, XINCLUDE, b"\x00\x01binary"], MAX_XML_BYTES),
    "fhir": ([b'{"resourceType": "Patient", ', NOT_WELL_FORMED, b'{"a": 1, "a": 2}', b""], MAX_FHIR_BYTES),
    "xds": ([NOT_WELL_FORMED, DTD, SOAP_XINCLUDE, b""], MAX_XDS_BYTES),
    "mail": ([b"", b"\x00\x00\x00"], MAX_MAIL_BYTES),
    "hl7v2": ([b"", b"\x00\x01binary", b"PID|1||123^^^X\r"], MAX_HL7V2_BYTES),
    "pdf": ([b"", b"not a PDF at all", b"%PDF-1.4\n1 0 obj << /Type /Catalog"], MAX_PDF_BYTES),
}
CASES = [
    pytest.param(kind, data, id=f"{kind}-{index}")
    for kind, (samples, _) in BROKEN.items()
    for index, data in enumerate(samples)
]


def _only_finding(run: CliRun) -> dict[str, str]:
    assert run.code == 1, (run.out, run.err)
    assert "Traceback" not in run.err
    (result,) = json.loads(run.out)["results"]
    assert result["valid"] is False
    errors = [f for f in result["findings"] if f["severity"] == "error"]
    assert errors, result
    finding: dict[str, str] = errors[0]
    assert finding["location"] and finding["requirement"], finding
    return finding


def test_every_kind_is_covered() -> None:
    assert set(BROKEN) == set(validate_cli.VALIDATORS)


@pytest.mark.parametrize(("kind", "data"), CASES)
def test_a_broken_document_is_a_finding_with_a_location(cli: Cli, tmp_path: Path, kind: str, data: bytes) -> None:
    path = tmp_path / "broken.input"
    path.write_bytes(data)
    finding = _only_finding(cli("validate", kind, "--json", str(path)))
    assert "root:" not in finding["message"]  # no entity expanded, no file included


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_a_document_over_the_size_limit_is_a_finding_never_read(cli: Cli, tmp_path: Path, kind: str) -> None:
    path = tmp_path / "big.input"
    with path.open("wb") as handle:  # sparse: nothing written, nothing read
        handle.truncate(BROKEN[kind][1] + 1)
    finding = _only_finding(cli("validate", kind, "--json", str(path)))
    assert "larger than" in finding["message"] or "exceeds" in finding["message"]


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_a_missing_file_or_a_folder_stays_exit_2(cli: Cli, tmp_path: Path, kind: str) -> None:
    missing = cli("validate", kind, str(tmp_path / "absent.xml"))
    assert missing.code == 2 and missing.out == "" and "absent.xml" in missing.err
    assert cli("validate", kind, str(tmp_path)).code == 2
