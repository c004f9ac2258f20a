"""The artefact pack: layout checks, XSD compiled once and confined to the pack, schematron choice and caches."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree

from harness.validators.cda import CdaPack, CdaPackError, load_pack, resolve_pack, validate_cda
from harness.validators.cda.official import check_official
from harness.validators.cda.schematron_run import SCHEMATRON_STATS
from harness.validators.cda.selection import model_schematron, select_schematrons
from harness.validators.cda.xsd import XSD_STATS, cda_schema
from tests.validators.cda.conftest import example, first, serialize, tree

XSD_HEADER = '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:hl7-org:v3">'


def _fake_pack(tmp_path: Path, xsd: str) -> CdaPack:
    (tmp_path / "infrastructure" / "cda").mkdir(parents=True)
    (tmp_path / "schematrons").mkdir()
    (tmp_path / "infrastructure" / "cda" / "CDA_extended.xsd").write_text(xsd, encoding="utf-8")
    return load_pack(tmp_path)


def test_a_folder_without_the_layout_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CdaPackError, match=r"lacks infrastructure/cda/CDA_extended\.xsd"):
        load_pack(tmp_path)
    with pytest.raises(CdaPackError, match="no such folder"):
        load_pack(tmp_path / "absent")


def test_the_pack_comes_from_the_option_then_the_environment(
    tmp_path: Path, pack: CdaPack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DUI_HARNESS_CDA_PACK", raising=False)
    assert resolve_pack(None) is None
    monkeypatch.setenv("DUI_HARNESS_CDA_PACK", str(pack.root))
    assert resolve_pack(None) == pack
    with pytest.raises(CdaPackError):
        resolve_pack(str(tmp_path))


@pytest.mark.parametrize("location", ["http://127.0.0.1:9/other.xsd", "../../../outside.xsd"])
def test_xsd_imports_outside_the_pack_are_refused(tmp_path: Path, location: str) -> None:
    (tmp_path / "outside.xsd").write_text(XSD_HEADER + "</xs:schema>", encoding="utf-8")
    fake = _fake_pack(tmp_path / "pack", XSD_HEADER + f'<xs:include schemaLocation="{location}"/></xs:schema>')
    with pytest.raises(CdaPackError, match=r"outside the pack folder .*: refused"):
        cda_schema(fake)


def test_the_xsd_is_compiled_once_and_locates_its_errors(pack: CdaPack) -> None:
    cda_schema(pack)
    compiled = XSD_STATS["compiled"]
    root = tree("LDL-SES_2022.01.xml")
    first(root, "cda:title").tag = "{urn:hl7-org:v3}titre"
    report = validate_cda(serialize(root), pack=pack, schematrons=())
    xsd = [f for f in report.findings if f.requirement == "CDA-XSD-01"]
    assert xsd and "titre" in xsd[0].message
    assert xsd[0].location.startswith("/ClinicalDocument/titre (line ")
    validate_cda(example("LDL-EES_2022.01.xml"), pack=pack, schematrons=())
    assert XSD_STATS["compiled"] == compiled


@pytest.mark.parametrize(
    ("template_ids", "expected"),
    [
        ([("1.2.250.1.213.1.1.1.22", "2022.01")], "CI-SIS_DLU-EHPAD-DLU_2022.01.sch"),
        ([("1.2.250.1.213.1.1.1.24", "")], "CI-SIS_DLU-EHPAD-FLUDR_2022.01.sch"),
        ([("1.2.250.1.213.1.1.1.13", "201310")], "CI-SIS_VSM_1.4_2022.01.sch"),
        ([("1.2.250.1.213.1.1.1.13", "2023.01")], "CI-SIS_VSM_2023.01.sch"),
        ([("1.2.250.1.213.1.1.1.55", "")], "CI-SIS_BIO-CR-BIO_2024.01.sch"),
        ([("1.2.250.1.213.1.1.1.55", "2021.01")], "CI-SIS_BIO-CR-BIO_2021.01.sch"),
        ([("1.2.250.1.213.1.1.1.5", ""), ("1.2.250.1.213.1.1.1.5.4", "2023.01")], "CI-SIS_CSE-MDE_2023.01.sch"),
        ([("1.3.6.1.4.1.19376.1.2.20", "")], None),
        ([("1.2.250.1.213.1.1.1.58", "1.1.0-ballot")], None),
    ],
)
def test_the_model_schematron_follows_the_template_ids(
    pack: CdaPack, template_ids: list[tuple[str, str]], expected: str | None
) -> None:
    path = model_schematron(pack, template_ids)
    assert (path.name if path else None) == expected


def test_an_unknown_schematron_name_is_refused(pack: CdaPack) -> None:
    with pytest.raises(KeyError, match="unknown schematron 'nope'"):
        select_schematrons(pack, [], ["nope"])


def test_a_schematron_the_pack_cannot_run_is_reported_not_run_and_the_rest_still_judges(pack: CdaPack) -> None:
    document = example("LDL-SES_2022.01.xml").replace(b'<realmCode code="FR"/>', b"", 1)
    report = validate_cda(document, pack=pack, schematrons=["IHE_corps", "IHE_entete", "model"])
    layers = {layer.name: layer for layer in report.layers}
    ihe, xds_sd = layers["schematrons/profils/IHE.sch"], layers["schematrons/profils/IHE_XDS-SD.sch"]
    assert (
        not ihe.ran
        and "file missing from the pack: schematrons/include/entrees/E_directiveAnticipee_int.sch" in ihe.reason
    )
    assert not xds_sd.ran and "IHE_XDS-SD.sch" in xds_sd.reason
    # the embedded rules, the XSD and the content model still judged, and the fault is found
    assert layers["schematrons/CI-SIS_LDL-SES_2022.01.sch"].ran and layers["infrastructure/cda/CDA_extended.xsd"].ran
    assert "CDA-HDR-01" in {f.requirement for f in report.findings}


def test_a_missing_include_among_the_content_models_is_named(pack: CdaPack, tmp_path: Path) -> None:
    copy = tmp_path / "pack"
    shutil.copytree(pack.root / "infrastructure", copy / "infrastructure")
    shutil.copytree(pack.root / "schematrons", copy / "schematrons")
    top = copy / "schematrons" / "CI-SIS_DLU-EHPAD-DLU_2022.01.sch"
    href = etree.parse(str(top)).find("{http://purl.oclc.org/dsdl/schematron}include").get("href")
    (top.parent / href).unlink()
    report = validate_cda(
        example("DLU-EHPAD-DLU_2022.01.xml"), pack=copy, schematrons=["model", "Modeles_ANS"], xsd=False
    )
    layers = {layer.name: layer for layer in report.layers}
    model = layers["schematrons/CI-SIS_DLU-EHPAD-DLU_2022.01.sch"]
    assert not model.ran and (top.parent / href).resolve().relative_to(copy.resolve()).as_posix() in model.reason
    assert layers["schematrons/profils/CI-SIS_Modeles_ANS.sch"].ran


def test_official_schematrons_are_compiled_once_per_process(pack: CdaPack) -> None:
    data = example("DLU-EHPAD-DLU_2022.01.xml")
    validate_cda(data, pack=pack)
    compiled = SCHEMATRON_STATS["xslt_compiled"]
    runs = SCHEMATRON_STATS["runs"]
    report = validate_cda(data, pack=pack)
    assert SCHEMATRON_STATS["xslt_compiled"] == compiled
    assert SCHEMATRON_STATS["runs"] == runs + 4
    assert set(report.svrl) == {"model", "StructurationMinimale", "ModelesDeContenusCDA", "Modeles_ANS"}


def test_official_findings_keep_the_french_message_and_the_location(pack: CdaPack) -> None:
    root = tree("DLU-EHPAD-DLU_2022.01.xml")
    first(root, "cda:code").set("code", "34133-9")
    result = check_official(root, pack, ["model"], xsd=False)
    (finding,) = result.findings
    assert finding.requirement == "CDA-SCH-01"
    assert finding.rule == "CI-SIS_DLU-EHPAD-DLU_2022.01.sch#Entete_DLU-DLU"
    assert finding.message.startswith('[Entete_DLU-DLU] L\'élément code doit avoir @code ="74207-2"')
    assert finding.location == "/ClinicalDocument"  # the ANS tool's notation


def test_the_default_profile_pins_the_models_a_dui_produces_and_a_run_applies_them(pack: CdaPack) -> None:
    from harness.core.requirements import load_profile
    from harness.paths import profiles_dir
    from harness.plugin.options import RunSettings

    profile = load_profile(profiles_dir(), "segur-dui-esms")
    assert ("DLU-EHPAD-DLU", "2022.01") in profile.cda_model_versions
    assert ("VSM", "2023.01") in profile.cda_model_versions
    # the run hands the pins with the pack, through its settings (never an environment variable)
    run_pack = RunSettings(cda_pack=pack.root, cda_model_versions=profile.cda_model_versions).cda()
    assert run_pack is not None and dict(run_pack.model_versions)["VSM"] == "2023.01"
    # a VSM 1.4 document (templateId extension 201310) is judged by the pinned VSM 2023.01
    report = validate_cda(example("VSM_1.4_2022.01.xml"), pack=run_pack, schematrons=["model"], xsd=False)
    (model,) = (layer for layer in report.layers if layer.name.startswith("schematrons/CI-SIS_VSM"))
    assert model.name == "schematrons/CI-SIS_VSM_2023.01.sch" and "pinned" in model.notes[0]
    # the same pack without the run's pins: the document's own version
    unpinned = validate_cda(example("VSM_1.4_2022.01.xml"), pack=pack, schematrons=["model"], xsd=False)
    (model,) = (layer for layer in unpinned.layers if layer.name.startswith("schematrons/CI-SIS_VSM"))
    assert model.name != "schematrons/CI-SIS_VSM_2023.01.sch"
