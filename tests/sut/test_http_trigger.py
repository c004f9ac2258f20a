"""The HTTP trigger driver: contract errors, unreachable DUI (our own HTTP client, with `responses`)."""

from __future__ import annotations

import pytest
import requests
import responses

from harness.core.ins import Traits
from harness.errors import SutUnreachable
from harness.sut.driver import IdentityDocument
from harness.sut.http_trigger import HttpTriggerDriver, TriggerApiError

BASE = "http://127.0.0.1:8800/harness/v1"
TRAITS = Traits("ADRUN", ("ZOE",), "F", "1975-12-31", "63220")


@responses.activate
def test_create_person_sends_the_contract_body() -> None:
    traits = {
        "birth_name": "ADRUN",
        "first_names": ["ZOE"],
        "sex": "F",
        "birth_date": "1975-12-31",
        "birth_place": "63220",
    }
    responses.post(f"{BASE}/persons", json={"person_id": "p1", "status": "VALI", "traits": traits}, status=201)
    created = HttpTriggerDriver(BASE).create_person(TRAITS, IdentityDocument())
    assert created["person_id"] == "p1"
    body = responses.calls[0].request.body
    assert isinstance(body, bytes)
    assert b'"first_names": ["ZOE"]' in body and b'"verified": true' in body


@responses.activate
def test_error_status_is_the_dui_refusing_the_operation() -> None:
    responses.get(f"{BASE}/persons/p1/identity", json={"error": "boom"}, status=500)
    with pytest.raises(TriggerApiError, match="HTTP 500") as info:
        HttpTriggerDriver(BASE).identity("p1")
    # what the DUI did (a fail of the test's requirements), never an AssertionError
    assert info.value.refused and info.value.status == 500
    assert not isinstance(info.value, AssertionError) and "THE DUI REFUSED" in str(info.value)


@responses.activate
def test_body_that_is_not_json_is_a_contract_breach() -> None:
    responses.get(f"{BASE}/info", body="<html>", status=200)
    with pytest.raises(TriggerApiError, match="not JSON") as info:
        HttpTriggerDriver(BASE).info()
    # the harness cannot drive the DUI: an error, not a verdict on the DUI
    assert not info.value.refused and "TRIGGER API CONTRACT" in str(info.value)


@responses.activate
def test_connection_error_means_unreachable_not_nonconformant() -> None:
    responses.get(f"{BASE}/info", body=requests.ConnectionError("refused"))
    with pytest.raises(SutUnreachable) as info:
        HttpTriggerDriver(BASE).info()
    assert not isinstance(info.value, AssertionError)
    assert "DUI INJOIGNABLE" in str(info.value)


@responses.activate
def test_create_person_without_person_id_breaks_the_contract() -> None:
    responses.post(f"{BASE}/persons", json={"status": "PROV"}, status=201)
    with pytest.raises(TriggerApiError, match="person_id"):
        HttpTriggerDriver(BASE).create_person(TRAITS)


@responses.activate
def test_endpoint_configuration_is_optional() -> None:
    responses.put(f"{BASE}/config/endpoints", status=501)
    assert HttpTriggerDriver(BASE).configure_endpoints({"insi": {"url": "https://127.0.0.1:1/"}}) is False


@responses.activate
def test_answers_are_checked_against_the_openapi_contract() -> None:
    # the shapes come from trigger-api.yaml (the single source), with the place and the rule broken
    responses.get(f"{BASE}/psc/session", json={"logged_in": "yes"}, status=200)
    with pytest.raises(TriggerApiError, match=r"getPscSession .* at \.logged_in: 'yes' is not of type 'boolean'"):
        HttpTriggerDriver(BASE).psc_session()
    responses.get(f"{BASE}/persons/p1/dmp/documents", json=[{"document_id": 3}], status=200)
    with pytest.raises(TriggerApiError, match="listDmpDocuments"):
        HttpTriggerDriver(BASE).dmp_documents("p1")
    responses.post(f"{BASE}/mss/fetch", body=b"", status=200)
    with pytest.raises(TriggerApiError, match="not the JSON object of the contract"):
        HttpTriggerDriver(BASE).mss_fetch()
