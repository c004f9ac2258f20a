"""The trigger API contract (OpenAPI) is well formed, and the reference DUI honours it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
import requests
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from harness.core.recorder import Recorder
from harness.paths import openapi_path
from mocks.insi import InsiSimulator
from reference_dui import ReferenceDui, ReferenceDuiConfig

SPEC: dict[str, Any] = yaml.safe_load(openapi_path().read_text(encoding="utf-8"))
SPEC_URI = "urn:dui-harness:trigger-api"
REGISTRY = Registry().with_resource(SPEC_URI, Resource(contents=SPEC, specification=DRAFT202012))


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
        ref = ReferenceDui(ReferenceDuiConfig(insi_url=insi.url, client_cert=None, client_key=None,
                                              ca_cert=None)).start()
        try:
            yield ref.base_url
        finally:
            ref.stop()


def test_reference_dui_answers_follow_the_contract(dui: str) -> None:
    http = requests.Session()
    http.trust_env = False
    check(http.get(f"{dui}/info", timeout=5).json(), "DuiInfo")
    body = {"traits": {"birth_name": "ADRUN", "first_names": ["ZOE"], "sex": "F", "birth_date": "1975-12-31",
                       "birth_place": "63220"}, "identity_document": {"type": "CNI", "verified": True}}
    created = http.post(f"{dui}/persons", json=body, timeout=5)
    assert created.status_code == 201
    check(created.json(), "Identity")
    person = created.json()["person_id"]
    check(http.post(f"{dui}/persons/{person}/insi-lookup", timeout=10).json(), "LookupOutcome")
    identity = http.get(f"{dui}/persons/{person}/identity", timeout=5).json()
    check(identity, "Identity")
    assert identity["status"] == "QUAL"
    check(http.get(f"{dui}/persons/{person}/exchange-identity", timeout=5).json(), "ExchangeIdentity")
    check(http.post(f"{dui}/persons/{person}/identity-document", json={"type": "CNI", "verified": True},
                    timeout=5).json(), "Identity")
    for item in http.get(f"{dui}/persons", timeout=5).json():
        check(item, "Identity")
    bad = http.post(f"{dui}/persons", data=b"{not json", headers={"Content-Type": "application/json"}, timeout=5)
    assert bad.status_code == 400
    check(bad.json(), "Error")
    assert http.post(f"{dui}/reset", timeout=5).status_code == 204
