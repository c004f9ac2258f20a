"""The SI-SdO simulator on a real loopback server: the IG's flux 1 to 5, what it judges, what it refuses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from harness.core.recorder import Exchange, Recorder
from mocks.sdo import SdoSimulator
from mocks.sdo.base import DECISIONS, ESMS_ID
from mocks.sdo.judge import judge_document_search, judge_task_search

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "sdo"
FHIR_JSON = {"Content-Type": "application/fhir+json"}
D1 = DECISIONS[0]


@pytest.fixture(scope="module")
def _sim() -> Iterator[SdoSimulator]:
    sim = SdoSimulator(Recorder()).start()
    yield sim
    sim.stop()


@pytest.fixture
def sim(_sim: SdoSimulator) -> SdoSimulator:
    _sim.reset()
    return _sim


def _since(days: float = 1) -> str:
    return "gt" + (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")


def _last(sim: SdoSimulator) -> Exchange:
    return sim.recorder.exchanges(service="SDO")[-1]


def _consent(value: str = D1.id_nat_decision) -> dict[str, Any]:
    consent: dict[str, Any] = json.loads((FIXTURES / "consent.json").read_text(encoding="utf-8"))
    consent.pop("id")
    consent["provision"]["data"][0]["reference"]["identifier"]["value"] = value
    return consent


def test_flux_1_ids_then_each_decision(sim: SdoSimulator) -> None:
    found = requests.get(
        f"{sim.url}/DocumentReference", params={"type": "57830-2", "_lastUpdated": _since(30), "_elements": "id"}
    ).json()
    assert found["type"] == "searchset"
    ids = [e["resource"]["id"] for e in found["entry"]]
    assert ids == [d.resource_id for d in DECISIONS]
    assert all(set(e["resource"]) == {"resourceType", "id", "meta"} for e in found["entry"])
    assert _last(sim).tags["flux"] == "1.1" and not _last(sim).findings
    decision = requests.get(f"{sim.url}/DocumentReference/{ids[0]}").json()
    assert [i["value"] for i in decision["identifier"]] == [D1.id_decision, D1.id_nat_decision]
    assert (_last(sim).tags["flux"], _last(sim).tags["decision"]) == ("1.3", D1.id_nat_decision)


def test_flux_3_evaluation_only_after_the_accord(sim: SdoSimulator) -> None:
    query = {"identifier": D1.id_nat_decision, "type": "51848-0"}
    assert requests.get(f"{sim.url}/DocumentReference", params=query).json()["total"] == 0
    created = requests.post(f"{sim.url}/Consent", data=json.dumps(_consent()), headers=FHIR_JSON)
    assert created.status_code == 201
    assert (_last(sim).tags["flux"], _last(sim).tags["decision"]) == ("2", D1.id_nat_decision)
    found = requests.get(f"{sim.url}/DocumentReference", params=query).json()
    assert [e["resource"]["id"] for e in found["entry"]] == [D1.evaluation_id]
    assert _last(sim).tags["flux"] == "3.1" and not _last(sim).findings
    assert sim.state()["consented"] == [D1.id_nat_decision]


def test_a_non_conforming_or_unknown_accord_is_refused_with_an_operation_outcome(sim: SdoSimulator) -> None:
    bad = json.loads((FIXTURES / "consent-non-passant.json").read_text(encoding="utf-8"))
    refused = requests.post(f"{sim.url}/Consent", data=json.dumps(bad), headers=FHIR_JSON)
    assert refused.status_code == 422 and refused.json()["resourceType"] == "OperationOutcome"
    assert {f.rule for f in _last(sim).findings} >= {"sdo.consent.scope", "sdo.consent.decision"}
    unknown = requests.post(f"{sim.url}/Consent", data=json.dumps(_consent("NOPE")), headers=FHIR_JSON)
    assert unknown.status_code == 422
    assert [f.rule for f in _last(sim).findings] == ["sdo.consent.decision.unknown"]
    assert sim.state()["consented"] == []


def test_flux_4_task_is_judged_by_esms_task(sim: SdoSimulator) -> None:
    task = json.loads((FIXTURES / "task.json").read_text(encoding="utf-8"))
    task.pop("id")
    for item in task["input"]:
        if item["type"]["coding"][0]["code"] == "idNat_Decision":
            item["valueIdentifier"]["value"] = D1.id_nat_decision
    assert requests.post(f"{sim.url}/Task", data=json.dumps(task), headers=FHIR_JSON).status_code == 201
    assert _last(sim).tags == {"interaction": "create", "flux": "4", "decision": D1.id_nat_decision}
    task["status"] = "in-progress"
    assert requests.post(f"{sim.url}/Task", data=json.dumps(task), headers=FHIR_JSON).status_code == 422
    assert [f.rule for f in _last(sim).findings] == ["sdo.task.status"]


def test_flux_5_returns_only_the_sdo_notifications(sim: SdoSimulator) -> None:
    found = requests.get(f"{sim.url}/Task", params={"_lastUpdated": _since()}).json()
    assert [e["resource"]["id"] for e in found["entry"]] == ["notification-1", "notification-2"]
    assert _last(sim).tags["flux"] == "5.1" and not _last(sim).findings
    later = requests.get(f"{sim.url}/Task", params={"_lastUpdated": "gt" + datetime.now(UTC).isoformat()}).json()
    assert later["total"] == 0


def test_an_unescaped_plus_and_a_missing_parameter_are_findings(sim: SdoSimulator) -> None:
    raw = _since().replace("+", "%2B").replace("%2B", "+")
    requests.get(f"{sim.url}/Task?_lastUpdated={raw}")
    assert [f.rule for f in _last(sim).findings] == ["sdo.flux5.lastupdated"]
    assert "%2B" in _last(sim).findings[0].message
    requests.get(f"{sim.url}/DocumentReference", params={"type": "57830-2", "_lastUpdated": _since()})
    assert [f.rule for f in _last(sim).findings] == ["sdo.flux1.elements"]


def test_unknown_search_parameters_and_interactions_are_refused(sim: SdoSimulator) -> None:
    answer = requests.get(f"{sim.url}/DocumentReference", params={"patient": "x"})
    assert answer.status_code == 400 and answer.json()["resourceType"] == "OperationOutcome"
    assert requests.delete(f"{sim.url}/DocumentReference/{D1.resource_id}").status_code == 405
    assert requests.get(f"{sim.url}/Patient").status_code == 404


def test_the_endpoint_entry_names_the_esms(sim: SdoSimulator) -> None:
    assert sim.endpoint_details()["struct_idnat"] == ESMS_ID


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("gt2026-01-01T10:00:00+01:00", True),
        ("gt2026-01-01", False),
        ("ge2026-01-01T10:00:00+01:00", False),
        ("gt2026-01-01T10:00:00 01:00", False),
        ("gt2025-11-01T10:00:00+01:00", False),
        ("gt2026-01-03T10:00:00+01:00", False),
    ],
)
def test_the_window_is_j30_to_now(value: str, ok: bool) -> None:
    now = datetime(2026, 1, 2, 12, 0, tzinfo=UTC)
    assert (judge_task_search([("_lastUpdated", value)], now) == []) is ok


def test_evaluation_search_names_a_known_decision() -> None:
    known = {D1.id_nat_decision}
    assert judge_document_search([("identifier", D1.id_nat_decision), ("type", "51848-0")], known) == []
    (finding,) = judge_document_search([("identifier", D1.id_decision), ("type", "51848-0")], known)
    assert (finding.rule, finding.requirement) == ("sdo.flux3.identifier", "SDO-EVA-01")
