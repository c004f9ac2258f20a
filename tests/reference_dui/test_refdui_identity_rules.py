"""Rules 5 and 16 of the INS guide and the PSC-backed INSi search (SC.INS/PSC.01) in the reference DUI."""

from __future__ import annotations

from typing import Any

import pytest

from reference_dui import ReferenceDui
from tests.reference_dui.refdui_stub import Api, DuiFactory, InsiStub

FULL = {"birth_name": "FORM", "first_names": ["ANNE"], "sex": "F", "birth_date": "1980-04-01", "birth_place": "99999"}
TOKEN = "psc-access-token-of-the-test"


def _create(api: Api, fields: dict[str, Any]) -> Any:
    return api.call("POST", "/identity-creations", json={"fields": fields})


def _log_in(dui: ReferenceDui, professional: str = "899900000011") -> None:
    """Open a PSC session as the PSC feature would after a login (the flow itself: tests/reference_dui/psc)."""
    feature = next(f for f in dui.service.features if f.name == "psc")
    feature._session = {"professional": {"id_nat": professional}, "since": "2026-01-01T00:00:00+00:00"}  # type: ignore[attr-defined]
    feature._tokens = {"access_token": TOKEN}  # type: ignore[attr-defined]


@pytest.mark.parametrize("omitted", ["birth_name", "first_names", "birth_date", "sex", "birth_place"])
def test_rule_5_creation_refused_without_a_mandatory_trait(api: Api, omitted: str) -> None:
    # given the creation form without one mandatory trait, then the DUI refuses it (422) naming the field
    answer = _create(api, {k: v for k, v in FULL.items() if k != omitted})
    assert answer.status_code == 422 and answer.json()["missing"] == [omitted]
    assert "règle 5" in answer.json()["error"]
    assert api.call("GET", "/persons").json() == []


def test_rule_5_no_other_field_mandatory(api: Api) -> None:
    answer = _create(api, FULL)
    assert answer.status_code == 201, answer.text
    assert answer.json()["traits"]["birth_place"] == "99999" and answer.json()["status"] == "PROV"


def test_rule_16_accesses_and_changes_are_traced(api: Api) -> None:
    pid = _create(api, FULL).json()["person_id"]
    api.identity(pid)
    changed = api.call("PATCH", f"/persons/{pid}/traits", json={"changes": {"birth_name": "FORME"}})
    assert changed.status_code == 200
    entries = api.call("GET", f"/persons/{pid}/identity-audit").json()["entries"]
    actions = [e["action"] for e in entries]
    assert actions[0] == "creation" and "access" in actions and "modification" in actions
    change = next(e for e in entries if e["action"] == "modification")
    assert "birth_name" in change["detail"] and change["professional"] and "T" in change["at"]


def test_psc_backed_search_sends_the_token_and_journals_the_professional(make_dui: DuiFactory, stub: InsiStub) -> None:
    dui, api = make_dui(insi_url=stub.url)
    refused = api.call("POST", f"/persons/{api.create('PSC', ['ANNE'])}/insi-lookup", json={"authentication": "psc"})
    assert refused.status_code == 400 and "Pro Santé Connect" in refused.json()["error"]
    _log_in(dui)
    pid = api.create("PSC", ["ANNE"])
    assert api.call("POST", f"/persons/{pid}/insi-lookup", json={"authentication": "psc"}).status_code == 200
    assert stub.requests and all(r.headers.get("authorization") == f"Bearer {TOKEN}" for r in stub.requests)
    calls = api.call("GET", "/insi/trace").json()["calls"]
    assert calls[-1]["authentication"] == "psc" and calls[-1]["professional"] == "899900000011"


def observe(make_dui: DuiFactory, stub: InsiStub, defects: tuple[str, ...]) -> dict[str, Any]:
    dui, api = make_dui(insi_url=stub.url, defects=defects)
    seen: dict[str, Any] = {}
    seen["rule5.birth_place"] = _create(api, {k: v for k, v in FULL.items() if k != "birth_place"}).status_code
    seen["rule5.optional"] = _create(api, FULL).status_code
    pid = api.create("TRACE", ["ANNE"])
    api.call("PATCH", f"/persons/{pid}/traits", json={"changes": {"used_name": "X"}})
    entries = api.call("GET", f"/persons/{pid}/identity-audit").json()["entries"]
    seen["rule16.modification"] = any(e["action"] == "modification" for e in entries)
    _log_in(dui)
    stub.reset()
    api.call("POST", f"/persons/{pid}/insi-lookup", json={"authentication": "psc"})
    seen["psc.bearer"] = stub.requests[-1].headers.get("authorization")
    return seen


#: identity-rule defect -> the observations it changes (tests/reference_dui/test_refdui_defects.py leaves them here)
IDENTITY_RULE_DEFECTS: dict[str, set[str]] = {
    "creation_without_birth_place": {"rule5.birth_place"},
    "creation_requires_used_name": {"rule5.optional"},
    "identity_changes_untraced": {"rule16.modification"},
    "insi_psc_token_missing": {"psc.bearer"},
}


@pytest.mark.parametrize("defect", sorted(IDENTITY_RULE_DEFECTS))
def test_identity_rule_defect_changes_exactly_its_behaviour(make_dui: DuiFactory, stub: InsiStub, defect: str) -> None:
    before, after = observe(make_dui, stub, ()), observe(make_dui, stub, (defect,))
    changed = {key for key in before if before[key] != after[key]}
    assert changed == IDENTITY_RULE_DEFECTS[defect], (before, after)
