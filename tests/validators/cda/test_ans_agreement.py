"""Agreement with the ANS tool: for each example with SVRL reports, the harness fails the same assertions.

``schematrons/rapports/`` of the pack holds the reports the official TestContenuCDA tool wrote
for sample documents: ``<document>_validCDA.xml`` (XSD) and ``<document>_verif*.xml`` (SVRL of
one schematron, named by its ``schemaVersion``). For every report whose document is in
``ExemplesCDA/``, the harness runs the same check (the pack's XSD, or the pack's schematron of
that ``schemaVersion``) and must reach the same verdict: the same failed assertions and
successful reports (kind, id, location, text), and, as a check of the engine itself, the same
number of firings for every rule the two schematron versions share (same pattern, same context).

Reports whose document is not in the pack are counted (:data:`DOCUMENTS_NOT_IN_PACK`). Reports
that cannot be reproduced from this pack are strict xfails saying why (:data:`IMPOSSIBLE`): if
a later pack makes one reproducible, the xfail turns into a failure and must be revisited.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from harness.validators.cda import CdaPack, CdaPackError, load_pack
from harness.validators.cda.official import run_schematron
from harness.validators.cda.schematron_run import engine
from harness.validators.cda.selection import OfficialSchematron
from harness.validators.cda.svrl import SvrlReport, parse_svrl
from harness.validators.cda.xsd import validate_xsd
from tests.validators.cda.conftest import NO_PACK, PACK_DIR

#: sample documents the ANS reports are about, absent from the public pack's ExemplesCDA/
DOCUMENTS_NOT_IN_PACK = {
    "BIO-CR-BIO_2022.01_Auto-Presentable",
    "BIO-CR-BIO_2022.01_Microbiologie_V2",
    "CANCER-CR-GM_2022.01_AnalyseNonRealisee",
    "CANCER-CR-GM_2022.01_AnalyseRealisee",
}
_STRUCMIN = (
    "produced with CI-SIS_StructurationMinimale.sch (phase Struct_minimale), which the pack no longer holds; "
    "its replacement, the ART-DECOR profils/structurationMinimale/ASIP-STRUCT-MIN-StrucMin.sch, reads "
    "include/voc-1.2.250.1.213.1.1.5.471-DYNAMIC.xml (JDV_J07 in ART-DECOR form), missing from the pack"
)
#: report file -> (why the harness cannot reproduce it from this pack, the exception it ends in)
IMPOSSIBLE: dict[str, tuple[str, type[BaseException]]] = {
    "01_Modèles_contenus_CDA_validCDA.xml": (
        "the ANS tool's verdict is a schema-composition error of its own XSD loader (Xerces sch-props-correct.2: "
        "two global components POCD_MT000040.InfrastructureRoot.typeId), not a fault of the document; libxml2 "
        "compiles the pack's CDA_extended.xsd and finds the document valid", AssertionError),
    "01_Modèles_contenus_CDA_verif.xml": (_STRUCMIN, CdaPackError),
    "01_Modèles_contenus_CDA_verif_StructurationMinimale.xml": (_STRUCMIN, CdaPackError),
    "01_Modèles_contenus_CDA_verif_IHE_entete.xml": (
        "produced with IHE_XDS-SD.sch (phase xds-sd), which is not in the pack", CdaPackError),
    "01_Modèles_contenus_CDA_verif_IHE_corps.xml": (
        "profils/IHE.sch includes include/entrees/E_directiveAnticipee_int.sch, missing from the pack",
        CdaPackError),
    "01_Modèles_contenus_CDA_verif_terminologies.xml": (
        "profils/terminologies/schematron/terminologie.sch reads the terminologies (../terminologie/*.rdf and the "
        "UCUM file 2.16.840.1.113883.6.8.xml), which the pack does not hold", CdaPackError),
}


def _document_of(report: Path) -> str:
    stem = report.stem
    return stem[: stem.index("_validCDA")] if "_validCDA" in stem else stem[: stem.index("_verif")]


def _cases() -> list[object]:
    reports = sorted((PACK_DIR / "schematrons" / "rapports").glob("*.xml")) if PACK_DIR.is_dir() else []
    if not reports:
        return [pytest.param("", marks=pytest.mark.skip(reason=NO_PACK))]
    cases: list[object] = []
    for report in reports:
        if not (PACK_DIR / "ExemplesCDA" / f"{_document_of(report)}.xml").is_file():
            continue
        known = IMPOSSIBLE.get(report.name)
        marks = [pytest.mark.xfail(strict=True, reason=known[0], raises=known[1])] if known else []
        cases.append(pytest.param(report.name, marks=marks, id=report.name))
    return cases


def _schematron_for(pack: CdaPack, report: SvrlReport, title: str) -> OfficialSchematron:
    """The pack's schematron that wrote ``report``: by schemaVersion, else by title."""
    if report.schema_version:
        found = sorted(pack.schematrons.rglob(report.schema_version))
    else:
        found = [p for p in sorted(pack.schematrons.rglob("*.sch"))
                 if etree.parse(str(p)).findtext("{http://purl.oclc.org/dsdl/schematron}title", "").strip() == title]
    if not found:
        raise CdaPackError(f"the pack has no schematron {report.schema_version or title!r}")
    return OfficialSchematron(report.schema_version or found[0].name, found[0], "CDA-SCH-01")


def _fired_in_common(ours: SvrlReport, theirs: SvrlReport) -> tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]:
    """Firing counts of the (pattern, context) pairs both schematron versions have."""
    common = set(ours.fired) & set(theirs.fired)
    return Counter({k: ours.fired[k] for k in common}), Counter({k: theirs.fired[k] for k in common})


def test_every_report_is_about_an_example_or_a_known_absent_document() -> None:
    reports = sorted((PACK_DIR / "schematrons" / "rapports").glob("*.xml")) if PACK_DIR.is_dir() else []
    if not reports:
        pytest.skip(NO_PACK)
    absent = {_document_of(r) for r in reports if not (PACK_DIR / "ExemplesCDA" / f"{_document_of(r)}.xml").exists()}
    assert absent == DOCUMENTS_NOT_IN_PACK
    compared = [r for r in reports if _document_of(r) not in absent]
    # 1 document x 8 reports compared; 4 documents x 8 reports (32) have no document in the pack
    assert (len(compared), len(reports) - len(compared)) == (8, 32)


@pytest.mark.parametrize("report_name", _cases())
def test_harness_verdict_equals_the_ans_tool(report_name: str) -> None:
    pack = load_pack(PACK_DIR)
    report_path = pack.reports / report_name
    document = (pack.examples / f"{_document_of(report_path)}.xml").read_bytes()
    root = etree.fromstring(document)
    if "_validCDA" in report_name:
        official = etree.parse(str(report_path)).getroot()
        # the XSD verdict: OK or ERROR, the same as the tool's
        assert (validate_xsd(root, pack) == []) == (official.get("result") == "OK")
        return
    theirs = parse_svrl(report_path.read_bytes())
    title = etree.parse(str(report_path)).getroot().get("title", "")
    schematron = _schematron_for(pack, theirs, title)
    ours = run_schematron(schematron, engine().parse(etree.tostring(root, encoding="unicode")), fired=True)
    # then the same failed assertions and successful reports
    assert Counter(a.key() for a in ours.assertions) == Counter(a.key() for a in theirs.assertions)
    # and the shared rules fired as often (the two schematron versions may differ elsewhere)
    mine, official_counts = _fired_in_common(ours, theirs)
    assert mine and mine == official_counts
