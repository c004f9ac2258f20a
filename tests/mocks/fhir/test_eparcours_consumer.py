"""The e-parcours TDDUI consumer: a conformant flux 1 is created, a faulty one refused whole."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mocks.fhir import EparcoursSimulator
from tests.mocks.fhir.fhir_support import INS, Fhir, outcome_issue
from tests.mocks.fhir.fhir_support import tddui_bundle as bundle


@pytest.fixture
def consumer(eparcours_sim: EparcoursSimulator, http: Any) -> Fhir:
    eparcours_sim.reset()
    return Fhir(eparcours_sim, http)


def test_conformant_bundle_is_created_and_answered_with_a_transaction_response(consumer: Fhir) -> None:
    since = consumer.sim.recorder.mark()
    response = consumer.post("/", bundle())
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["type"] == "transaction-response"
    assert [e["response"]["status"] for e in answer["entry"]] == ["201 Created"] * 6
    assert all(e["resource"]["id"] and e["resource"]["meta"]["versionId"] == "1" for e in answer["entry"])
    exchange = consumer.sim.recorder.exchanges(since=since)[-1]
    assert exchange.transaction == "transaction" and not exchange.findings
    assert exchange.summary["patient"]["ins"] == INS["value"] and exchange.tags["birth_name"] == "BERNARD-ESSAI"
    assert len(consumer.sim.created(exchange)) == 6  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("defect", "requirement"),
    [
        ("tddui_batch_bundle", "EPARCOURS-FLUX-01"),
        ("tddui_ins_wrong_system", "EPARCOURS-PAT-01"),
        ("tddui_no_master_identifier", "EPARCOURS-DOC-01"),
        ("tddui_attachment_url", "EPARCOURS-DOC-02"),
    ],
)
def test_non_conformant_bundle_is_refused_whole(consumer: Fhir, defect: str, requirement: str) -> None:
    since = consumer.sim.recorder.mark()
    response = consumer.post("/", bundle(**{defect: True}))
    assert response.status_code == 422
    outcome = response.json()
    assert any(requirement in i["diagnostics"] for i in outcome["issue"])
    assert consumer.sim.store.count() == 0  # nothing created
    exchange = consumer.sim.recorder.exchanges(since=since)[-1]
    assert requirement in {f.requirement for f in exchange.findings}
    assert all(f.evidence == (exchange.id,) for f in exchange.findings)


def test_cda_inside_the_document_reference_is_validated(consumer: Fhir) -> None:
    # given a bundle whose EXPORT_DUI CDA lost its recordTarget birth time
    body = bundle()
    document = body["entry"][-1]["resource"]
    import base64

    cda = base64.b64decode(document["content"][0]["attachment"]["data"])
    cda = cda.replace(b"<birthTime", b"<birthTimeX").replace(b"birthTime>", b"birthTimeX>")
    document["content"][0]["attachment"]["data"] = base64.b64encode(cda).decode()
    response = consumer.post("/", body)
    # then the consumer refuses it on EPARCOURS-DOC-04, citing the CDA rule
    assert response.status_code == 422
    texts = " ".join(i["diagnostics"] for i in response.json()["issue"])
    assert "EPARCOURS-DOC-04" in texts and "CDA" in texts


def test_injected_refusal_answers_an_outcome_and_stores_nothing(consumer: Fhir) -> None:
    consumer.sim.faults.add("reject", "bundle", 1, status=409, code="conflict", diagnostics="dossier verrouillé")
    response = consumer.post("/", copy.deepcopy(bundle()))
    assert response.status_code == 409
    issue = outcome_issue(response)
    assert issue["code"] == "conflict" and issue["diagnostics"] == "dossier verrouillé"
    assert consumer.sim.store.count() == 0
    assert consumer.post("/", bundle()).status_code == 200
