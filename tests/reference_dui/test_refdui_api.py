"""The trigger API of the reference DUI: info, reset, endpoints, person creation, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from reference_dui import VERSION
from tests.reference_dui.refdui_stub import Api, DuiFactory, InsiStub, found

TRAITS = {"birth_name": "ADRUN", "first_names": ["ZOE"], "sex": "F", "birth_date": "1975-12-31", "birth_place": "63220"}


def test_info(make_dui: DuiFactory) -> None:
    dui, api = make_dui(defects=("no_ctxlps",))
    assert dui.base_url.endswith("/harness/v1") and dui.base_url.startswith("http://127.0.0.1:")
    info = api.call("GET", "/info").json()
    assert info["name"] == "DUI de référence dui-harness"
    assert (info["version"], info["editor"], info["defects"]) == (VERSION, "dui-harness", ["no_ctxlps"])
    assert info["build_id"]


def test_create_prov_and_vali_then_reset(api: Api) -> None:
    prov = api.create("ADRUN", ["ZOE"])
    vali = api.create("ADRUN", ["ZOE"], verified=True)
    unverified = api.create("ADRUN", ["ZOE"], verified=False)
    assert api.identity(prov) == {
        "person_id": prov,
        "local_id": None,
        "traits": {**TRAITS, "used_name": None, "used_first_name": None},
        "ins": None,
        "ins_history": [],
        "status": "PROV",
        "identity_document": None,
        "last_insi": None,
    }
    assert api.identity(vali)["status"] == "VALI"  # type: ignore[index]
    assert api.identity(unverified)["status"] == "PROV"  # type: ignore[index]
    listed = api.call("GET", "/persons").json()
    assert [p["person_id"] for p in listed] == [prov, vali, unverified]
    assert api.call("POST", "/reset").status_code == 204
    assert api.call("GET", "/persons").json() == []
    assert api.call("GET", f"/persons/{prov}/identity").status_code == 404


def test_document_check_gives_vali(api: Api) -> None:
    pid = api.create("ADRUN", ["ZOE"])
    assert api.document(pid, verified=False)["status"] == "PROV"
    after = api.document(pid)
    assert after["status"] == "VALI" and after["identity_document"] == {"type": "PASSEPORT", "verified": True}
    assert api.exchange(pid)["ins"] is None


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (b"{not json", "invalid JSON"),
        (b"", "JSON body is required"),
        (b"[1, 2]", "JSON object"),
        (b'{"traits": 3}', "traits must be a JSON object"),
        (b'{"identity_document": {"type": "CNI", "verified": true}}', "missing field: traits"),
        (b'{"traits": {"birth_name": "A", "first_names": ["B"], "sex": "F"}}', "birth_date"),
        (
            b'{"traits": {"birth_name": "A", "first_names": ["B"], "sex": "F", "birth_date": "1975-13-01"}}',
            "not a real date",
        ),
        (b'{"traits": {"birth_name": "A", "first_names": "B", "sex": "F", "birth_date": "1975-01-01"}}', "first_names"),
        (
            b'{"traits": {"birth_name": "A", "first_names": ["B"], "sex": "F", "birth_date": "1975-01-01"},'
            b' "identity_document": {"type": "CNI", "verified": "yes"}}',
            "verified must be a boolean",
        ),
        (
            b'{"traits": {"birth_name": "A", "first_names": ["B"], "sex": "F", "birth_date": "1975-01-01"},'
            b' "identity_document": {"type": "PERMIS", "verified": true}}',
            "type must be one of",
        ),
        (b"\xff\xfe", "invalid JSON"),
    ],
)
def test_bad_person_bodies_are_400_json(api: Api, body: bytes, needle: str) -> None:
    response = api.call("POST", "/persons", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert needle in response.json()["error"]
    assert "Traceback" not in response.text


def test_huge_body_is_413(api: Api) -> None:
    response = api.call(
        "POST", "/persons", data=b"{" + b" " * (1024 * 1024 + 10) + b"}", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413 and "error" in response.json()


def test_unknown_person_and_route_are_json_404(api: Api) -> None:
    for method, path in [
        ("GET", "/persons/nope/identity"),
        ("GET", "/persons/nope/exchange-identity"),
        ("POST", "/persons/nope/insi-lookup"),
        ("GET", "/nowhere"),
    ]:
        response = api.call(method, path)
        assert response.status_code == 404 and "error" in response.json(), (method, path)
    response = api.call("POST", "/persons/nope/identity-document", json={"type": "CNI", "verified": True})
    assert response.status_code == 404
    assert api.call("DELETE", "/persons").status_code == 405


def test_lookup_without_insi_configured(make_dui: DuiFactory) -> None:
    _, api = make_dui()
    pid = api.create("ADRUN", ["ZOE"])
    outcome = api.lookup(pid)
    assert (outcome["outcome"], outcome["calls"]) == ("error", 0)
    assert api.identity(pid)["status"] == "PROV"  # type: ignore[index]


def test_configure_endpoints(make_dui: DuiFactory, stub: InsiStub, tmp_path: Path) -> None:
    _, api = make_dui()
    assert api.call("PUT", "/config/endpoints", json={"insi": {"url": "ftp://x"}}).status_code == 400
    missing = {"insi": {"url": stub.url, "client_cert": str(tmp_path / "none.pem")}}
    assert api.call("PUT", "/config/endpoints", json=missing).status_code == 400
    both = {"insi": {"url": stub.url}, "dmp": {"url": "http://127.0.0.1:1"}}
    assert api.call("PUT", "/config/endpoints", json=both).status_code == 204
    stub.queue(found("2751263220749", "74", name="ADRUN", first_names=["ZOE"], sex="F", date="1975-12-31"))
    pid = api.create("ADRUN", ["ZOE"])
    assert api.lookup(pid)["outcome"] == "found"
    assert stub.requests[0].path == "/lps"


def test_sex_u_is_not_sent_to_insi(api: Api, stub: InsiStub) -> None:
    pid = api.create("ADRUN", ["ZOE"], sex="U")
    outcome = api.lookup(pid)
    assert (outcome["outcome"], outcome["calls"]) == ("error", 0) and not stub.requests


def test_stopped_dui_refuses_connections(make_dui: DuiFactory) -> None:
    dui, _ = make_dui()
    base = dui.base_url
    dui.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(base + "/info", timeout=2)
