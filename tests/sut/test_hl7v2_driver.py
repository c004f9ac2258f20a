"""The HL7 v2 driver part: HTTP (with `responses`), attended answers, and the suite's *not judged* rule.

Exchanging HL7 v2 is optional for a DUI: one that answers 404/501 to ``GET /hl7v2/endpoint``
leaves the HL7 v2 requirements not judged, with the reason, never failed.
"""

from __future__ import annotations

from typing import Any

import pytest
import responses

from harness.suites.hl7v2.checks import NOT_DECLARED, dui_endpoint
from harness.sut.attended_hl7v2 import identities_typed
from harness.sut.http_trigger import HttpTriggerDriver, TriggerApiError

BASE = "http://127.0.0.1:8800/harness/v1"


@responses.activate
@pytest.mark.parametrize("status", [404, 501])
def test_no_hl7v2_endpoint_is_none(status: int) -> None:
    responses.get(f"{BASE}/hl7v2/endpoint", json={"error": "no HL7 v2"}, status=status)
    assert HttpTriggerDriver(BASE).hl7v2_endpoint() is None


@responses.activate
def test_endpoint_and_emission_follow_the_contract() -> None:
    responses.get(f"{BASE}/hl7v2/endpoint", json={"host": "127.0.0.1", "port": 2575, "tls": False})
    responses.post(f"{BASE}/persons/p1/hl7v2/adt", json={"event": "A28", "control_id": "X1", "ack_code": "AA"})
    driver = HttpTriggerDriver(BASE)
    assert driver.hl7v2_endpoint() == {"host": "127.0.0.1", "port": 2575, "tls": False}
    assert driver.hl7v2_emit("p1", "A28")["ack_code"] == "AA"
    assert responses.calls[1].request.body == b'{"event": "A28"}'


@responses.activate
def test_an_endpoint_without_port_breaks_the_contract() -> None:
    responses.get(f"{BASE}/hl7v2/endpoint", json={"host": "127.0.0.1"})
    with pytest.raises(TriggerApiError) as info:
        HttpTriggerDriver(BASE).hl7v2_endpoint()
    assert info.value.status is None  # a harness error, not a DUI failure


class _NoHl7v2:
    def hl7v2_endpoint(self) -> dict[str, Any] | None:
        return None


def test_a_dui_without_hl7v2_leaves_the_requirements_not_judged() -> None:
    with pytest.raises(pytest.skip.Exception, match="requirement not judged"):
        dui_endpoint(_NoHl7v2())  # type: ignore[arg-type]
    assert NOT_DECLARED.startswith("la DUI ne déclare pas d'échange HL7 v2")


def test_attended_identities_are_read_from_one_line() -> None:
    typed = identities_typed(
        "SIH-1; PROV; -; PAT-TROIS; DOMINIQUE MARIE-LOUISE; F; 1979-03-28; 51215 | SIH-2; QUAL; "
        "279035121518989; X; Y; F; 1980-01-01; 75056"
    )
    assert [(i["local_ids"], i["status"], bool(i["ins"])) for i in typed] == [
        (["SIH-1"], "PROV", False),
        (["SIH-2"], "QUAL", True),
    ]
    assert typed[0]["traits"]["first_names"] == ["DOMINIQUE", "MARIE-LOUISE"]
