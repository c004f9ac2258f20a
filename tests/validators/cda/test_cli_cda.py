"""``dui-harness validate cda FILE… [--json] [--cda-pack DIR]``: the JSON contract, exit codes, hostile input."""

from __future__ import annotations

import json
import resource
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness.validators.cda import MAX_CDA_BYTES, CdaPack
from tests.cli.conftest import CliRun
from tests.validators.cda.conftest import PACK_DIR, example

Cli = Callable[..., CliRun]
MINIMAL = b'<?xml version="1.0"?><ClinicalDocument xmlns="urn:hl7-org:v3"><realmCode code="FR"/></ClinicalDocument>'


def _write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _json(run: CliRun) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(run.out)
    return data


def test_good_and_bad_documents_exit_1_with_the_json_contract(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DUI_HARNESS_CDA_PACK", raising=False)
    good = _write(tmp_path, "dlu.xml", example("DLU-EHPAD-DLU_2022.01.xml"))
    bad = _write(tmp_path, "cse.xml", example("CSE-MDE_2023.01.xml"))
    run = cli("validate", "cda", good, bad, "--json")
    assert run.code == 1, run.err
    results = _json(run)["results"]
    assert [(r["file"], r["kind"], r["valid"]) for r in results] == [(good, "cda", True), (bad, "cda", False)]
    (finding,) = results[1]["findings"]
    assert set(finding) == {"rule", "requirement", "severity", "location", "message"}
    assert (finding["requirement"], finding["rule"], finding["severity"]) == ("CDA-INS-01", "cda.ins.key", "error")
    assert cli("validate", "cda", good).code == 0


def test_with_the_pack_the_official_layers_run(
    cli: Cli, tmp_path: Path, pack: CdaPack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DUI_HARNESS_CDA_PACK", raising=False)
    document = example("DLU-EHPAD-DLU_2022.01.xml").replace(b'code="74207-2"', b'code="34133-9"', 1)
    path = _write(tmp_path, "dlu.xml", document)
    run = cli("validate", "cda", path, "--cda-pack", str(pack.root), "--json")
    requirements = {f["requirement"] for f in _json(run)["results"][0]["findings"]}
    assert run.code == 1
    assert {"CDA-DLU-01", "CDA-SCH-01"} <= requirements
    # the environment variable names the pack when the option is absent
    monkeypatch.setenv("DUI_HARNESS_CDA_PACK", str(PACK_DIR))
    assert "CDA-SCH-01" in {
        f["requirement"] for f in _json(cli("validate", "cda", path, "--json"))["results"][0]["findings"]
    }


def test_a_folder_that_is_not_a_pack_exits_2(cli: Cli, tmp_path: Path) -> None:
    run = cli("validate", "cda", _write(tmp_path, "a.xml", MINIMAL), "--cda-pack", str(tmp_path))
    assert run.code == 2
    assert "lacks infrastructure/cda/CDA_extended.xsd" in run.err


@pytest.mark.parametrize(
    ("data", "message", "location"),
    [
        (b"<ClinicalDocument xmlns='urn:hl7-org:v3'><title></ClinicalDocument>", "not well-formed", "line 1, column"),
        (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>', "XXE", "/"),
        (
            b'<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><l>&c;</l>',
            "entity expansion refused",
            "/",
        ),
        (b"", "empty XML document", "/"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not well-formed", "line 1"),
        (
            b'<ClinicalDocument xmlns="urn:hl7-org:v3">\n<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
            b'href="/etc/passwd" parse="text"/></ClinicalDocument>',
            "XInclude",
            "line 2",
        ),
    ],
)
def test_broken_or_hostile_xml_is_a_finding_of_the_document(
    cli: Cli, tmp_path: Path, data: bytes, message: str, location: str
) -> None:
    run = cli("validate", "cda", _write(tmp_path, "input.xml", data), "--json")
    assert run.code == 1, run.err
    (finding,) = _json(run)["results"][0]["findings"]
    assert (finding["rule"], finding["requirement"], finding["severity"]) == ("cda.xml", "CDA-HDR-01", "error")
    assert message in finding["message"] and finding["location"].startswith(location)
    assert "root:" not in run.out  # never expanded, never read


def test_a_300_mb_file_is_refused_from_its_size_without_reading_it(cli: Cli, tmp_path: Path) -> None:
    big = tmp_path / "big.xml"
    with big.open("wb") as handle:  # a sparse file: 300 MB long, nothing written
        handle.truncate(300 * 1024 * 1024)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    run = cli("validate", "cda", str(big))
    assert run.code == 1
    assert f"larger than the {MAX_CDA_BYTES} bytes" in run.out
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024  # KiB: not read


def test_a_missing_file_or_a_folder_exits_2(cli: Cli, tmp_path: Path) -> None:
    assert "no such file" in cli("validate", "cda", str(tmp_path / "absent.xml")).err
    assert cli("validate", "cda", str(tmp_path)).code == 2


def test_xml_that_is_not_a_clinical_document_is_a_finding(cli: Cli, tmp_path: Path) -> None:
    run = cli("validate", "cda", _write(tmp_path, "other.xml", b"<a/>"), "--json")
    assert run.code == 1
    (finding,) = _json(run)["results"][0]["findings"]
    assert finding["rule"] == "cda.root"


def test_without_a_pack_the_output_says_what_was_not_judged(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DUI_HARNESS_CDA_PACK", raising=False)
    path = _write(tmp_path, "dlu.xml", example("DLU-EHPAD-DLU_2022.01.xml"))
    text = cli("validate", "cda", path)
    assert text.code == 0
    verdict = text.out.splitlines()[0]
    assert verdict.startswith("VALID") and verdict.endswith("partial judgement")  # never a bare VALID
    assert "layer  CDA_extended.xsd: NOT RUN" in text.out and "not run: no pack given" in text.out
    assert "official CI-SIS schematrons: NOT RUN" in text.out
    result = _json(cli("validate", "cda", path, "--json"))["results"][0]
    assert result["partial"] is True
    assert [(layer["name"], layer["ran"]) for layer in result["layers"]] == [
        ("règles embarquées / embedded rules", True),
        ("CDA_extended.xsd", False),
        ("schématrons officiels CI-SIS / official CI-SIS schematrons", False),
    ]


def test_with_the_pack_every_layer_is_listed_with_the_files_that_judged(
    cli: Cli, tmp_path: Path, pack: CdaPack
) -> None:
    path = _write(tmp_path, "dlu.xml", example("DLU-EHPAD-DLU_2022.01.xml"))
    result = _json(cli("validate", "cda", path, "--cda-pack", str(pack.root), "--json"))["results"][0]
    assert result["partial"] is False and result["valid"] is True
    assert [layer["name"] for layer in result["layers"]] == [
        "règles embarquées / embedded rules",
        "infrastructure/cda/CDA_extended.xsd",
        "schematrons/CI-SIS_DLU-EHPAD-DLU_2022.01.sch",
        "schematrons/profils/structurationMinimale/ASIP-STRUCT-MIN-StrucMin.sch",
        "schematrons/profils/CI-SIS_ModelesDeContenusCDA.sch",
        "schematrons/profils/CI-SIS_Modeles_ANS.sch",
    ]
    strucmin = result["layers"][3]
    assert strucmin["notes"] == [
        "schematrons/profils/structurationMinimale/include/voc-1.2.250.1.213.1.1.5.471-DYNAMIC.xml derived from "
        "jeuxDeValeurs/JDV_J07_XdsTypeCode_CISIS.xml / dérivé de jeuxDeValeurs/JDV_J07_XdsTypeCode_CISIS.xml"
    ]
    assert not (
        pack.root / "schematrons/profils/structurationMinimale/include/voc-1.2.250.1.213.1.1.5.471-DYNAMIC.xml"
    ).exists()  # derived into the cache, not the pack


def test_model_version_pinned_or_warned(cli: Cli, tmp_path: Path, pack: CdaPack) -> None:
    # the DLU example without a version in its model templateId
    document = example("DLU-EHPAD-DLU_2022.01.xml").replace(
        b'root="1.2.250.1.213.1.1.1.22" extension="2022.01"', b'root="1.2.250.1.213.1.1.1.22"', 1
    )
    assert document != example("DLU-EHPAD-DLU_2022.01.xml")
    path = _write(tmp_path, "dlu.xml", document)
    unpinned = _json(cli("validate", "cda", path, "--cda-pack", str(pack.root), "--json"))["results"][0]
    (warning,) = (f for f in unpinned["findings"] if f["rule"] == "cda.model.version")
    assert warning["severity"] == "warning" and "version 2022.01 used, the newest of the pack" in warning["message"]
    pinned = cli("validate", "cda", path, "--cda-pack", str(pack.root), "--model-version", "DLU-EHPAD-DLU=2022.01")
    assert "cda.model.version" not in pinned.out and "DLU-EHPAD-DLU 2022.01: version épinglée / pinned" in pinned.out
    missing = _json(cli("validate", "cda", path, "--cda-pack", str(pack.root), "--model-version", "2019.01", "--json"))[
        "results"
    ][0]
    (model,) = (layer for layer in missing["layers"] if "content-model schematron" in layer["name"])
    assert not model["ran"] and "pinned version not in the pack (has: 2022.01)" in model["reason"]
    assert cli("validate", "cda", path, "--model-version", "latest").code == 2
