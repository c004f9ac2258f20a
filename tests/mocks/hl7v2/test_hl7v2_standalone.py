"""The HL7 v2 simulator alone: ``python -m mocks.hl7v2 --port 0``, and MLLP over TLS with the test PKI."""

from __future__ import annotations

import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.core.recorder import Recorder
from harness.paths import fixtures_dir
from harness.pki import TestPki, ensure_pki
from mocks.common.server import TlsSettings
from mocks.hl7v2.app import Hl7v2Simulator
from mocks.hl7v2.mllp import send_and_receive

VALID = (fixtures_dir() / "hl7v2" / "valid" / "a28-pat-trois-qualifiee.hl7").read_bytes()
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return ensure_pki(tmp_path_factory.mktemp("hl7v2-pki"))


@pytest.fixture(scope="module")
def tls_sim(pki: TestPki) -> Iterator[Hl7v2Simulator]:
    tls = TlsSettings(certfile=pki.server_cert, keyfile=pki.server_key, client_ca=pki.ca_cert)
    with Hl7v2Simulator(Recorder(), tls=tls) as sim:
        yield sim


def test_mllp_over_tls(tls_sim: Hl7v2Simulator, pki: TestPki) -> None:
    context = ssl.create_default_context(cafile=str(pki.ca_cert))
    context.check_hostname = False
    assert tls_sim.url.startswith("mllps://127.0.0.1:")
    with socket.create_connection(("127.0.0.1", tls_sim.port), timeout=10) as raw, context.wrap_socket(raw) as conn:
        ack = send_and_receive("127.0.0.1", tls_sim.port, VALID, timeout=10, sock=conn)
    assert b"MSA|AA|MSG-A28-0001" in ack
    [exchange] = tls_sim.recorder.wait_for(service="HL7V2", timeout=10)
    assert exchange.request.header("TLS") in ("TLSv1.2", "TLSv1.3")


def test_port_in_use_is_a_clear_error(tls_sim: Hl7v2Simulator, capsys: pytest.CaptureFixture[str]) -> None:
    from mocks.hl7v2.__main__ import main

    assert main(["--port", str(tls_sim.port)]) == 2
    assert "cannot listen" in capsys.readouterr().err


def test_python_m_mocks_hl7v2_prints_its_address() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "mocks.hl7v2", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # "mllp     mllp://127.0.0.1:PORT"
        name, url = line.split()
        assert name == "mllp" and url.startswith("mllp://127.0.0.1:")
        port = int(url.rsplit(":", 1)[1])
        assert b"MSA|AA|" in send_and_receive("127.0.0.1", port, VALID, timeout=10)
    finally:
        process.terminate()
        process.communicate(timeout=10)


def test_send_needs_a_host_and_port(capsys: pytest.CaptureFixture[str]) -> None:
    from mocks.hl7v2.__main__ import main

    assert main(["--send", "homonym", "--to", "nowhere"]) == 2
    assert "--send needs --to HOST:PORT" in capsys.readouterr().err


def test_exchanges_are_written_to_the_record_dir(tmp_path: Path) -> None:
    with Hl7v2Simulator(Recorder(tmp_path)) as sim:
        ack = send_and_receive("127.0.0.1", sim.port, VALID, timeout=10)
        sim.recorder.wait_for(service="HL7V2", timeout=10)
    [request] = sorted(tmp_path.glob("*-HL7V2-ADT_A28.request"))
    assert request.read_bytes().endswith(VALID)
    assert request.with_suffix(".response").read_bytes().endswith(ack)


def test_python_m_mocks_hl7v2_with_a_control_port_runs_the_service() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "mocks.hl7v2", "--port", "0", "--control-port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        mllp = process.stdout.readline().split()
        control = process.stdout.readline().split()
        assert mllp[0] == "mllp" and control[0] == "control" and control[1].startswith("http://127.0.0.1:")
        assert b"MSA|AA|" in send_and_receive("127.0.0.1", int(mllp[1].rsplit(":", 1)[1]), VALID, timeout=10)
    finally:
        process.terminate()
        process.communicate(timeout=10)
