"""``check_answer``: each answer checked against the contract with its references inlined once, the same
judgement as resolving them (``harness.sut.contract``)."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from harness.sut.contract import TriggerApiError, _inline, _registry, check_answer, operation_ids, response_schema

TRAITS: dict[str, Any] = {
    "birth_name": "ADRUN",
    "first_names": ["ZOE"],
    "sex": "F",
    "birth_date": "1975-12-31",
    "birth_place": "63220",
    "used_name": None,
    "used_first_name": None,
}
#: a valid answer of getIdentity (synthetic person, INS of the test range)
IDENTITY: dict[str, Any] = {
    "person_id": "cf1a12e8-1093-41ea-aa44-e575941fe33d",
    "local_id": None,
    "traits": TRAITS,
    "ins": {"value": "275126322074974", "oid": "1.2.250.1.213.1.4.8"},
    "ins_history": [],
    "status": "QUAL",
    "identity_document": {"type": "CNI", "verified": True},
}


def test_every_answer_schema_inlines() -> None:
    # every operation's answer schema has only local, non-recursive references: none falls back to resolving
    schemas = [s for op in sorted(operation_ids()) if (s := response_schema(op, 200)) is not None]
    assert schemas
    for schema in schemas:
        assert "$ref" not in repr(_inline(schema))


@pytest.mark.parametrize(
    "body",
    [
        IDENTITY,
        {**IDENTITY, "ins": {"value": 275126322074974, "oid": "1.2.250.1.213.1.4.8"}},
        {**IDENTITY, "status": 3},
        {k: v for k, v in IDENTITY.items() if k != "traits"},
        {**IDENTITY, "traits": {**TRAITS, "birth_date": None}},
        [],
    ],
)
def test_inlined_schema_judges_like_the_contract(body: Any) -> None:
    # given an answer of getIdentity, valid or broken
    schema = response_schema("getIdentity", 200)
    assert schema is not None
    by_reference = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(schema, registry=_registry()).iter_errors(body)
    )
    # then check_answer says what the contract resolved by reference says: nothing, or the same first violation
    if by_reference is None:
        check_answer("getIdentity", 200, body)
        return
    with pytest.raises(TriggerApiError) as raised:
        check_answer("getIdentity", 200, body)
    assert by_reference.message in str(raised.value)
    assert not raised.value.refused
