"""Each defect switch changes exactly its own behaviour of the reference DUI.

One fixed scenario (seven persons against the plain-HTTP INSi stub, then one call to the mutual
TLS stub after ``PUT /config/endpoints``) is observed on the clean DUI, whose
observations must equal :data:`CLEAN`; then with each defect, whose observations must differ
from :data:`CLEAN` on exactly the keys listed in :data:`CHANGES`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reference_dui import DEFECTS
from tests.reference_dui.refdui_stub import OID_NIA, OID_NIR, Api, DuiFactory, InsiStub, cr, fault_550, found
from tests.reference_dui.test_refdui_identity_rules import IDENTITY_RULE_DEFECTS
from tests.reference_dui.test_refdui_lifecycle import LIFECYCLE_DEFECTS

ECETINSI: dict[str, Any] = dict(
    name="ECETINSI", first_names=["PIERRE-ALAIN", "MURIEL"], sex="M", date="2009-07-14", place="63220"
)

#: what the clean DUI does in the scenario (the conformant behaviour)
CLEAN: dict[str, Any] = {
    "request.ctxlps": ("CTXLPS", "01_00", "DUIREF-TEST-0001", "4", True),
    "request.ctxbam": ("01_02", True),
    "request.message_id": True,
    "request.date": "1975-12-31",
    "request.content_type": "application/soap+xml",
    "request.client_cn": "INSI-AUTO",
    "typed.traits": ("ADRUN", ["ZOE"]),
    "typed.ins": ("275126322074974", OID_NIR),
    "typed.status": "RECUP",
    "recup.exchange_ins": None,
    "qual.exchange_ins": ("275126322074974", OID_NIR),
    "retry.prenoms": [["PIERRE-ALAIN"], ["MURIEL"], ["PIERRE-ALAIN MURIEL"]],
    "retry.outcome": ("found", 3),
    "retry.ins": ("109076322083489", OID_NIR),
    "histo.ins": ("109076322083489", OID_NIR),
    "histo.history": ["209076322083439", "209066322012355"],
    "nia.ins": ("109076322088835", OID_NIA),
    "badkey.ins": None,
    "badkey.outcome": "error",
    "doc.status_created": "VALI",
    "doc.status_after_01": "VALI",
    "doc.ins_after_01": None,
    "fault.person": ("VALI", "adrun", None),
}

#: defect -> the observations it must change (and no other)
CHANGES: dict[str, set[str]] = {
    "wrong_ins_key": {
        "typed.ins",
        "qual.exchange_ins",
        "retry.ins",
        "histo.ins",
        "nia.ins",
        "badkey.ins",
        "badkey.outcome",
    },
    "no_ctxlps": {"request.ctxlps"},
    "bad_lps_nom": {"request.ctxlps"},
    "no_ctxbam": {"request.ctxbam", "request.message_id"},
    "qualify_without_insi": {"doc.status_created", "doc.status_after_01", "fault.person"},
    "first_name_only": {"retry.prenoms", "retry.outcome", "retry.ins"},
    "share_unqualified_ins": {"recup.exchange_ins"},
    "store_histo_ins": {"histo.ins"},
    "nia_as_nir": {"nia.ins"},
    "lose_person_on_insi_error": {"fault.person"},
    "keep_typed_traits": {"typed.traits"},
    "bad_date_format": {"request.date"},
    "wrong_cert_cn": {"request.client_cn"},
    "insi_soap11_content_type": {"request.content_type"},
    "ins_test_oid": {"typed.ins", "qual.exchange_ins", "retry.ins", "histo.ins"},
    "insi_stale_answer": {"doc.ins_after_01"},
    "share_ins_c_oid": {"qual.exchange_ins"},
}


def _ins(identity: dict[str, Any] | None) -> tuple[str, str] | None:
    ins = identity and identity.get("ins")
    return (ins["value"], ins["oid"]) if ins else None


def observe(api: Api, stub: InsiStub, tls_stub: InsiStub, tls_endpoints: dict[str, Any]) -> dict[str, Any]:
    """Run the scenario and return what a tester would see."""
    seen: dict[str, Any] = {}
    stub.reset()
    stub.queue(
        found("2751263220749", "74", name="ADRUN", first_names=["ZOE"], sex="F", date="1975-12-31", place="63220")
    )
    typed = api.create("Adrun", ["Zoe"])
    api.lookup(typed)
    request = stub.requests[0]
    lps = request.find("soap:Header/ctxlps:ContexteLPS")
    seen["request.ctxlps"] = (
        None
        if lps is None
        else (
            lps.get("Nature"),
            lps.get("Version"),
            request.text(".//ctxlps:IDAM"),
            request.find(".//ctxlps:IDAM").get("R"),
            (request.text(".//ctxlps:Nom") or "").startswith("urn:lps:DUI-REFERENCE:"),
        )
    )
    bam = request.find("soap:Header/ctxbam:ContexteBAM")
    seen["request.ctxbam"] = (
        None if bam is None else (bam.get("Version"), request.find(".//ctxbam:COUVERTURE") is not None)
    )
    seen["request.message_id"] = (request.text("soap:Header/wsa:MessageID") or "").startswith("uuid:")
    seen["request.date"] = request.text(".//rec:DateNaissance")
    seen["request.content_type"] = stub.requests[0].headers.get("content-type", "").split(";")[0]
    identity = api.identity(typed) or {}
    seen["typed.traits"] = (identity["traits"]["birth_name"], identity["traits"]["first_names"])
    seen["typed.ins"] = _ins(identity)
    seen["typed.status"] = identity["status"]
    seen["recup.exchange_ins"] = _ins(api.exchange(typed))
    api.document(typed)
    seen["qual.exchange_ins"] = _ins(api.exchange(typed))

    stub.reset()
    stub.queue(cr("01"), cr("02", "Plusieurs identites trouvees"), found("1090763220834", "89", **ECETINSI))
    retry = api.create("ECETINSI", ["PIERRE-ALAIN", "MURIEL"], sex="M", date="2009-07-14")
    outcome = api.lookup(retry)
    seen["retry.prenoms"] = [r.prenoms for r in stub.requests]
    seen["retry.outcome"] = (outcome["outcome"], outcome["calls"])
    seen["retry.ins"] = _ins(api.identity(retry))

    stub.reset()
    stub.queue(found("1090763220834", "89", history=(("2090763220834", "39"), ("2090663220123", "55")), **ECETINSI))
    histo = api.create("ECETINSI", ["PIERRE-ALAIN", "MURIEL"], sex="M", date="2009-07-14")
    api.lookup(histo)
    identity = api.identity(histo) or {}
    seen["histo.ins"] = _ins(identity)
    seen["histo.history"] = [h["value"] for h in identity["ins_history"]]

    stub.reset()
    stub.queue(
        found(
            "1090763220888", "35", oid=OID_NIA, name="PROVISOIRE", first_names=["MATRICULE"], sex="M", date="2009-07-01"
        )
    )
    nia = api.create("PROVISOIRE", ["MATRICULE"], sex="M", date="2009-07-01")
    api.lookup(nia)
    seen["nia.ins"] = _ins(api.identity(nia))

    stub.reset()
    stub.queue(found("1810363220456", "60", name="HERMANN", first_names=["JEAN"], sex="M", date="1981-03-01"))
    badkey = api.create("HERMANN", ["JEAN"], sex="M", date="1981-03-01")
    seen["badkey.outcome"] = api.lookup(badkey)["outcome"]
    seen["badkey.ins"] = _ins(api.identity(badkey))

    stub.reset()
    doc = api.create("ADRUN", ["ZOE"], verified=True)
    seen["doc.status_created"] = (api.identity(doc) or {})["status"]
    stub.queue(cr("01"))
    api.lookup(doc)
    seen["doc.status_after_01"] = (api.identity(doc) or {})["status"]
    seen["doc.ins_after_01"] = _ins(api.identity(doc))

    stub.reset()
    stub.queue(fault_550())
    lost = api.create("adrun", ["zoe"], verified=True)
    api.lookup(lost)
    lost_identity = api.identity(lost)
    seen["fault.person"] = (
        None
        if lost_identity is None
        else (lost_identity["status"], lost_identity["traits"]["birth_name"], lost_identity["ins"])
    )

    assert api.call("PUT", "/config/endpoints", json=tls_endpoints).status_code == 204
    tls_stub.reset()
    api.lookup(api.create("ADRUN", ["ZOE"]))
    subject = tls_stub.requests[0].client_subject or ""
    parts = dict(part.split("=", 1) for part in subject.split(",") if "=" in part)
    seen["request.client_cn"] = parts.get("CN")
    return seen


@pytest.fixture
def scenario(make_dui: DuiFactory, stub: InsiStub, tls_stub: InsiStub, tls_config: dict[str, Path]) -> Any:
    endpoints = {
        "insi": {
            "url": tls_stub.url,
            "client_cert": str(tls_config["client_cert"]),
            "client_key": str(tls_config["client_key"]),
            "ca": str(tls_config["ca_cert"]),
        }
    }

    def run(*defects: str) -> dict[str, Any]:
        _, api = make_dui(insi_url=stub.url, defects=defects, pki_dir=tls_config["pki_dir"])
        return observe(api, stub, tls_stub, endpoints)

    return run


#: defects of the other services (named with their service prefix) are observed by their own feature
#: tests under tests/reference_dui/<service>/; this INS scenario covers the others, every one of them
SERVICE_PREFIXES = ("psc_", "tddui_", "epresc_", "mss_", "dmp_", "cda_", "hl7_", "sdo_")
#: the INS lifecycle defects (rules 11-55 of the INS guide) are observed by test_refdui_lifecycle.py
INS_DEFECTS = sorted(
    d
    for d in DEFECTS
    if not d.startswith(SERVICE_PREFIXES) and d not in LIFECYCLE_DEFECTS and d not in IDENTITY_RULE_DEFECTS
)


def test_every_defect_is_covered() -> None:
    assert set(CHANGES) == set(INS_DEFECTS)
    assert all(keys <= CLEAN.keys() for keys in CHANGES.values())


def test_clean_dui_is_conformant(scenario: Any) -> None:
    assert scenario() == CLEAN


@pytest.mark.parametrize("defect", INS_DEFECTS)
def test_defect_changes_exactly_its_behaviour(scenario: Any, defect: str) -> None:
    seen = scenario(defect)
    changed = {key for key in CLEAN if seen[key] != CLEAN[key]}
    assert changed == CHANGES[defect], {key: (CLEAN[key], seen[key]) for key in changed ^ CHANGES[defect]}
