"""``dui-harness validate fhir FILE.json...``: the JSON contract, exit codes, unreadable files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.cli.conftest import CliRun
from tests.mocks.fhir.fhir_support import tddui_bundle

Cli = Callable[..., CliRun]


def _write(tmp_path: Path, name: str, data: object) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_a_conformant_tddui_bundle_exits_0(cli: Cli, tmp_path: Path) -> None:
    run = cli("validate", "fhir", _write(tmp_path, "ok.json", tddui_bundle()))
    assert run.code == 0, run.out
    assert run.out.startswith("VALID    fhir  ") and "(7 checked, 0 error(s)" in run.out


def test_defects_exit_1_with_the_json_contract(cli: Cli, tmp_path: Path) -> None:
    good = _write(tmp_path, "good.json", tddui_bundle())
    bad = _write(tmp_path, "bad.json", tddui_bundle(tddui_attachment_url=True, tddui_batch_bundle=True))
    run = cli("validate", "fhir", good, bad, "--json")
    assert run.code == 1
    results = json.loads(run.out)["results"]
    assert [r["valid"] for r in results] == [True, False]
    finding = results[1]["findings"][0]
    assert set(finding) == {"rule", "requirement", "severity", "location", "message"}
    assert {f["requirement"] for f in results[1]["findings"]} >= {"EPARCOURS-FLUX-01", "EPARCOURS-DOC-02"}


def test_standalone_resources_are_judged_by_their_kind(cli: Cli, tmp_path: Path) -> None:
    patient = tddui_bundle()["entry"][0]["resource"]
    patient["identifier"][0]["system"] = "1.2.250.1.213.1.4.10"
    administration = {
        "resourceType": "MedicationAdministration",
        "status": "completed",
        "subject": {"reference": "Patient/1"},
        "effectiveDateTime": "2026-01-06",
    }
    run = cli(
        "validate",
        "fhir",
        _write(tmp_path, "p.json", patient),
        _write(tmp_path, "a.json", administration),
        _write(tmp_path, "o.json", {"resourceType": "Observation", "status": "final"}),
        "--json",
    )
    results = json.loads(run.out)["results"]
    assert {f["rule"] for f in results[0]["findings"]} == {"fhir.patient.ins.system"}
    assert {f["requirement"] for f in results[1]["findings"]} == {"EPRESC-ADM-01"}
    assert results[2]["findings"][0]["location"] == "Observation.code"


def test_broken_json_is_a_finding_and_unreadable_inputs_exit_2(cli: Cli, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_bytes(b'{"resourceType": "Bundle", "type": ')
    run = cli("validate", "fhir", str(broken))
    assert run.code == 1 and "invalid JSON" in run.out and "line 1" in run.out and run.err == ""
    assert cli("validate", "fhir", str(tmp_path / "missing.json")).code == 2
    assert cli("validate", "fhir", str(tmp_path)).code == 2
