"""``dui-harness validate xds``: captured ITI-41 messages, the JSON contract and exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from mocks.dmp.samples import iti41_request
from mocks.dmp.samples_cda import clinical_document
from tests.cli.conftest import CliRun, cli  # noqa: F401 - the fixture
from tests.validators.xds.test_xds_rules import INS, OID, TRAITS

Cli = Callable[..., CliRun]


def _capture(tmp_path: Path, name: str, *, broken_hash: bool = False) -> Path:
    body, ctype = iti41_request([clinical_document("VSM", ins=INS, ins_oid=OID, traits=TRAITS)], signer=None)
    if broken_hash:
        marker = b'<rim:Slot name="hash"><rim:ValueList><rim:Value>'
        at = body.index(marker) + len(marker)
        body = body[:at] + b"f" * 40 + body[at + 40 :]
    path = tmp_path / name
    path.write_bytes(f"POST /dmp/repository HTTP/1.1\r\nContent-Type: {ctype}\r\n\r\n".encode() + body)
    return path


def test_valid_and_invalid_captures(cli: Cli, tmp_path: Path) -> None:  # noqa: F811
    good, bad = _capture(tmp_path, "good.request"), _capture(tmp_path, "bad.request", broken_hash=True)
    run = cli("validate", "xds", "--json", str(good), str(bad))
    assert run.code == 1, run.err
    results = json.loads(run.out)["results"]
    assert [r["valid"] for r in results] == [True, False]
    [finding] = [f for f in results[1]["findings"] if f["severity"] == "error"]
    assert set(finding) == {"rule", "requirement", "severity", "location", "message"}
    assert (finding["rule"], finding["requirement"]) == ("xds.hash", "DMP-CON-07")
    assert cli("validate", "xds", str(good)).code == 0
    # the capture's submission set is not signed: a warning offline (no trusted CA), DMP-SIGN-01
    assert [(f["rule"], f["severity"]) for f in results[0]["findings"]] == [("dmp.signature.missing", "warning")]


def test_unreadable_inputs(cli: Cli, tmp_path: Path) -> None:  # noqa: F811
    assert cli("validate", "xds", str(tmp_path / "missing.request")).code == 2
    (tmp_path / "empty").write_bytes(b"")
    assert cli("validate", "xds", str(tmp_path / "empty")).code == 1  # read, broken: a finding (issue 15)
    (tmp_path / "bomb.xml").write_bytes(b'<!DOCTYPE a [<!ENTITY x "x">]><a>&x;</a>')
    run = cli("validate", "xds", "--json", str(tmp_path / "bomb.xml"))
    assert run.code == 1 and "DOCTYPE" in json.loads(run.out)["results"][0]["findings"][0]["message"]
