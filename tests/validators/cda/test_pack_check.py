"""``dui-harness pack check DIR``: the pack's date, runnable schematrons, derived and missing files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from harness.validators.cda import CdaPack
from harness.validators.cda.valueset_derive import derive_voc, voc_oid
from tests.cli.conftest import CliRun

Cli = Callable[..., CliRun]
J07 = "schematrons/profils/structurationMinimale/include/voc-1.2.250.1.213.1.1.5.471-DYNAMIC.xml"


def test_the_current_pack_runs_the_structuration_minimale_with_a_derived_value_set(cli: Cli, pack: CdaPack) -> None:
    run = cli("pack", "check", str(pack.root), "--json")
    assert run.code == 0, run.err
    report = json.loads(run.out)
    assert report["date"] == "2024-12-13" and report["default_runnable"] is True
    (derived,) = report["derived"]
    assert (derived["file"], derived["from"]) == (J07, "jeuxDeValeurs/JDV_J07_XdsTypeCode_CISIS.xml")
    assert not Path(derived["written"]).is_relative_to(pack.root) and Path(derived["written"]).is_file()
    states = {s["schematron"]: s for s in report["schematrons"]}
    assert states["schematrons/profils/structurationMinimale/ASIP-STRUCT-MIN-StrucMin.sch"]["runnable"]
    directive = "schematrons/include/entrees/E_directiveAnticipee_int.sch"
    assert states["schematrons/profils/IHE.sch"]["missing"] == [directive]
    assert "schematrons/CI-SIS_CNAM-HR_2021.01.sch" in report["not_runnable"]
    text = cli("pack", "check", str(pack.root))
    assert f"DERIVED  {J07} derived from jeuxDeValeurs/JDV_J07_XdsTypeCode_CISIS.xml" in text.out
    assert f"MISSING  {directive}  (needed by schematrons/profils/IHE.sch)" in text.out


def test_the_2023_pack_runs_the_former_structuration_minimale(cli: Cli, pack_2023: CdaPack) -> None:
    report = json.loads(cli("pack", "check", str(pack_2023.root), "--json").out)
    states = {s["schematron"]: s for s in report["schematrons"]}
    assert states["schematrons/profils/CI-SIS_StructurationMinimale.sch"]["runnable"]
    assert states["schematrons/profils/IHE_XDS-SD.sch"]["runnable"]
    assert states["schematrons/profils/IHE.sch"]["runnable"]


def test_not_a_pack_exits_2(cli: Cli, tmp_path: Path) -> None:
    run = cli("pack", "check", str(tmp_path))
    assert run.code == 2 and "lacks infrastructure/cda/CDA_extended.xsd" in run.err


def test_the_derived_file_has_every_concept_of_the_svs_value_set(pack: CdaPack) -> None:
    from lxml import etree

    svs = pack.value_sets / "JDV_J07_XdsTypeCode_CISIS.xml"
    derived = etree.fromstring(derive_voc(svs, source_label="jeuxDeValeurs/JDV_J07_XdsTypeCode_CISIS.xml"))
    source = etree.parse(str(svs)).getroot()
    pairs = {(c.get("code"), c.get("codeSystem")) for c in source.iter("{urn:ihe:iti:svs:2008}Concept")}
    assert (
        pairs
        and {(c.get("code"), c.get("codeSystem")) for c in derived.xpath("/*/valueSet/conceptList/concept")} == pairs
    )
    assert derived.xpath("string(/*/valueSet/@id)") == "1.2.250.1.213.1.1.5.471" == voc_oid(J07.rsplit("/", 1)[1])
