"""The simulator's ADT feeds to a DUI: built with hl7apy, sent over MLLP, the DUI's ACK judged.

The DUI side here is hl7apy's own MLLP server (``hl7apy.mllp.MLLPServer``; hl7apy ships no MLLP
client), answering with an ACK built by hl7apy — or deliberately wrong, or silent.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from hl7apy.core import Message
from hl7apy.mllp import AbstractHandler, MLLPServer
from hl7apy.parser import parse_message

from harness.core.recorder import Recorder
from harness.validators.hl7v2 import validate_hl7v2
from mocks.hl7v2.app import Hl7v2Simulator
from mocks.hl7v2.feeds import FEED_EVENTS, build_feed, load_feeds, scenario_names
from mocks.hl7v2.sender import judge_ack


class AckHandler(AbstractHandler):  # type: ignore[misc]
    """A DUI that acknowledges every message (AA), as hl7apy builds an ACK."""

    echo = True

    def reply(self) -> str:
        received = parse_message(self.incoming_message, find_groups=False)
        ack = Message("ACK", version="2.5")
        ack.msh.msh_3 = "DUI-HL7APY"
        ack.msh.msh_9 = "ACK^A01^ACK"
        ack.msh.msh_10 = "DUIACK1"
        ack.msh.msh_11 = "P"
        ack.msa.msa_1 = "AA"
        ack.msa.msa_2 = received.msh.msh_10.to_er7() if self.echo else "SOMETHING-ELSE"
        return str(ack.to_mllp())


class WrongIdHandler(AckHandler):
    echo = False


def serve(handler: type[AbstractHandler]) -> Iterator[MLLPServer]:
    handlers = {f"ADT^{event}^{structure}": (handler,) for event, structure in FEED_EVENTS.items()}
    server = MLLPServer("127.0.0.1", 0, handlers, timeout=5)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(scope="module")
def dui() -> Iterator[MLLPServer]:
    yield from serve(AckHandler)


@pytest.fixture(scope="module")
def sim() -> Iterator[Hl7v2Simulator]:
    with Hl7v2Simulator(Recorder()) as simulator:
        yield simulator


@pytest.mark.parametrize("scenario", scenario_names())
def test_every_feed_is_a_valid_pam_fr_message(scenario: str) -> None:
    feed = build_feed(scenario, control_id="C1")
    report = validate_hl7v2(feed.payload, emitted=False, wire=True)
    assert report.findings == [], [str(f) for f in report.findings]
    assert feed.event == load_feeds()["scenarios"][scenario]["event"]
    [identity] = report.identities
    assert identity.ins == feed.ins and identity.ins_oid == "1.2.250.1.213.1.4.10"


def test_scenarios_cover_the_identity_cases() -> None:
    scenarios = load_feeds()["scenarios"]
    assert {s["event"] for s in scenarios.values()} == {"A28", "A31", "A40", "A47"}
    persons = load_feeds()["persons"]
    known, homonym = persons["pat-trois"], persons["pat-trois-homonyme"]
    assert (known["birth_name"], known["first_names"][0]) == (homonym["birth_name"], homonym["first_names"][0])
    assert known["ins"] != homonym["ins"]
    assert persons["pat-trois-traits-differents"]["ins"] == known["ins"]


@pytest.mark.parametrize("scenario", ["known-person", "merge", "identifier-change"])
def test_feed_to_hl7apy_mllp_server(sim: Hl7v2Simulator, dui: MLLPServer, scenario: str) -> None:
    exchange = sim.send_feed(scenario, "127.0.0.1", dui.server_address[1], timeout=5)
    assert exchange.findings == [], [str(f) for f in exchange.findings]
    assert exchange.summary["ack"] == "AA"
    assert exchange.tags["direction"] == "to-dui" and exchange.tags["scenario"] == scenario
    assert exchange.response is not None and b"MSA|AA|" + exchange.tags["control_id"].encode() in exchange.response.body


def test_ack_that_does_not_echo_the_control_id_fails(sim: Hl7v2Simulator) -> None:
    for server in serve(WrongIdHandler):
        exchange = sim.send_feed("homonym", "127.0.0.1", server.server_address[1], timeout=5)
        assert [f.rule for f in exchange.findings] == ["hl7.ack.control-id"]
        assert exchange.findings[0].requirement == "HL7-ACK-01"


def test_silent_dui_is_a_finding(sim: Hl7v2Simulator) -> None:
    handlers: dict[str, tuple[type[AbstractHandler]]] = {}  # no handler: hl7apy closes without answering
    server = MLLPServer("127.0.0.1", 0, handlers, timeout=5)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        exchange = sim.send_feed("known-person", "127.0.0.1", server.server_address[1], timeout=5)
    finally:
        server.shutdown()
        server.server_close()
    assert [f.rule for f in exchange.findings] == ["hl7.ack.none"]
    assert exchange.response is not None and exchange.response.start_line == "no ACK"


def test_unreachable_dui_is_a_finding(sim: Hl7v2Simulator) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    exchange = sim.send_feed("known-person", "127.0.0.1", port, timeout=2)
    assert [f.rule for f in exchange.findings] == ["hl7.ack.none"]


def test_judge_ack_rules() -> None:
    ack = b"MSH|^~\\&|D|E|||20260101||ACK^A28^ACK|1|P|2.5\rMSA|XX|C9\r"
    findings, code = judge_ack(ack, "C1")
    assert code == "XX" and [f.rule for f in findings] == ["hl7.ack.code", "hl7.ack.control-id"]
    assert [f.rule for f in judge_ack(b"garbage", "C1")[0]] == ["hl7.ack.unreadable", "hl7.msh.missing"]
