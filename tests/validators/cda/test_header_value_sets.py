"""The embedded header value-set rules (:mod:`harness.validators.cda.rules_valuesets`): each binding catches a
code outside its CI-SIS value set, on the element the official structuration minimale names, and the
official examples meet them."""

from __future__ import annotations

import pytest

from harness.core.findings import Severity
from harness.validators.cda import CdaPack, validate_cda
from harness.validators.cda.rules_valuesets import BINDINGS, header_value_sets
from tests.validators.cda.conftest import example, example_names, serialize, tree

DLU = "DLU-EHPAD-DLU_2022.01.xml"
NS = {"cda": "urn:hl7-org:v3"}
#: binding rule -> (element of the DLU example, attribute, a value outside the value set)
MUTATIONS = {
    "cda.vs.type-code": ("/cda:ClinicalDocument/cda:code", "code", "XXX"),
    "cda.vs.gender": ("//cda:patient/cda:administrativeGenderCode", "code", "X"),
    "cda.vs.specialty": ("/cda:ClinicalDocument/cda:author/cda:assignedAuthor/cda:code", "code", "ZZ"),
    "cda.vs.practice-setting": ("//cda:standardIndustryClassCode", "code", "ZZ"),
    "cda.vs.facility": ("//cda:healthCareFacility/cda:code", "code", "ZZ"),
    "cda.vs.function": ("/cda:ClinicalDocument/cda:participant/cda:functionCode", "code", "ZZ"),
    "cda.vs.encounter": ("//cda:encompassingEncounter/cda:code", "code", "ZZ"),
    "cda.vs.participation": ("/cda:ClinicalDocument/cda:participant", "typeCode", "WIT"),
    "cda.vs.relation": ("//cda:informant/cda:relatedEntity/cda:code", "code", "ZZ"),
}


def _mutated(rule: str) -> bytes:
    path, attribute, value = MUTATIONS[rule]
    root = tree(DLU)
    root.xpath(path, namespaces=NS)[0].set(attribute, value)
    return serialize(root)


def test_every_value_set_a_binding_names_is_embedded_with_its_provenance() -> None:
    sets = header_value_sets()
    for binding in BINDINGS:
        for key in binding.value_sets:
            assert sets[key].codes and sets[key].oid.startswith(("1.2.250.1.213.", "2.16.840.1.113883."))
            assert "ansforge/TestContenuCDA-3-0@7cd489b" in sets[key].source


@pytest.mark.parametrize("name", example_names())
def test_the_official_examples_meet_the_header_value_sets(name: str) -> None:
    findings = [f for f in validate_cda(example(name)).findings if f.rule.startswith("cda.vs.")]
    assert findings == [] or name == "01_Modèles_contenus_CDA.xml", [str(f) for f in findings]


@pytest.mark.parametrize("rule", sorted(MUTATIONS))
def test_a_code_outside_its_value_set_is_caught_without_a_pack(rule: str) -> None:
    # given the DLU example with one coded element changed to a code of no CI-SIS value set
    report = validate_cda(_mutated(rule))
    # then its binding reports it, on the element, as an error of the structuration minimale header
    caught = [f for f in report.findings if f.rule == rule]
    assert len(caught) == 1 and caught[0].requirement == "CDA-HDR-01" and caught[0].severity is Severity.ERROR
    assert caught[0].location.startswith("/ClinicalDocument/") and "value set" in caught[0].message
    assert {f.rule for f in report.findings if f.rule.startswith("cda.vs.")} == {rule}


@pytest.mark.parametrize("rule", sorted(MUTATIONS))
def test_the_embedded_binding_and_the_official_structuration_minimale_agree(rule: str, pack: CdaPack) -> None:
    # given the same mutation judged with the pack's structuration minimale
    report = validate_cda(_mutated(rule), pack=pack, schematrons=["StructurationMinimale"], xsd=False)
    embedded = {f.location for f in report.findings if f.rule == rule}
    official = {f.location for f in report.findings if "StrucMin" in f.rule.split("#")[0]}
    # then the official schematron fails on the element the embedded rule names
    assert embedded and embedded <= official, (embedded, official)
    # and the clean example fails neither
    clean = validate_cda(example(DLU), pack=pack, schematrons=["StructurationMinimale"], xsd=False)
    assert not [f for f in clean.findings if f.rule.startswith("cda.vs.")]
