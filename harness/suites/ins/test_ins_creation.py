"""## Requirements
INS-REG-05 (rule 5 of the INS implementation guide, SC.INS/va1.21, SC.INS.06A): no identity is created
without the birth name, the first birth first name, the birth date, the sex and the birth place code.
INS-REG-05B (rule 5, SC.INS/va1.22, SC.INS.06A): no other field is mandatory to create an identity.

## Dependencies
The DUI's trigger API (``submitIdentityCreation``: the creation form filled with the given fields only).

## Methodology
As the official scenario INS/va1.21.01: CREATION-ESSAI CLAIRE is created five times, each time with one
of the five mandatory fields left empty; the DUI must refuse every creation. As INS/va1.22.01: she is
then created with the five mandatory fields only (birth place 99999, "unknown", as RNIV 1 allows),
without used name, used first name, identity document nor local id; the DUI must create her.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.core.findings import Finding
from harness.suites.ins.checks import expect
from harness.suites.ins.rule_messages import rule_finding
from harness.sut.driver import SutDriver

#: the five mandatory fields of rule 5 (birth place 99999: unknown place, RNIV 1)
MANDATORY: dict[str, Any] = {
    "birth_name": "CREATION-ESSAI",
    "first_names": ["CLAIRE"],
    "birth_date": "1983-06-14",
    "sex": "F",
    "birth_place": "99999",
}
LABELS = {
    "birth_name": "nom de naissance / birth name",
    "first_names": "1er prénom de naissance / first birth first name",
    "birth_date": "date de naissance / birth date",
    "sex": "sexe / sex",
    "birth_place": "code du lieu de naissance / birth place code",
}
WHERE = "trigger API POST /identity-creations"


@pytest.fixture(scope="module")
def creations(sut: SutDriver) -> dict[str, dict[str, Any]]:
    """What the DUI answered to each incomplete form (keyed by the field left empty) and to the minimal one."""
    answers = {
        field: sut.submit_identity_creation({k: v for k, v in MANDATORY.items() if k != field}) for field in MANDATORY
    }
    answers["minimal"] = sut.submit_identity_creation(dict(MANDATORY))
    return answers


@pytest.mark.requirement("INS-REG-05")
def test_creation_refused_without_a_mandatory_trait(creations: dict[str, dict[str, Any]]) -> None:
    """Rule 5: the DUI refuses to create an identity when one of the five mandatory fields is empty."""
    findings: list[Finding] = []
    for field, label in LABELS.items():
        answer = creations[field]
        if answer.get("created"):
            person = (answer.get("identity") or {}).get("person_id")
            findings.append(
                rule_finding(
                    "ins.rule5.mandatory",
                    "INS-REG-05",
                    f"the DUI created an identity with the field « {label} » left empty",
                    stored=f"identité créée / identity created ({person}) sans / without {label}",
                    expected="création refusée / creation refused",
                    location=f"{WHERE} → fields without {field}",
                )
            )
    expect("règle 5, champs obligatoires / rule 5, mandatory fields", findings)


@pytest.mark.requirement("INS-REG-05B")
def test_no_other_field_is_mandatory(creations: dict[str, dict[str, Any]]) -> None:
    """Rule 5: the five mandatory fields are enough to create an identity (no used name, no document…)."""
    answer = creations["minimal"]
    if not answer.get("created"):
        missing = ", ".join(answer.get("missing") or []) or "?"
        expect(
            "règle 5, aucun autre champ obligatoire / rule 5, no other mandatory field",
            [
                rule_finding(
                    "ins.rule5.optional",
                    "INS-REG-05B",
                    "the DUI refused an identity whose five mandatory fields were all filled",
                    stored=f"création refusée / creation refused, champs exigés / fields required: {missing} "
                    f"({answer.get('error')})",
                    expected="identité créée avec les seuls traits obligatoires / identity created with the "
                    "mandatory traits only",
                    location=f"{WHERE} → fields {', '.join(MANDATORY)}",
                )
            ],
        )
