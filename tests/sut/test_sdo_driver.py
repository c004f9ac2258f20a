"""The SdO driver part: HTTP (with `responses`), the suite's *not judged* rule, the attended instructions.

Exchanging with the SI-SdO concerns disability-sector ESMS: a DUI that answers 404/501 to
``POST /sdo/decisions/sync`` leaves the SDO requirements not judged, with the reason, never failed.
"""

from __future__ import annotations

from typing import Any

import pytest
import responses

from harness.suites.sdo.checks import NOT_DECLARED, dui_decisions
from harness.sut.attended import AttendedDriver
from harness.sut.http_trigger import HttpTriggerDriver, TriggerApiError
from harness.sut.parts.sdo import SdoDriver

BASE = "http://127.0.0.1:8800/harness/v1"
DECISION = {
    "id_nat_decision": "SDONAT0000001",
    "id_decision": "MDPH099-2026-000123",
    "document_reference": "decision-sdonat0000001",
    "document_sha256": "00",
}


@responses.activate
@pytest.mark.parametrize("status", [404, 501])
def test_no_sdo_exchange_is_none(status: int) -> None:
    responses.post(f"{BASE}/sdo/decisions/sync", json={"error": "no SdO"}, status=status)
    assert HttpTriggerDriver(BASE).sdo_sync_decisions() is None


@responses.activate
def test_every_operation_follows_the_contract() -> None:
    sent = {"sent": True, "http_status": 201, "resource_id": "c1", "message": None}
    responses.post(f"{BASE}/sdo/decisions/sync", json=[DECISION])
    responses.post(f"{BASE}/sdo/decisions/SDONAT0000001/consent", json=sent)
    responses.post(
        f"{BASE}/sdo/decisions/SDONAT0000001/evaluation",
        json={"id_nat_decision": "SDONAT0000001", "found": False, "document_reference": None},
    )
    responses.post(f"{BASE}/sdo/decisions/SDONAT0000001/status", json=sent)
    responses.post(
        f"{BASE}/sdo/notifications/sync",
        json=[{"task_id": "n1", "id_nat_decision": "SDONAT0000001", "id_nat_struct": "1990054321", "status": "48"}],
    )
    driver = HttpTriggerDriver(BASE)
    assert driver.sdo_sync_decisions() == [DECISION]
    assert driver.sdo_send_consent("SDONAT0000001", "2026-01-05")["sent"] is True
    assert driver.sdo_fetch_evaluation("SDONAT0000001")["found"] is False
    assert driver.sdo_send_status("SDONAT0000001", "48", "2026-01-05")["http_status"] == 201
    assert driver.sdo_sync_notifications()[0]["status"] == "48"
    assert responses.calls[1].request.body == b'{"date": "2026-01-05"}'
    assert responses.calls[3].request.body == b'{"status": "48", "date": "2026-01-05"}'


@responses.activate
def test_a_decision_without_its_document_digest_breaks_the_contract() -> None:
    responses.post(f"{BASE}/sdo/decisions/sync", json=[{"id_nat_decision": "X"}])
    with pytest.raises(TriggerApiError) as info:
        HttpTriggerDriver(BASE).sdo_sync_decisions()
    assert info.value.status is None  # a harness error, not a DUI failure


class _NoSdo:
    def sdo_sync_decisions(self) -> list[dict[str, Any]] | None:
        return None


def test_a_dui_without_sdo_leaves_the_requirements_not_judged() -> None:
    with pytest.raises(pytest.skip.Exception, match="requirement not judged"):
        dui_decisions(_NoSdo())  # type: ignore[arg-type]
    assert NOT_DECLARED.startswith("la DUI ne déclare pas d'échange avec le SI-SdO")


def test_attended_mode_offers_every_sdo_operation() -> None:
    abstract = {name for name in SdoDriver.__abstractmethods__}
    assert abstract == {
        "sdo_sync_decisions",
        "sdo_send_consent",
        "sdo_fetch_evaluation",
        "sdo_send_status",
        "sdo_sync_notifications",
    }
    assert not AttendedDriver.__abstractmethods__
    for name in abstract:
        assert getattr(AttendedDriver, name).__qualname__.startswith("AttendedSdo.")
