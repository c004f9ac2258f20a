"""The HL7 v2 simulator as a service of the run: ``create(setup)``, its control API, its MLLP listener.

Interoperability: hl7apy's own MLLP server (hl7apy ships no MLLP client) plays the DUI receiving
the feeds sent through the control API; a plain socket plays the DUI sending its ADT messages.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from hl7apy.mllp import MLLPServer
from hl7apy.parser import parse_message

from harness import services
from harness.core.recorder import Recorder
from harness.pki import TestPki, ensure_pki
from mocks.common.setup import SimulatorSetup
from mocks.hl7v2 import Hl7v2Service, create
from mocks.hl7v2.feeds import FEED_EVENTS, build_feed
from mocks.hl7v2.mllp import MllpDecoder, frame
from tests.mocks.hl7v2.test_hl7v2_feeds import AckHandler

VALID = Path(__file__).resolve().parents[3] / "fixtures" / "hl7v2" / "valid" / "a28-pat-trois-qualifiee.hl7"


@pytest.fixture(scope="module")
def service() -> Iterator[Hl7v2Service]:
    sim = create(SimulatorSetup(Recorder(), ports={"port": 0, "mllp_port": 0}))
    with sim:
        yield sim


@pytest.fixture(scope="module")
def hl7apy_dui() -> Iterator[MLLPServer]:
    handlers = {f"ADT^{event}^{structure}": (AckHandler,) for event, structure in FEED_EVENTS.items()}
    server = MLLPServer("127.0.0.1", 0, handlers, timeout=5)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_the_declaration_names_the_factory_and_both_ports() -> None:
    declared = services.get("HL7V2")
    assert services.resolve(str(declared.simulator)) is create
    assert dict(declared.ports) == {"port": 8711, "mllp_port": 2575}  # 2575: the HL7 registered port (serve)
    assert declared.port_options() == {"port": "--hl7v2-port", "mllp_port": "--hl7v2-mllp-port"}


def test_control_api_sends_a_feed_to_hl7apy_mllp_server(service: Hl7v2Service, hl7apy_dui: MLLPServer) -> None:
    port = hl7apy_dui.server_address[1]
    answer = requests.post(
        f"{service.url}/_harness/hl7v2/feeds",
        json={"scenario": "homonym", "port": port},
        headers=service.control_headers(),
        timeout=15,
    )
    assert answer.status_code == 201, answer.text
    exchange = answer.json()
    assert exchange["transaction"] == "ADT^A28" and exchange["summary"]["ack"] == "AA"
    assert exchange["findings"] == [] and exchange["tags"]["direction"] == "to-dui"
    sent = requests.get(f"{service.url}/_harness/hl7v2/sent", headers=service.control_headers(), timeout=5).json()
    assert exchange["id"] in [e["id"] for e in sent]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"scenario": "nobody", "port": 2575}, "unknown HL7 v2 feed scenario"),
        ({"scenario": "homonym", "port": 2575, "host": "192.0.2.1"}, "loopback only"),
        ({"scenario": "homonym", "port": "x"}, "port must be"),
        ({"case": "no-such-case", "port": 2575}, "unknown hostile case"),
    ],
)
def test_control_api_refuses_wrong_requests(service: Hl7v2Service, body: dict[str, object], error: str) -> None:
    route = "hostile" if "case" in body else "feeds"
    answer = requests.post(
        f"{service.url}/_harness/hl7v2/{route}", json=body, headers=service.control_headers(), timeout=5
    )
    assert answer.status_code == 400 and error in answer.json()["error"]


def test_control_api_needs_the_run_token(service: Hl7v2Service) -> None:
    answer = requests.post(f"{service.url}/_harness/hl7v2/feeds", json={"scenario": "homonym", "port": 1}, timeout=5)
    assert answer.status_code in (401, 403)


def test_plain_socket_client_gets_an_ack_and_the_message_is_listed(service: Hl7v2Service) -> None:
    mark = service.recorder.mark()
    with socket.create_connection(("127.0.0.1", service.mllp.port), timeout=10) as sock:
        sock.sendall(b"\x00\xffnoise" + frame(VALID.read_bytes()))
        decoder, acks = MllpDecoder(65536), list[bytes]()
        while not acks:
            acks = [e.payload for e in decoder.feed(sock.recv(65536)) if e.kind == "message"]
    ack = parse_message(acks[0].decode().rstrip("\r"))
    assert ack.msa.msa_1.to_er7() == "AA" and ack.msa.msa_2.to_er7() == "MSG-A28-0001"
    received = service.recorder.wait_for(lambda found: len(found) >= 2, service="HL7V2", since=mark, timeout=10)
    assert [e.transaction for e in received] == ["MLLP noise", "ADT^A28"]  # nothing the client sent is lost
    listed = requests.get(
        f"{service.url}/_harness/hl7v2/received", params={"since": mark}, headers=service.control_headers(), timeout=5
    ).json()
    assert [e["tags"]["direction"] for e in listed] == ["from-dui", "from-dui"]


def test_hostile_cases_against_hl7apy_mllp_server(service: Hl7v2Service, hl7apy_dui: MLLPServer) -> None:
    # hl7apy acknowledges AA whatever it reads: a DUI like that fails HL7-ACK-02 on the invalid INS
    exchange = service.send_hostile("ins-bad-key", "127.0.0.1", hl7apy_dui.server_address[1])
    assert exchange.summary["ack"] == "AA"
    assert [f.rule for f in exchange.findings if f.requirement == "HL7-ACK-02"] == ["hl7.hostile.accepted"]


def test_mllp_over_tls_with_the_run_pki(tmp_path: Path) -> None:
    pki: TestPki = ensure_pki(tmp_path / "pki")
    sim = create(SimulatorSetup(Recorder(), pki, {"port": 0, "mllp_port": 0}))
    with sim:
        details = sim.endpoint_details()
        assert details["tls"] is True and details["ca"] == str(pki.ca_cert)
        context = ssl.create_default_context(cafile=str(pki.ca_cert))
        with (
            socket.create_connection(("127.0.0.1", details["mllp_port"]), timeout=10) as raw,
            context.wrap_socket(raw, server_hostname="127.0.0.1") as conn,
        ):
            conn.sendall(frame(build_feed("known-person", control_id="TLS-1").payload))
            decoder, acks = MllpDecoder(65536), list[bytes]()
            while not acks:
                acks = [e.payload for e in decoder.feed(conn.recv(65536)) if e.kind == "message"]
        assert b"MSA|" in acks[0]
