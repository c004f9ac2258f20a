"""The official examples: good documents pass; the known negative cases fail exactly where expected.

The ANS publishes ``ExemplesCDA/`` as conformant examples. Known negative cases:

* ``CSE-MDE_2023.01.xml`` and the TDDUI example carry an INS whose key is wrong (97 − NIR mod 97);
* ``01_Modèles_contenus_CDA.xml`` is the catalogue of the CI-SIS entry templates, not a real
  document: it carries the VSM templateId ``1.2.250.1.213.1.1.1.13`` without the VSM code and
  sections, so both the embedded VSM rules and the official VSM schematron refuse it (the ANS
  tool judged it against the structuration minimale only: its ``_verif.xml`` report);
* the TDDUI example (``ans.cda.fr.tddui`` 1.0.1, not part of TestContenuCDA) has entries that the
  official ``CI-SIS_ModelesDeContenusCDA.sch`` refuses (FR-Modalite-entree / FR-Modalite-sortie).
"""

from __future__ import annotations

import pytest

from harness.core.findings import Severity
from harness.validators.cda import CdaPack, validate_cda
from tests.validators.cda.conftest import TDDUI_EXAMPLE, example, example_names

CATALOGUE = "01_Modèles_contenus_CDA.xml"
#: example -> the (requirement, rule) of every finding the embedded rules report on it
KNOWN_EMBEDDED: dict[str, set[tuple[str, str]]] = {
    "CSE-MDE_2023.01.xml": {("CDA-INS-01", "cda.ins.key")},
    TDDUI_EXAMPLE.name: {("CDA-INS-01", "cda.ins.key")},
    CATALOGUE: {("CDA-VSM-01", "cda.vsm.code"), ("CDA-VSM-01", "cda.vsm.section")},
}
PACK_EXAMPLES = example_names()
EXAMPLES = [*example_names(), TDDUI_EXAMPLE.name]


@pytest.mark.parametrize("name", EXAMPLES)
def test_official_example_against_the_embedded_rules(name: str) -> None:
    report = validate_cda(example(name))
    found = {(f.requirement, f.rule) for f in report.findings}
    assert found == KNOWN_EMBEDDED.get(name, set()), [str(f) for f in report.findings]
    assert report.header.code and report.header.template_ids


@pytest.mark.parametrize("name", PACK_EXAMPLES)
def test_official_example_against_the_xsd_and_official_schematrons(name: str, pack: CdaPack) -> None:
    report = validate_cda(example(name), pack=pack)
    official = [f for f in report.findings if f.requirement in ("CDA-XSD-01", "CDA-SCH-01", "CDA-SCH-02")]
    # the structuration minimale (ART-DECOR) judges every example, with the derived JDV_J07 file
    assert {"StructurationMinimale", "ModelesDeContenusCDA", "Modeles_ANS"} <= set(report.svrl)
    (strucmin,) = (layer for layer in report.layers if "ASIP-STRUCT-MIN-StrucMin.sch" in layer.name)
    assert strucmin.ran and any("derived from jeuxDeValeurs/JDV_J07_XdsTypeCode_CISIS.xml" in n for n in strucmin.notes)
    if name == CATALOGUE:
        # the model schematron chosen from its VSM templateId (no version: the newest, said) refuses it
        errors = [f for f in official if f.severity is Severity.ERROR]
        assert {f.rule.split("#")[0] for f in errors} == {"CI-SIS_VSM_2023.01.sch"}
        assert any("SYNTH" in f.message for f in errors)
        (warning,) = (f for f in official if f.severity is Severity.WARNING)
        assert warning.rule == "cda.model.version" and "2023.01" in warning.message
        return
    assert [f for f in official if f.severity is Severity.ERROR] == []


def test_tddui_example_against_the_official_schematrons(pack: CdaPack) -> None:
    report = validate_cda(example(TDDUI_EXAMPLE.name), pack=pack)
    # the TDDUI model has no schematron in TestContenuCDA: only the cross-cutting ones run, and the
    # content-model layer says why it did not
    assert set(report.svrl) == {"StructurationMinimale", "ModelesDeContenusCDA", "Modeles_ANS"}
    assert [layer.reason for layer in report.layers if not layer.ran] == [
        "non exécuté : aucun templateId de modèle CI-SIS connu dans le document / not run: no known CI-SIS "
        "content-model templateId in the document"
    ]
    patterns = {f.rule.split("#")[1] for f in report.findings if f.requirement == "CDA-SCH-02"}
    assert patterns == {"E_modaliteEntree_fr", "E_modaliteSortie_fr"}
    assert all("FR-Modalite" in f.message for f in report.findings if f.requirement == "CDA-SCH-02")
