"""The official TDDUI IG examples get exactly their true findings (fixtures/tddui/, issue 16 item 1).

Each example is judged by every TDDUI rule; the findings must be exactly those of
``fixtures/tddui/expected.json`` (the INS with a wrong key, profile names in ``request.url``, and a
warning for a reference to a resource outside the bundle), and once those true defects are
corrected the example has no error left: no rule of the bench disagrees with the IG's own examples.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from harness.core.findings import Severity
from harness.paths import fixtures_dir
from harness.validators.fhir.jdv import JDV, system_oid
from harness.validators.fhir.tddui import check_tddui_bundle
from harness.validators.fhir.tddui_encounter import is_event

FOLDER = fixtures_dir() / "tddui"
EXPECTED: dict[str, list[list[str]]] = {
    k: v for k, v in json.loads((FOLDER / "expected.json").read_text(encoding="utf-8")).items() if not k.startswith("_")
}


def _example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FOLDER / name).read_text(encoding="utf-8"))
    return data


def _corrected(bundle: dict[str, Any]) -> dict[str, Any]:
    """The example with its true defects fixed: request.url = the resource type, the INS key recomputed."""
    fixed = copy.deepcopy(bundle)
    for entry in fixed["entry"]:
        entry["request"]["url"] = entry["resource"]["resourceType"]
        for ident in entry["resource"].get("identifier") or []:
            if isinstance(ident, dict) and ident.get("system") == "urn:oid:1.2.250.1.213.1.4.8":
                nir = ident["value"][:13]
                ident["value"] = f"{nir}{97 - int(nir) % 97:02d}"
    return fixed


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_official_example_gets_exactly_its_true_findings(name: str) -> None:
    # given an official example of the TDDUI IG; when every TDDUI rule judges it
    found = sorted(
        [f.rule, f.requirement, f.location, f.severity.value] for f in check_tddui_bundle(_example(name)).findings
    )
    # then the findings are its true defects, no more, no less
    assert found == sorted(EXPECTED[name])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corrected_example_has_no_error(name: str) -> None:
    errors = [f for f in check_tddui_bundle(_corrected(_example(name))).findings if f.severity is Severity.ERROR]
    assert errors == []


def test_the_ig_example_tells_the_event_from_the_stay() -> None:
    encounters = [
        e["resource"]
        for e in _example("ig-example-tddui-bundle.json")["entry"]
        if e["resource"]["resourceType"] == "Encounter"
    ]
    assert [is_event(e) for e in encounters] == [False, True]
    # without meta.profile, the event identifier (VN, identifiant-medicosocial-evenement) still says so
    bare = {k: v for k, v in encounters[1].items() if k != "meta"}
    assert is_event(bare)


def test_an_event_is_judged_by_the_event_profile() -> None:
    bundle = _corrected(_example("ig-example-tddui-bundle.json"))
    event = bundle["entry"][3]["resource"]
    del event["period"]["end"]
    event["partOf"] = {"reference": "Patient/tddui-patient-ins-example"}
    rules = {(f.rule, f.requirement) for f in check_tddui_bundle(bundle).findings}
    assert ("tddui.event.period", "EPARCOURS-CONT-01") in rules
    assert ("tddui.event.partof", "EPARCOURS-CONT-01") in rules
    assert not any(r.startswith("tddui.encounter.") for r, _ in rules)


@pytest.mark.parametrize(
    "system",
    [
        "http://loinc.org",
        "urn:oid:2.16.840.1.113883.6.1",
        "https://mos.esante.gouv.fr/NOS/TRE_A04-Loinc/FHIR/TRE-A04-Loinc",
    ],
)
def test_loinc_is_loinc_whatever_its_system_spelling(system: str) -> None:
    assert system_oid(system) == "2.16.840.1.113883.6.1"
    assert JDV["JDV_J07"].contains(system, "28653-4")
    assert not JDV["JDV_J07"].contains(system, "00000-0")


def test_an_unknown_system_stays_unknown() -> None:
    assert system_oid("https://mos.esante.gouv.fr/NOS/TRE_Z99-Unknown/FHIR/TRE-Z99-Unknown") is None
    assert not JDV["JDV_J07"].contains("https://example.org/loinc", "28653-4")


def test_a_document_without_type_is_not_judged_on_its_type() -> None:
    # TDDUIDocumentReference.type is 0..1 with a preferred binding: its absence is no finding
    bundle = _corrected(_example("ig-tddui-bundle-example-documents.json"))
    del bundle["entry"][0]["resource"]["type"]
    assert check_tddui_bundle(bundle).findings == []
