"""The trigger API contract (OpenAPI) is well formed, and the reference DUI honours it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
import requests
import yaml
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from harness.core.recorder import Recorder
from harness.paths import openapi_path
from mocks.insi import InsiSimulator
from reference_dui import ReferenceDui, ReferenceDuiConfig

SPEC: dict[str, Any] = yaml.safe_load(openapi_path().read_text(encoding="utf-8"))
SPEC_URI = "urn:dui-harness:trigger-api"
REGISTRY = Registry().with_resource(SPEC_URI, DRAFT202012.create_resource(SPEC))


def schema(name: str) -> dict[str, Any]:
    return {"$ref": f"{SPEC_URI}#/components/schemas/{name}"}


def check(instance: Any, name: str) -> None:
    jsonschema.Draft202012Validator(schema(name), registry=REGISTRY).validate(instance)


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_contract_is_well_formed() -> None:
    assert SPEC["openapi"].startswith("3.1")
    operation_ids = [op["operationId"] for path in SPEC["paths"].values() for op in path.values()]
    assert len(operation_ids) == len(set(operation_ids))
    for ref in _refs(SPEC):
        target: Any = SPEC
        for part in ref.removeprefix("#/").split("/"):
            assert part in target, f"unresolved $ref {ref}"
            target = target[part]
    for definition in SPEC["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(definition)


@pytest.fixture(scope="module")
def dui() -> Iterator[str]:
    with InsiSimulator(Recorder()) as insi:
        ref = ReferenceDui(
            ReferenceDuiConfig(insi_url=insi.url, client_cert=None, client_key=None, ca_cert=None)
        ).start()
        try:
            yield ref.base_url
        finally:
            ref.stop()


def test_reference_dui_answers_follow_the_contract(dui: str) -> None:
    http = requests.Session()
    http.trust_env = False
    check(http.get(f"{dui}/info", timeout=5).json(), "DuiInfo")
    body = {
        "traits": {
            "birth_name": "ADRUN",
            "first_names": ["ZOE"],
            "sex": "F",
            "birth_date": "1975-12-31",
            "birth_place": "63220",
        },
        "identity_document": {"type": "CNI", "verified": True},
    }
    created = http.post(f"{dui}/persons", json=body, timeout=5)
    assert created.status_code == 201
    check(created.json(), "Identity")
    person = created.json()["person_id"]
    check(http.post(f"{dui}/persons/{person}/insi-lookup", timeout=10).json(), "LookupOutcome")
    identity = http.get(f"{dui}/persons/{person}/identity", timeout=5).json()
    check(identity, "Identity")
    assert identity["status"] == "QUAL"
    check(http.get(f"{dui}/persons/{person}/exchange-identity", timeout=5).json(), "ExchangeIdentity")
    check(
        http.post(
            f"{dui}/persons/{person}/identity-document", json={"type": "CNI", "verified": True}, timeout=5
        ).json(),
        "Identity",
    )
    for item in http.get(f"{dui}/persons", timeout=5).json():
        check(item, "Identity")
    bad = http.post(f"{dui}/persons", data=b"{not json", headers={"Content-Type": "application/json"}, timeout=5)
    assert bad.status_code == 400
    check(bad.json(), "Error")
    assert http.post(f"{dui}/reset", timeout=5).status_code == 204


def test_reference_dui_indicators_follow_the_contract(dui: str) -> None:
    # given a person created and qualified through the trigger API
    http = requests.Session()
    http.trust_env = False
    body = {
        "traits": {
            "birth_name": "ADRUN",
            "first_names": ["ZOE"],
            "sex": "F",
            "birth_date": "1975-12-31",
            "birth_place": "63220",
        },
        "identity_document": {"type": "CNI", "verified": True},
    }
    person = http.post(f"{dui}/persons", json=body, timeout=5).json()["person_id"]
    http.post(f"{dui}/persons/{person}/insi-lookup", timeout=10)
    # when the harness reads the optional indicators
    figures = http.get(f"{dui}/indicators", timeout=5).json()
    # then they follow the schema, count that person, and give no figure the DUI does not have
    check(figures, "Indicators")
    assert figures["people_supported"] >= 1 and figures["records_updated"] >= 1
    assert figures["identities_qualified"] >= 1
    assert "people_with_personalised_project" not in figures and "agenda_updates" not in figures


def test_reference_dui_psc_answers_follow_the_contract() -> None:
    # given the reference DUI pointed at a Pro Santé Connect simulator (entry as the harness pushes it)
    from mocks.psc import PscSimulator

    with PscSimulator(Recorder()) as psc:
        assert isinstance(psc, PscSimulator)
        endpoints = {"psc": {"url": psc.url, **psc.endpoint_details()}}
        check(endpoints, "Endpoints")
        ref = ReferenceDui(ReferenceDuiConfig()).start()
        try:
            http = requests.Session()
            http.trust_env = False
            assert http.put(f"{ref.base_url}/config/endpoints", json=endpoints, timeout=5).status_code == 204
            # when it logs in (then with a bad token), then every answer follows the PSC schemas
            body = {"professional": "899900000011"}
            check(body, "PscLoginRequest")
            logged = http.post(f"{ref.base_url}/psc/login", json=body, timeout=10).json()
            check(logged, "PscLoginOutcome")
            assert logged["outcome"] == "logged_in"
            check(http.get(f"{ref.base_url}/psc/session", timeout=5).json(), "PscSession")
            psc.faults.add("expired")
            refused = http.post(f"{ref.base_url}/psc/login", json=body, timeout=10).json()
            check(refused, "PscLoginOutcome")
            assert refused["outcome"] == "refused"
            assert http.delete(f"{ref.base_url}/psc/session", timeout=5).status_code == 204
            check(http.get(f"{ref.base_url}/psc/session", timeout=5).json(), "PscSession")
            bad = http.post(f"{ref.base_url}/psc/login", json={}, timeout=5)
            assert bad.status_code == 400
            check(bad.json(), "Error")
            # and the other PSC operations (issue 16 item 5) follow theirs
            check(http.get(f"{ref.base_url}/psc/capabilities", timeout=5).json(), "PscCapabilities")
            account = {"login": "c.martin", "professional": "899900000011"}
            check(account, "PscLocalAccountRequest")
            check(http.post(f"{ref.base_url}/psc/local-accounts", json=account, timeout=5).json(), "PscAccount")
            native = {"professional": "899900000011", "mode": "native"}
            check(native, "PscLoginRequest")
            logged = http.post(f"{ref.base_url}/psc/login", json=native, timeout=10).json()
            check(logged, "PscLoginOutcome")
            assert logged["outcome"] == "logged_in" and logged["account"] == "local-1"
            check(http.post(f"{ref.base_url}/psc/session/refresh", timeout=10).json(), "PscRefreshOutcome")
            local = http.post(f"{ref.base_url}/psc/local-login", json={"login": "c.martin"}, timeout=5).json()
            check(local, "PscAccount")
        finally:
            ref.stop()


def test_reference_dui_fhir_answers_follow_the_contract() -> None:
    # given the reference DUI pointed at the e-parcours and e-prescription simulators, a qualified person
    from mocks.fhir import EparcoursSimulator, EprescSimulator

    with EparcoursSimulator(Recorder()) as eparcours, EprescSimulator(Recorder()) as epresc:
        endpoints = {"eparcours": {"url": eparcours.url}, "epresc": {"url": epresc.url}}
        check(endpoints, "Endpoints")
        with InsiSimulator(Recorder()) as insi:
            ref = ReferenceDui(ReferenceDuiConfig(insi_url=insi.url)).start()
            try:
                http = requests.Session()
                http.trust_env = False
                base = ref.base_url
                assert http.put(f"{base}/config/endpoints", json=endpoints, timeout=5).status_code == 204
                traits = {
                    "birth_name": "BERNARD-ESSAI",
                    "first_names": ["ANDRE"],
                    "sex": "M",
                    "birth_date": "1952-07-30",
                    "birth_place": "33063",
                }
                person = http.post(
                    f"{base}/persons",
                    json={"traits": traits, "identity_document": {"type": "CNI", "verified": True}},
                    timeout=5,
                ).json()["person_id"]
                http.post(f"{base}/persons/{person}/insi-lookup", timeout=10)
                # when it exports, retrieves and administers, then every answer follows its schema
                record = {
                    "stay": {"id": "S1", "start": "2026-01-05"},
                    "project": {"id": "P1", "title": "Projet", "start": "2026-02-01"},
                }
                check(record, "DuiRecord")
                exported = http.post(f"{base}/persons/{person}/eparcours/exports", json=record, timeout=10).json()
                check(exported, "ExportOutcome")
                assert exported["outcome"] == "accepted"
                for item in http.get(f"{base}/persons/{person}/eparcours/exports", timeout=5).json():
                    check(item, "EparcoursExport")
                outcome = http.post(
                    f"{base}/persons/{person}/prescriptions", json={"prescription_id": "EP-TEST-0001"}, timeout=10
                ).json()
                check(outcome, "PrescriptionOutcome")
                assert outcome["outcome"] == "integrated"
                for item in http.get(f"{base}/persons/{person}/prescriptions", timeout=5).json():
                    check(item, "Prescription")
                body = {
                    "prescription_id": "EP-TEST-0001",
                    "line_id": outcome["lines"][0]["line_id"],
                    "administered_at": "2026-01-06T08:00:00+01:00",
                }
                check(body, "NewAdministration")
                administered = http.post(f"{base}/persons/{person}/administrations", json=body, timeout=10)
                assert administered.status_code == 201
                check(administered.json(), "Administration")
                for item in http.get(f"{base}/persons/{person}/administrations", timeout=5).json():
                    check(item, "Administration")
            finally:
                ref.stop()


def test_reference_dui_mss_answers_follow_the_contract() -> None:
    # given the reference DUI pointed at INSi and at the MSSanté simulator (clear text: no PKI needed)
    from harness.suites.mss.documents import MssPerson, cda_for
    from harness.suites.mss.messages import document_message
    from mocks.mssante import MssSimulator

    with InsiSimulator(Recorder()) as insi, MssSimulator(Recorder()) as mss:
        assert isinstance(mss, MssSimulator)
        endpoints = {"insi": {"url": insi.url}, "mssante": {"url": mss.url, **mss.endpoint_details()}}
        check(endpoints, "Endpoints")
        ref = ReferenceDui(ReferenceDuiConfig()).start()
        try:
            http = requests.Session()
            http.trust_env = False
            base = ref.base_url
            assert http.put(f"{base}/config/endpoints", json=endpoints, timeout=5).status_code == 204
            traits = {
                "birth_name": "ADRUN",
                "first_names": ["ZOE"],
                "sex": "F",
                "birth_date": "1975-12-31",
                "birth_place": "63220",
            }
            person = http.post(
                f"{base}/persons",
                json={"traits": traits, "identity_document": {"type": "CNI", "verified": True}},
                timeout=5,
            ).json()["person_id"]
            http.post(f"{base}/persons/{person}/insi-lookup", timeout=10)
            # when it sends (to a professional, then invisibly to the patient), fetches and lists
            body = {
                "recipient": {"kind": "professional", "address": "jean.medecin-essai@chu-essai.mssante.fr"},
                "acknowledgement": True,
            }
            check(body, "MssSendRequest")
            sent = http.post(f"{base}/persons/{person}/mss/messages", json=body, timeout=10).json()
            check(sent, "MssSendOutcome")
            assert sent["status"] == "sent"
            hidden = http.post(
                f"{base}/persons/{person}/mss/messages",
                json={"recipient": {"kind": "patient"}, "visible_to_patient": False},
                timeout=10,
            ).json()
            check(hidden, "MssSendOutcome")
            assert hidden["status"] == "not_sent"
            zoe = MssPerson("adrun-zoe", traits=_traits(traits), ins="275126322074974", oid="1.2.250.1.213.1.4.8")
            harness = mss.directory.with_role("harness").address
            built = document_message(
                harness, mss.directory.with_role("dui").address, [cda_for("vsm", zoe)], acknowledgement=True
            )
            mss.deliver(built.raw, sender=harness, recipient=mss.directory.with_role("dui").address)
            fetched = http.post(f"{base}/mss/fetch", timeout=10).json()
            check(fetched, "MssFetchOutcome")
            assert [m["outcome"] for m in fetched["messages"]] == ["integrated"]
            for item in http.get(f"{base}/persons/{person}/mss/documents", timeout=5).json():
                check(item, "MssDocument")
            acks = http.get(f"{base}/mss/acknowledgements", timeout=5).json()
            assert acks
            for item in acks:
                check(item, "MssAcknowledgement")
            bad = http.post(f"{base}/persons/{person}/mss/messages", json={"recipient": "x"}, timeout=5)
            assert bad.status_code == 400
            check(bad.json(), "Error")
        finally:
            ref.stop()


def _traits(data: dict[str, Any]) -> Any:
    from harness.core.ins import Traits

    return Traits(data["birth_name"], tuple(data["first_names"]), data["sex"], data["birth_date"], data["birth_place"])
