"""Safe FHIR JSON reading and the R4 structure check (fhir.resources R4B models, R4/R4B gap)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

from harness.core.findings import Severity
from harness.validators.fhir.jsonio import FhirInputError, parse_fhir_json
from harness.validators.fhir.structure import R4_ONLY, R4B_DIFFERS, R4B_ONLY, check_structure, is_r4_resource_type


@pytest.mark.parametrize(
    ("data", "code", "status"),
    [
        (b"", "required", 400),
        (b"{", "structure", 400),
        (b'{"a": 1, "a": 2}', "structure", 400),
        (b"[Infinity]", "structure", 400),
        (b"\x80", "structure", 400),
        (b"[" * 3000 + b"]" * 3000, "too-costly", 422),
        (b"{}" + b" " * 20_000, "too-costly", 413),
    ],
)
def test_unreadable_json_raises_a_precise_error(data: bytes, code: str, status: int) -> None:
    with pytest.raises(FhirInputError) as caught:
        parse_fhir_json(data, max_bytes=10_000)
    assert caught.value.code == code and caught.value.status == status and caught.value.message


def test_bom_is_tolerated_and_depth_limit_names_the_path() -> None:
    assert parse_fhir_json(b'\xef\xbb\xbf{"resourceType": "Patient"}') == {"resourceType": "Patient"}
    with pytest.raises(FhirInputError) as caught:
        parse_fhir_json(b'{"a": {"b": {"c": {}}}}', max_depth=3)
    assert caught.value.location == "$.a.b.c"


def test_structure_findings_carry_fhirpath_locations() -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"resource": {"resourceType": "Patient", "birthDate": "x", "contained": [{"resourceType": "Nope"}]}},
            {"resource": {"resourceType": "Citation"}},
        ],
    }
    found = {f.location: f.rule for f in check_structure(bundle, requirement="R")}
    assert found == {
        "Bundle.entry[0].resource.birthDate": "fhir.structure",
        "Bundle.entry[0].resource.contained[0]": "fhir.structure.resource_type",
        "Bundle.entry[1].resource": "fhir.structure.not_r4",
    }


def test_r4_only_types_are_accepted_with_a_warning() -> None:
    [finding] = check_structure({"resourceType": "MedicinalProduct"}, requirement="R")
    assert finding.severity is Severity.WARNING and finding.rule == "fhir.structure.unchecked"
    assert is_r4_resource_type("MedicinalProduct") and not is_r4_resource_type("Citation")
    assert is_r4_resource_type("Patient") and not is_r4_resource_type("DomainResource")


def _fhirclient_r4() -> dict[str, set[str]]:
    """R4 resource type -> its element names, from fhirclient's models (generated from FHIR 4.0.1)."""
    import fhirclient.models as models
    import fhirclient.models.resource as base

    types: dict[str, set[str]] = {}
    for info in pkgutil.iter_modules(models.__path__):
        module = importlib.import_module(f"fhirclient.models.{info.name}")
        for name in dir(module):
            cls = getattr(module, name)
            if isinstance(cls, type) and issubclass(cls, base.Resource) and getattr(cls, "resource_type", None) == name:
                types[name] = {p[1] for p in cls().elementProperties()} - {"resourceType"}
    types.pop("Resource", None)
    types.pop("DomainResource", None)
    return types


def test_the_r4_r4b_gap_documented_in_structure_is_the_real_one() -> None:
    # given the R4 models of fhirclient and the R4B models of fhir.resources
    from fhir.resources.R4B import get_fhir_model_class

    r4 = _fhirclient_r4()
    r4b = {name for name in r4 if is_r4_resource_type(name) and name not in R4_ONLY}
    # then the types only in R4 are exactly R4_ONLY, and R4B_ONLY is unknown to R4
    assert set(r4) - r4b == R4_ONLY
    assert not R4B_ONLY & set(r4)
    # and the R4 types whose elements differ in R4B are listed in R4B_DIFFERS
    differ = set()
    for name in r4b:
        fields = {f.alias or n for n, f in get_fhir_model_class(name).model_fields.items()}
        fields = {f for f in fields if not f.startswith("_")} - {"resourceType", "fhir_comments"}
        if fields != r4[name]:
            differ.add(name)
    assert differ <= set(R4B_DIFFERS), differ - set(R4B_DIFFERS)
    for used in (
        "Bundle",
        "Patient",
        "Encounter",
        "DocumentReference",
        "QuestionnaireResponse",
        "CarePlan",
        "MedicationRequest",
        "MedicationAdministration",
        "OperationOutcome",
        "Organization",
    ):
        assert used not in differ


def test_a_library_failure_inside_the_structure_check_is_a_harness_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # given fhir.resources failing with an unexpected exception (not a validation error)
    from harness.errors import ValidatorError
    from harness.validators.fhir import structure

    class Broken:
        __resource_type__ = "Patient"

        @staticmethod
        def model_validate(_: object) -> None:
            raise TypeError("'NoneType' object is not subscriptable")

    monkeypatch.setattr(structure, "_model", lambda name: Broken)
    # then it is a harness error naming the library, never an ERROR finding against the DUI
    with pytest.raises(ValidatorError, match=r"failed inside fhir\.resources"):
        structure.check_structure({"resourceType": "Patient"}, requirement="EPARCOURS-PAT-01")
