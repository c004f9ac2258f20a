"""Fixtures of the HL7 v2 simulator tests: one simulator with small limits, a plain-socket MLLP client."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from harness.core.recorder import Exchange, Recorder
from mocks.hl7v2.app import Hl7v2Simulator
from mocks.hl7v2.listener import ListenerLimits
from mocks.hl7v2.mllp import MllpDecoder

LIMITS = ListenerLimits(max_frame=4096, frame_timeout=1.0, idle_timeout=5.0, max_noise=2048, max_connections=8)


class RawClient:
    """A plain socket: sends any bytes, reads answer frames until told how many or the server closes."""

    def __init__(self, sim: Hl7v2Simulator) -> None:
        self.sim = sim
        self.sock = socket.create_connection(("127.0.0.1", sim.port), timeout=10)
        self.decoder = MllpDecoder(1024 * 1024)

    def send(self, data: bytes) -> RawClient:
        self.sock.sendall(data)
        return self

    def answers(self, count: int) -> list[bytes]:
        """Read until ``count`` frames arrived (or the server closed the connection)."""
        frames: list[bytes] = []
        while len(frames) < count:
            data = self.sock.recv(65536)
            if not data:
                break
            frames += [e.payload for e in self.decoder.feed(data) if e.kind == "message"]
        return frames

    def closed_by_server(self) -> bool:
        try:
            return self.sock.recv(65536) == b""
        except ConnectionResetError:
            return True

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(scope="module")
def sim() -> Iterator[Hl7v2Simulator]:
    with Hl7v2Simulator(Recorder(), limits=LIMITS) as simulator:
        yield simulator


@pytest.fixture
def client(sim: Hl7v2Simulator) -> Iterator[RawClient]:
    raw = RawClient(sim)
    yield raw
    raw.close()


def exchanges_since(sim: Hl7v2Simulator, mark: str, count: int) -> list[Exchange]:
    """Wait (bounded) until ``count`` exchanges were recorded after ``mark``."""
    return sim.recorder.wait_for(lambda found: len(found) >= count, service="HL7V2", since=mark, timeout=10)
