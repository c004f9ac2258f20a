"""The control API of the INSi simulator: faults, forced results, exchanges, state, reset."""

from __future__ import annotations

import time
from typing import Any

import requests

from harness.core.recorder import Recorder
from mocks.insi import IdentityBase, InsiSimulator
from mocks.insi.samples import build_request, read_answer

NEW_PERSON = {
    "id": "martin-essai",
    "origin": "synthetic",
    "traits": {
        "birth_name": "MARTIN-ESSAI",
        "first_names": ["LEA"],
        "sex": "F",
        "birth_date": "2001-02-03",
        "birth_place": "75056",
    },
    "ins": {"nir": "2010275056001", "key": "57", "oid": "1.2.250.1.213.1.4.10"},
}


def control(caller: Any, method: str, path: str, **kwargs: Any) -> Any:
    headers = {**kwargs.pop("headers", {}), **caller.sim.control_headers()}  # the run's control token
    response = caller.session.request(method, f"{caller.sim.url}/_harness{path}", timeout=10, headers=headers, **kwargs)
    return response


def test_http_status_fault_applies_once(caller: Any) -> None:
    created = control(caller, "POST", "/faults", json={"kind": "http_status", "params": {"status": 503}})
    assert created.status_code == 201
    assert control(caller, "GET", "/faults").json()["faults"][0]["kind"] == "http_status"
    response, exchange = caller.post(build_request())
    assert response.status_code == 503
    assert "indisponible" in response.text
    assert exchange.fault_injected == "http_status {'status': 503}"
    assert exchange.summary["fault"] == {"kind": "http", "status": 503, "message": response.text.strip()}
    response, exchange = caller.post(build_request())
    assert response.status_code == 200
    assert exchange.fault_injected is None


def test_force_result_02(caller: Any) -> None:
    control(
        caller,
        "POST",
        "/faults",
        json={"kind": "force_result", "params": {"cr": "02"}, "operation": "rechercherInsAvecTraitsIdentite"},
    )
    response, exchange = caller.post(build_request())
    assert read_answer(response.content)["cr"] == "02"
    assert exchange.tags["cr"] == "02"
    assert exchange.fault_injected == "force_result {'cr': '02'}"


def test_force_result_is_not_applied_to_a_rejected_request(caller: Any) -> None:
    caller.sim.faults.add("force_result", cr="01")
    response, exchange = caller.post(build_request(sex="X"))
    assert response.status_code == 400
    assert exchange.fault_injected == "force_result {'cr': '01'} (not applied: the request was rejected)"


def test_soap_fault(caller: Any) -> None:
    params = {"subcode": "siram_100", "code": "desir_550", "message": "Numéro d'autorisation du logiciel inconnu."}
    control(caller, "POST", "/faults", json={"kind": "soap_fault", "params": params})
    body = build_request(message_id="uuid:b3549edd-4ae9-472a-b26f-fd2fb4ef397f")
    response, exchange = caller.post(body)
    assert response.status_code == 400
    fault = read_answer(response.content)["fault"]
    assert fault == {
        "code": "soap:Sender",
        "subcode": "soap:siram_100",
        "reason": "Numéro d'autorisation du logiciel inconnu.",
        "erreur": "Numéro d'autorisation du logiciel inconnu.",
        "erreur_code": "desir_550",
        "severite": "erreur",
        "message_id": "uuid:b3549edd-4ae9-472a-b26f-fd2fb4ef397f",
    }
    assert exchange.summary["fault"]["code"] == "desir_550"


def test_receiver_soap_fault_is_500(caller: Any) -> None:
    caller.sim.faults.add("soap_fault", soap_code="Receiver", code="desir_999", message="En maintenance")
    response, _ = caller.post(build_request())
    assert response.status_code == 500
    assert read_answer(response.content)["fault"]["code"] == "soap:Receiver"


def test_delay(caller: Any) -> None:
    caller.sim.faults.add("delay", seconds=0.3)
    started = time.perf_counter()
    response, exchange = caller.post(build_request())
    assert time.perf_counter() - started >= 0.3
    assert response.status_code == 200
    assert exchange.fault_injected == "delay {'seconds': 0.3}"


def test_exchanges_listed(caller: Any) -> None:
    since = caller.sim.recorder.mark()
    caller.post(build_request())
    listed = control(caller, "GET", "/exchanges", params={"since": since}).json()
    assert [e["transaction"] for e in listed] == ["rechercherInsAvecTraitsIdentite"]
    assert listed[0]["summary"]["cr"] == "00"
    assert listed[0]["tags"]["birth_name"] == "ADRUN"
    raw = control(caller, "GET", f"/exchanges/{listed[0]['id']}/request")
    assert raw.content.startswith(b"POST /lps HTTP/1.1")
    assert b"RECSANSVITALE" in raw.content


def test_state_add_and_remove_persons_then_reset(caller: Any) -> None:
    query = build_request("MARTIN-ESSAI", ["LEA"], "F", "2001-02-03")
    assert read_answer(caller.post(query)[0].content)["cr"] == "01"
    change = {"add_persons": [NEW_PERSON], "remove_persons": ["adrun-zoe"]}
    state = control(caller, "PATCH", "/state", json=change)
    assert state.status_code == 200
    ids = [p["id"] for p in state.json()["identities"]["persons"]]
    assert "martin-essai" in ids and "adrun-zoe" not in ids
    assert read_answer(caller.post(query)[0].content)["ins"] == "201027505600157"
    assert read_answer(caller.post(build_request())[0].content)["cr"] == "01"
    control(caller, "POST", "/faults", json={"kind": "http_status", "times": None, "params": {"status": 503}})
    assert control(caller, "POST", "/reset").json() == {"reset": True}
    assert control(caller, "GET", "/faults").json()["faults"] == []
    assert read_answer(caller.post(query)[0].content)["cr"] == "01"
    assert read_answer(caller.post(build_request())[0].content)["cr"] == "00"


def test_bad_state_changes_are_400(caller: Any) -> None:
    assert control(caller, "PATCH", "/state", json={"remove_persons": ["nobody"]}).status_code == 400
    assert control(caller, "PATCH", "/state", json={"unknown": 1}).status_code == 400
    assert control(caller, "PATCH", "/state", json={"add_persons": [{"id": "x"}]}).status_code == 400
    assert control(caller, "POST", "/faults", json={"kind": "explode"}).status_code == 400


def test_unknown_idam_gets_the_real_desir_550() -> None:
    sim = InsiSimulator(Recorder(), identities=IdentityBase.load(), accepted_idam={"IDAM-OK"})
    with sim, requests.Session() as session:
        session.trust_env = False
        headers = {"Content-Type": "application/soap+xml"}
        refused = session.post(sim.endpoint, data=build_request(idam="IDAM-KO"), headers=headers, timeout=10)
        accepted = session.post(sim.endpoint, data=build_request(idam="IDAM-OK"), headers=headers, timeout=10)
    fault = read_answer(refused.content)["fault"]
    assert (fault["subcode"], fault["erreur_code"]) == ("soap:siram_100", "desir_550")
    assert fault["severite"] == "erreur"
    assert fault["erreur"] == "Numéro d'autorisation du logiciel inconnu."
    assert fault["reason"].startswith("L'accès par ce progiciel au service n'est pas autorisé.")
    assert read_answer(accepted.content)["cr"] == "00"


def test_command_line_reports_a_busy_port(insi_sim: InsiSimulator, capsys: Any) -> None:
    from mocks.insi.__main__ import main

    assert main(["--port", str(insi_sim.server.port)]) == 2
    assert "cannot listen" in capsys.readouterr().err


def test_tiq_overrides_change_what_insi_answers(caller: Any) -> None:
    # given a person whose TIQ is answered with 00 as birth month and an empty birth name (rules 11, 12)
    patch = {
        "add_persons": [NEW_PERSON],
        "tiq_overrides": {"martin-essai": {"birth_date": "2001-00-03", "birth_name": ""}},
    }
    assert control(caller, "PATCH", "/state", json=patch).status_code in (200, 204)
    # when the DUI searches her with her real traits, then INSi finds her and answers the overridden TIQ
    response, exchange = caller.post(build_request("MARTIN-ESSAI", ("LEA",), "F", "2001-02-03"))
    answer = read_answer(response.content)
    assert answer["cr"] == "00" and answer["ins"] == "201027505600157"
    assert exchange.summary["tiq"]["birth_date"] == "2001-00-03" and exchange.summary["tiq"]["birth_name"] == ""
    # when the override is dropped (null), then her own traits come back
    control(caller, "PATCH", "/state", json={"tiq_overrides": {"martin-essai": None}})
    response, _ = caller.post(build_request("MARTIN-ESSAI", ("LEA",), "F", "2001-02-03"))
    assert read_answer(response.content)["tiq"]["DateNaissance"] == "2001-02-03"


def test_tiq_overrides_reject_unknown_traits(caller: Any) -> None:
    bad = control(caller, "PATCH", "/state", json={"tiq_overrides": {"x": {"nir": "1"}}})
    assert bad.status_code == 400 and "tiq_overrides" in bad.text
