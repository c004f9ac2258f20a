"""The request pipeline every HTTP simulator runs (mocks.common.pipeline): method, body, operation,
faults, answer, record — shown on a tiny service that supplies only its hooks."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
import requests
from starlette.routing import BaseRoute, Route

from harness.core.findings import Finding, Severity
from harness.core.recorder import Exchange, HttpMessage, Recorder
from mocks.common.faults import Fault
from mocks.common.pipeline import Answer, Call
from mocks.common.recording import ListenerRecording
from mocks.common.simulator import Simulator


class UpperSimulator(Simulator):
    """POST /upper: answers the body in capitals; the operation is the first word of the body."""

    service = "UPPER"
    fault_kinds = ("lower",)

    def routes(self) -> list[BaseRoute]:
        return [Route("/upper", self.handler(), methods=["GET", "POST"])]

    async def prepare(self, call: Call) -> Answer | None:
        if not call.body:
            return Answer(400, b"empty", findings=[Finding("upper.empty", "UP-01", "empty body", Severity.ERROR)])
        call.operation = call.body.split()[0].decode()
        return None

    async def apply_fault(self, call: Call, fault: Fault) -> Answer | None:
        return Answer(200, call.body.lower()) if fault.kind == "lower" else None

    async def respond(self, call: Call) -> Answer:
        if call.body.startswith(b"boom"):
            raise RuntimeError("a bug of the service")
        return Answer(200, call.body.upper(), tags={"size": str(len(call.body))})

    def describe_exchange(self, call: Call, answer: Answer, exchange: Exchange) -> None:
        exchange.summary["described"] = True


@pytest.fixture
def upper(tmp_path: object) -> Iterator[UpperSimulator]:
    with UpperSimulator(Recorder()) as sim:
        yield sim


def _last(sim: UpperSimulator) -> Exchange:
    return sim.recorder.exchanges(service="UPPER")[-1]


def test_the_answer_and_its_record(upper: UpperSimulator) -> None:
    reply = requests.post(upper.url + "/upper", data=b"hello world", timeout=10)
    assert reply.status_code == 200 and reply.content == b"HELLO WORLD"
    exchange = _last(upper)
    assert (exchange.transaction, exchange.tags["size"], exchange.summary["described"]) == ("hello", "11", True)
    assert exchange.fault_injected is None and "rejected" not in exchange.summary


def test_method_refused_before_anything_else(upper: UpperSimulator) -> None:
    reply = requests.get(upper.url + "/upper", timeout=10)
    assert reply.status_code == 405 and reply.headers["allow"] == "POST"
    assert _last(upper).transaction == "invalid"


def test_early_refusal_records_its_findings_with_the_exchange_as_evidence(upper: UpperSimulator) -> None:
    assert requests.post(upper.url + "/upper", data=b"", timeout=10).status_code == 400
    exchange = _last(upper)
    assert [f.rule for f in exchange.findings] == ["upper.empty"] and exchange.findings[0].evidence == (exchange.id,)
    assert exchange.summary["rejected"] is True


def test_faults_one_format_for_every_kind(upper: UpperSimulator) -> None:
    upper.faults.add("http_status", "hello", status=503)
    assert requests.post(upper.url + "/upper", data=b"hello", timeout=10).status_code == 503
    assert _last(upper).fault_injected == "http_status {'status': 503}"
    upper.faults.add("lower", "HeLLo")
    assert requests.post(upper.url + "/upper", data=b"HeLLo", timeout=10).content == b"hello"
    assert _last(upper).fault_injected == "lower"
    upper.faults.add("delay", None, seconds=0.01)
    assert requests.post(upper.url + "/upper", data=b"later", timeout=10).content == b"LATER"
    assert _last(upper).fault_injected == "delay {'seconds': 0.01}"


def test_a_bug_of_the_service_is_an_answer_not_a_traceback(upper: UpperSimulator) -> None:
    reply = requests.post(upper.url + "/upper", data=b"boom", timeout=10)
    assert reply.status_code == 500 and b"RuntimeError: a bug of the service" in reply.content
    assert _last(upper).summary["rejected"] is True


def test_a_non_http_listener_records_through_the_same_base() -> None:
    recording = ListenerRecording(Recorder(), "MLLP-TOY")
    exchange = recording.exchange(
        "ADT^A28",
        HttpMessage("MLLP message", [], b"MSH|..."),
        HttpMessage("MLLP ACK", [], b"MSA|AA"),
        peer="127.0.0.1:1",
    )
    recorded = recording.record(
        exchange, summary={"ack": "AA"}, tags={"pid": "1"}, fault=Fault("nack", params={"code": "AE"})
    )
    assert recorded.service == "MLLP-TOY" and recorded.fault_injected == "nack {'code': 'AE'}"
    assert recording.recorder.exchanges(service="MLLP-TOY", pid="1") == [recorded]


def test_small_work_runs_on_the_event_loop_and_large_work_in_a_thread(upper: UpperSimulator) -> None:
    async def where(inline: bool) -> tuple[bool, str]:
        loop_thread = threading.current_thread().name
        ran_in = await upper.off_loop(inline, lambda: threading.current_thread().name)
        return inline, "loop" if ran_in == loop_thread else "thread"

    async def both() -> list[tuple[bool, str]]:
        return [await where(True), await where(False)]

    assert asyncio.run(both()) == [(True, "loop"), (False, "thread")]
