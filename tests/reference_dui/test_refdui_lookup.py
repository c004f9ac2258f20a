"""INSi lookups of the clean reference DUI against the stub: strategy, storage, statuses, errors."""

from __future__ import annotations

from reference_dui.insi_client import ACTION
from tests.reference_dui.refdui_stub import (
    NS,
    OID_NIA,
    OID_NIR,
    Api,
    DuiFactory,
    InsiStub,
    Reply,
    cr,
    fault_550,
    found,
)

ADRUN = found("2751263220749", "74", name="ADRUN", first_names=["ZOE"], sex="F", date="1975-12-31", place="63220")
ECETINSI = dict(
    name="ECETINSI", first_names=["PIERRE-ALAIN", "MURIEL", "FLORIANT"], sex="M", date="2009-07-14", place="63220"
)


def test_found_stores_ins_tiq_and_recup(api: Api, stub: InsiStub) -> None:
    stub.queue(ADRUN)
    pid = api.create("Adrun", ["Zoé"], place=None)
    outcome = api.lookup(pid)
    assert (outcome["outcome"], outcome["cr"], outcome["calls"]) == ("found", "00", 1)
    identity = api.identity(pid)
    assert identity is not None
    assert identity["ins"] == {"value": "275126322074974", "oid": OID_NIR}
    assert identity["traits"]["birth_name"] == "ADRUN" and identity["traits"]["first_names"] == ["ZOE"]
    assert identity["traits"]["birth_place"] == "63220"
    assert identity["status"] == "RECUP" and identity["last_insi"] == outcome
    assert api.exchange(pid)["ins"] is None  # [EXI SI 08] RECUP: not exchanged
    assert api.document(pid)["status"] == "QUAL"
    exchange = api.exchange(pid)
    assert exchange["ins"] == {"value": "275126322074974", "oid": OID_NIR} and exchange["status"] == "QUAL"


def test_request_on_the_wire(api: Api, stub: InsiStub) -> None:
    stub.queue(ADRUN)
    api.lookup(api.create("ADRUN", ["ZOE"]))
    (request,) = stub.requests
    assert request.headers["content-type"] == f'application/soap+xml; charset=utf-8; action="{ACTION}"'
    assert request.text("soap:Header/wsa:Action") == ACTION
    assert (request.text("soap:Header/wsa:MessageID") or "").startswith("uuid:")
    assert request.find("soap:Header/ctxbam:ContexteBAM").get("Version") == "01_02"
    assert request.find("soap:Header/ctxlps:ContexteLPS/ctxlps:LPS/ctxlps:IDAM").get("R") == "4"
    nom = request.text("soap:Header/ctxlps:ContexteLPS/ctxlps:LPS/ctxlps:Nom") or ""
    assert nom.startswith("urn:lps:DUI-REFERENCE:")
    assert request.text(".//rec:DateNaissance") == "1975-12-31"
    assert request.text(".//rec:LieuNaissance") == "63220"


def test_verified_document_then_found_is_qual(api: Api, stub: InsiStub) -> None:
    stub.queue(ADRUN)
    pid = api.create("ADRUN", ["ZOE"], verified=True)
    api.lookup(pid)
    assert api.identity(pid)["status"] == "QUAL"  # type: ignore[index]


def test_01_then_00_retries_with_the_next_first_name(api: Api, stub: InsiStub) -> None:
    stub.queue(cr("01"), found("1090763220834", "89", **ECETINSI))  # type: ignore[arg-type]
    pid = api.create("ECETINSI", ["PIERRE-ALAIN", "MURIEL", "FLORIANT"], sex="M", date="2009-07-14")
    outcome = api.lookup(pid)
    assert (outcome["outcome"], outcome["calls"]) == ("found", 2)
    assert [r.prenoms for r in stub.requests] == [["PIERRE-ALAIN"], ["MURIEL"]]


def test_02_then_00_with_the_full_list(api: Api, stub: InsiStub) -> None:
    ambiguous = cr("02", "Plusieurs identites trouvees")
    stub.queue(ambiguous, ambiguous, ambiguous, found("1090763220834", "89", **ECETINSI))  # type: ignore[arg-type]
    pid = api.create("ECETINSI", ["PIERRE-ALAIN", "MURIEL", "FLORIANT"], sex="M", date="2009-07-14")
    outcome = api.lookup(pid)
    assert (outcome["outcome"], outcome["calls"]) == ("found", 4)
    assert [r.prenoms for r in stub.requests] == [
        ["PIERRE-ALAIN"],
        ["MURIEL"],
        ["FLORIANT"],
        ["PIERRE-ALAIN MURIEL FLORIANT"],
    ]


def test_01_everywhere_keeps_prov_without_ins(api: Api, stub: InsiStub) -> None:
    pid = api.create("HOUILLES", ["PIERRE", "PAUL", "JACQUES"], sex="M")
    outcome = api.lookup(pid)
    assert (outcome["outcome"], outcome["cr"], outcome["calls"]) == ("not_found", "01", 4)
    identity = api.identity(pid)
    assert identity is not None and identity["ins"] is None and identity["status"] == "PROV"
    stub.reset()
    stub.default = cr("02", "Plusieurs identites trouvees")
    try:
        vali = api.create("HOUILLES", ["PIERRE"], sex="M", verified=True)
        assert api.lookup(vali)["outcome"] == "ambiguous"
        assert api.identity(vali)["status"] == "VALI"  # type: ignore[index]
    finally:
        stub.default = cr("01")


def test_inshisto_is_history_only(api: Api, stub: InsiStub) -> None:
    stub.queue(found("1090763220834", "89", history=(("2090763220834", "39"), ("2090663220123", "55")), **ECETINSI))  # type: ignore[arg-type]
    pid = api.create("ECETINSI", ["PIERRE-ALAIN"], sex="M", date="2009-07-14")
    api.lookup(pid)
    identity = api.identity(pid)
    assert identity is not None
    assert identity["ins"] == {"value": "109076322083489", "oid": OID_NIR}
    assert identity["ins_history"] == [
        {"value": "209076322083439", "oid": OID_NIR},
        {"value": "209066322012355", "oid": OID_NIR},
    ]
    assert identity["traits"]["first_names"] == ["PIERRE-ALAIN", "MURIEL", "FLORIANT"]


def test_nia_keeps_its_oid(api: Api, stub: InsiStub) -> None:
    stub.queue(
        found(
            "1090763220888",
            "35",
            oid=OID_NIA,
            name="PROVISOIRE",
            first_names=["MATRICULE"],
            sex="M",
            date="2009-07-01",
            place="63220",
        )
    )
    pid = api.create("PROVISOIRE", ["MATRICULE"], sex="M", date="2009-07-01")
    api.lookup(pid)
    assert api.identity(pid)["ins"] == {"value": "109076322088835", "oid": OID_NIA}  # type: ignore[index]


def test_bad_key_is_refused(api: Api, stub: InsiStub) -> None:
    stub.queue(found("1810363220456", "60", name="HERMANN", first_names=["JEAN"], sex="M", date="1981-03-01"))
    pid = api.create("hermann", ["jean"], sex="M", date="1981-03-01", verified=True)
    outcome = api.lookup(pid)
    assert (outcome["outcome"], outcome["cr"]) == ("error", "00")
    assert "clé" in outcome["message"]
    identity = api.identity(pid)
    assert identity is not None and identity["ins"] is None and identity["status"] == "VALI"
    assert identity["traits"]["birth_name"] == "hermann"


def test_ins_c_oid_is_refused(api: Api, stub: InsiStub) -> None:
    stub.queue(
        found(
            "2751263220749",
            "74",
            oid="1.2.250.1.213.1.4.2",
            name="ADRUN",
            first_names=["ZOE"],
            sex="F",
            date="1975-12-31",
        )
    )
    pid = api.create("ADRUN", ["ZOE"])
    assert api.lookup(pid)["outcome"] == "error"
    assert api.identity(pid)["ins"] is None  # type: ignore[index]


def _assert_untouched(api: Api, pid: str, status: str) -> None:
    identity = api.identity(pid)
    assert identity is not None, "the person was lost"
    assert identity["ins"] is None and identity["status"] == status
    assert identity["traits"]["birth_name"] == "adrun"
    assert identity["traits"]["first_names"] == ["zoe", "marie"]


def test_soap_fault_keeps_everything(api: Api, stub: InsiStub) -> None:
    stub.queue(fault_550())
    pid = api.create("adrun", ["zoe", "marie"])
    outcome = api.lookup(pid)
    assert (outcome["outcome"], outcome["calls"]) == ("error", 1)
    assert "siram_100" in outcome["message"] and "desir_550" in outcome["message"]
    _assert_untouched(api, pid, "PROV")
    assert api.identity(pid)["last_insi"] == outcome  # type: ignore[index]


def test_503_mid_strategy_keeps_everything(api: Api, stub: InsiStub) -> None:
    stub.queue(cr("01"), Reply(503, b"Service Unavailable", "text/plain"))
    pid = api.create("adrun", ["zoe", "marie"], verified=True)
    outcome = api.lookup(pid)
    assert (outcome["outcome"], outcome["calls"]) == ("error", 2) and "503" in outcome["message"]
    _assert_untouched(api, pid, "VALI")


def test_timeout_keeps_everything(make_dui: DuiFactory, stub: InsiStub) -> None:
    _, api = make_dui(insi_url=stub.url, timeout=0.2)
    stub.queue(Reply(200, ADRUN.body, delay=0.5))
    pid = api.create("adrun", ["zoe", "marie"])
    outcome = api.lookup(pid)
    assert outcome["outcome"] == "error" and "0.2 s" in outcome["message"]
    _assert_untouched(api, pid, "PROV")


def test_unreachable_insi(make_dui: DuiFactory) -> None:
    _, api = make_dui(insi_url="http://127.0.0.1:9")
    pid = api.create("adrun", ["zoe", "marie"])
    outcome = api.lookup(pid)
    assert outcome["outcome"] == "error" and "injoignable" in outcome["message"]
    _assert_untouched(api, pid, "PROV")


def test_unexpected_cr_and_garbage_are_errors(api: Api, stub: InsiStub) -> None:
    stub.queue(cr("99", "Inconnu"), Reply(200, b"<html>oops</html>", "text/html"))
    pid = api.create("adrun", ["zoe", "marie"])
    assert api.lookup(pid)["cr"] == "99"
    assert "SOAP" in api.lookup(pid)["message"]
    _assert_untouched(api, pid, "PROV")


def test_requests_are_namespaced_soap12(api: Api, stub: InsiStub) -> None:
    stub.queue(ADRUN)
    api.lookup(api.create("ADRUN", ["ZOE"]))
    root = stub.requests[0].xml
    assert root.tag == f"{{{NS['soap']}}}Envelope"
    assert root.find("soap:Body/rec:RECSANSVITALE", NS) is not None
