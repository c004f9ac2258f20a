"""The INS identity lifecycle of the reference DUI: rules 11, 12, 25, 26, 27, 30 and 48-55 of the INS guide."""

from __future__ import annotations

from typing import Any

import pytest

from tests.reference_dui.refdui_stub import OID_NIR, Api, DuiFactory, InsiStub, cr, found

ZOE = dict(name="ADRUN", first_names=["ZOE"], sex="F", date="1975-12-31", place="63220")
ADRUN = found("2751263220749", "74", **ZOE)  # type: ignore[arg-type]
ADRUN_INS = {"value": "275126322074974", "oid": OID_NIR}
TRAITS = {"birth_name": "ADRUN", "first_names": ["ZOE"], "sex": "F", "birth_date": "1975-12-31", "birth_place": "63220"}


def _qualified(api: Api, stub: InsiStub) -> str:
    stub.queue(ADRUN)
    pid = api.create("ADRUN", ["ZOE"], verified=True)
    api.lookup(pid)
    return pid


def _patch(api: Api, pid: str, changes: dict[str, Any], manager: bool = False) -> Any:
    return api.call("PATCH", f"/persons/{pid}/traits", json={"changes": changes, "identity_manager": manager})


def test_rule_11_lunar_birth_date_is_not_taken_back(api: Api, stub: InsiStub) -> None:
    # given INSi answering 00 with the birth date 1975-00-31 in TIQ
    stub.queue(found("2751263220749", "74", **{**ZOE, "date": "1975-00-31"}))  # type: ignore[arg-type]
    pid = api.create("ADRUN", ["ZOE"])
    # when the DUI searches the INS, then it keeps no INS and names rule 11
    outcome = api.lookup(pid)
    identity = api.identity(pid) or {}
    assert outcome["outcome"] == "error" and "règle 11" in outcome["message"]
    assert identity["ins"] is None and identity["status"] == "PROV"


def test_rule_6_first_name_not_returned_is_not_taken_back(api: Api, stub: InsiStub) -> None:
    # given INSi answering 00 with the birth first names MARIE for a person typed JEANNE
    stub.queue(found("2921075056964", "01", name="PRENOM", first_names=["MARIE"], sex="F", date="1992-10-10"))
    pid = api.create("PRENOM", ["Jeanne"], date="1992-10-10")
    # then the DUI keeps no INS and names rule 6
    assert "règle 6" in api.lookup(pid)["message"] and (api.identity(pid) or {})["ins"] is None


def test_rule_12_empty_birth_name_is_not_taken_back(api: Api, stub: InsiStub) -> None:
    stub.queue(found("2751263220749", "74", **{**ZOE, "name": ""}))  # type: ignore[arg-type]
    pid = api.create("ADRUN", ["ZOE"])
    outcome = api.lookup(pid)
    assert "règle 12" in outcome["message"] and (api.identity(pid) or {})["ins"] is None


def test_rule_26_strict_locked_complementary_editable(api: Api, stub: InsiStub) -> None:
    pid = _qualified(api, stub)
    # when an ordinary user changes the used name, then it is kept with the INS and QUAL
    edited = _patch(api, pid, {"used_name": "MARTIN"})
    assert edited.status_code == 200, edited.text
    assert edited.json()["traits"]["used_name"] == "MARTIN" and edited.json()["status"] == "QUAL"
    # when an ordinary user changes the birth name, then the DUI refuses (409) and nothing changes
    refused = _patch(api, pid, {"birth_name": "AUTRE"})
    assert refused.status_code == 409 and "règle 26" in refused.json()["error"]
    assert (api.identity(pid) or {})["traits"]["birth_name"] == "ADRUN"


def test_rule_27_manager_change_removes_ins_and_downgrades(api: Api, stub: InsiStub) -> None:
    pid = _qualified(api, stub)
    changed = _patch(api, pid, {"first_names": ["ZOE", "MARIE"]}, manager=True)
    assert changed.status_code == 200, changed.text
    assert changed.json()["ins"] is None and changed.json()["status"] == "VALI"


def test_rule_25_doubtful_blocks_insi_and_qualification(api: Api, stub: InsiStub) -> None:
    pid = api.create("ADRUN", ["ZOE"])
    marked = api.call("POST", f"/persons/{pid}/attributes", json={"doubtful": True})
    assert marked.status_code == 200 and marked.json()["attributes"] == {"doubtful": True, "fictitious": False}
    assert api.document(pid)["status"] == "PROV"
    outcome = api.lookup(pid)
    assert outcome["calls"] == 0 and "règle 25" in outcome["message"] and stub.requests == []


def test_received_qualified_is_verified_and_kept_recup(api: Api, stub: InsiStub) -> None:
    # given an identity received as QUAL from the DMP with the INS INSi confirms
    stub.queue(ADRUN)
    body = {"domain": "DMP", "traits": TRAITS, "ins": ADRUN_INS, "status": "QUAL", "data": {"title": "CR"}}
    answer = api.call("POST", "/received-identities", json=body).json()
    # then the DUI verified it (one INSi call), stored the INS, kept it RECUP (rule 30) and traced the call
    assert answer["verification"]["result"] == "OK" and len(stub.requests) == 1
    assert answer["identity"]["ins"] == ADRUN_INS and answer["identity"]["status"] == "RECUP"
    assert answer["data_integrated"] is True and answer["alert"] is None
    (call,) = api.call("GET", "/insi/trace").json()["calls"]
    assert call["operation"] == "verification" and call["cr"] == "00" and call["ins"] == ADRUN_INS


def test_received_ko_unknown_created_without_ins(api: Api, stub: InsiStub) -> None:
    stub.queue(cr("01"), cr("01"))
    body = {"domain": "MSS", "traits": TRAITS, "ins": ADRUN_INS, "status": "QUAL", "data": {"title": "CR"}}
    answer = api.call("POST", "/received-identities", json=body).json()
    assert answer["verification"]["result"] == "KO" and answer["outcome"] == "created"
    assert answer["identity"]["ins"] is None and answer["data_integrated"] is False
    assert "règle 55" in answer["alert"]


def test_verification_ko_downgrades_an_identity_of_the_dui(api: Api, stub: InsiStub) -> None:
    pid = _qualified(api, stub)
    stub.queue(found("2751263220750", "73", **ZOE))  # type: ignore[arg-type]
    answer = api.call("POST", f"/persons/{pid}/insi-verification").json()
    assert answer["verification"]["result"] == "KO"
    assert answer["identity"]["ins"] is None and answer["identity"]["status"] == "VALI"


def test_cpx_search_sends_an_assertion_ps_without_organisation_certificate(api: Api, stub: InsiStub) -> None:
    # given a CPx-mode search asked for professional 810000000001
    stub.queue(ADRUN)
    pid = api.create("ADRUN", ["ZOE"])
    answer = api.call(
        "POST", f"/persons/{pid}/insi-lookup", json={"authentication": "cpx", "professional": "810000000001"}
    )
    # then the request carries a wsse:Security AssertionPs naming the professional
    assert answer.status_code == 200 and answer.json()["outcome"] == "found"
    (request,) = stub.requests
    saml = "{urn:oasis:names:tc:SAML:2.0:assertion}"
    assert request.text(f".//{saml}Subject/{saml}NameID") == "810000000001"
    bad = api.call("POST", f"/persons/{pid}/insi-lookup", json={"authentication": "cpx"})
    assert bad.status_code == 400


def test_lifecycle_defects(make_dui: DuiFactory, stub: InsiStub) -> None:
    # given the switches of rules 27 and 30, then the DUI keeps what it must drop
    _, api = make_dui(insi_url=stub.url, defects=("keep_ins_after_strict_change", "trust_received_qualified"))
    pid = _qualified(api, stub)
    assert _patch(api, pid, {"first_names": ["ZOE", "MARIE"]}, manager=True).json()["status"] == "QUAL"
    stub.queue(found("2751263220749", "74", **{**ZOE, "first_names": ["LUCIE"]}))  # type: ignore[arg-type]
    body = {"domain": "DMP", "traits": {**TRAITS, "first_names": ["LUCIE"]}, "ins": ADRUN_INS, "status": "QUAL"}
    answer = api.call("POST", "/received-identities", json=body).json()
    assert answer["identity"]["status"] == "QUAL"


def observe(api: Api, stub: InsiStub) -> dict[str, Any]:
    """What the lifecycle defects bend, observed once per DUI."""
    seen: dict[str, Any] = {}
    stub.reset()
    stub.queue(found("1610575056123", "03", name="LUNE", first_names=["MARCEL"], sex="M", date="1961-00-00"))
    pid = api.create("LUNE", ["MARCEL"], sex="M", date="1961-05-12")
    api.lookup(pid)
    seen["rule11.ins"] = bool((api.identity(pid) or {})["ins"])
    stub.queue(found("2840375056231", "44", name="", first_names=["CLAIRE"], sex="F", date="1984-03-09"))
    pid = api.create("VIDE", ["CLAIRE"], date="1984-03-09")
    api.lookup(pid)
    seen["rule12.ins"] = bool((api.identity(pid) or {})["ins"])
    stub.queue(found("2921075056964", "01", name="PRENOM", first_names=["MARIE"], sex="F", date="1992-10-10"))
    pid = api.create("PRENOM", ["JEANNE"], date="1992-10-10")
    api.lookup(pid)
    seen["rule6.ins"] = bool((api.identity(pid) or {})["ins"])
    pid = api.create("D'ALEMBERT-ÉCLAIR", ["HÉLÈNE"], date="1966-08-15")
    search = api.call("GET", "/identity-search", params={"birth_date": "1966-08-15", "name": "dalemb"}).json()
    seen["rule17.found"] = pid in [p["person_id"] for p in search["persons"]]
    stub.reset()
    stub.queue(ADRUN)
    api.call(
        "POST",
        f"/persons/{api.create('ADRUN', ['ZOE'])}/insi-lookup",
        json={"authentication": "cpx", "professional": "810000000001"},
    )
    seen["cpx.name_id"] = stub.requests[-1].text(".//{urn:oasis:names:tc:SAML:2.0:assertion}NameID")
    stub.queue(ADRUN)
    card = {"nir": "2751263220749", "key": "74", "birth_name": "ADRUN", "birth_date": "1975-12-31", "birth_rank": "1"}
    api.call("POST", f"/persons/{api.create('ADRUN', ['ZOE'])}/insi-lookup", json={"card": card})
    seen["vitale.matricule"] = stub.requests[-1].text(".//{http://www.cnamts.fr/INSiRecVit}NumIdentifiant")
    seen["rule19.document"] = (api.identity(api.create("DOC", ["ANNE"], verified=True)) or {})["identity_document"]
    pid = api.create("DOUTE", ["ALICE"])
    api.call("POST", f"/persons/{pid}/attributes", json={"fictitious": True})
    seen["rule25.status"] = api.document(pid)["status"]
    pid = _qualified(api, stub)
    seen["rule26.used_name"] = _patch(api, pid, {"used_name": "MARTIN"}).status_code
    seen["rule26.birth_name"] = _patch(api, pid, {"birth_name": "AUTRE"}).status_code
    pid = _qualified(api, stub)
    seen["rule27.status"] = _patch(api, pid, {"sex": "M"}, manager=True).json()["status"]
    stub.reset()
    stub.queue(found("1550275056520", "46", name="RECU", first_names=["PAUL"], sex="M", date="1955-02-20"))
    recu = {"birth_name": "RECU", "first_names": ["PAUL"], "sex": "M", "birth_date": "1955-02-20"}
    body = {
        "domain": "DMP",
        "traits": recu,
        "ins": {"value": "155027505652046", "oid": OID_NIR},
        "status": "QUAL",
        "data": {"title": "CR"},
    }
    answer = api.call("POST", "/received-identities", json=body).json()
    seen["rule30.status"] = answer["identity"]["status"]
    seen["rule52.calls"] = len(stub.requests)
    stub.queue(cr("01"), cr("01"))
    other = {
        **body,
        "traits": {**recu, "birth_name": "TIERS"},
        "ins": {"value": "288067505663376", "oid": "1.2.250.1.213.1.4.10"},
    }
    seen["rule51.ins"] = bool(api.call("POST", "/received-identities", json=other).json()["identity"]["ins"])
    pid = _qualified(api, stub)
    stub.queue(cr("01"), cr("01"))
    seen["rule49.status"] = api.call("POST", f"/persons/{pid}/insi-verification").json()["identity"]["status"]
    seen["rule48.traced"] = len(api.call("GET", "/insi/trace").json()["calls"]) > 0
    return seen


#: lifecycle defect -> the observations it changes (tests/reference_dui/test_refdui_defects.py leaves them here)
LIFECYCLE_DEFECTS: dict[str, set[str]] = {
    "insi_lunar_date_stored": {"rule11.ins"},
    "insi_blank_tiq_stored": {"rule12.ins"},
    "qualify_doubtful": {"rule25.status"},
    "strict_traits_editable": {"rule26.birth_name"},
    "complementary_traits_locked": {"rule26.used_name"},
    "keep_ins_after_strict_change": {"rule27.status"},
    "trust_received_qualified": {"rule30.status"},
    "no_received_ins_verification": {"rule52.calls", "rule51.ins"},
    "keep_ins_after_failed_verification": {"rule49.status"},
    "integrate_after_failed_verification": {"rule51.ins"},
    "untraced_verification": {"rule48.traced"},
    "skip_first_name_consistency": {"rule6.ins"},
    "document_nature_not_recorded": {"rule19.document"},
    "anteriority_exact_text": {"rule17.found"},
    "cpx_anonymous_assertion": {"cpx.name_id"},
    "insi_vitale_ignored": {"vitale.matricule"},
}


@pytest.mark.parametrize("defect", sorted(LIFECYCLE_DEFECTS))
def test_lifecycle_defect_changes_exactly_its_behaviour(make_dui: DuiFactory, stub: InsiStub, defect: str) -> None:
    _, clean = make_dui(insi_url=stub.url)
    _, bent = make_dui(insi_url=stub.url, defects=(defect,))
    before, after = observe(clean, stub), observe(bent, stub)
    changed = {key for key in before if before[key] != after[key]}
    assert changed == LIFECYCLE_DEFECTS[defect], (before, after)
