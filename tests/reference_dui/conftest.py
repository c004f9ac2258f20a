"""Fixtures of the reference DUI tests: an INSi stub (plain HTTP and mutual TLS) and DUI factory."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from harness.pki import TestPki, ensure_pki
from mocks.common.server import TlsSettings
from reference_dui import ReferenceDui, ReferenceDuiConfig
from tests.reference_dui.refdui_stub import Api, DuiFactory, InsiStub


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return ensure_pki(tmp_path_factory.mktemp("refdui-pki"))


@pytest.fixture(scope="session")
def _plain_stub() -> Iterator[InsiStub]:
    stub = InsiStub()
    stub.server.start()
    yield stub
    stub.server.stop()


@pytest.fixture(scope="session")
def _tls_stub(pki: TestPki) -> Iterator[InsiStub]:
    stub = InsiStub(tls=TlsSettings(pki.server_cert, pki.server_key, client_ca=pki.ca_cert))
    stub.server.start()
    yield stub
    stub.server.stop()


@pytest.fixture
def stub(_plain_stub: InsiStub) -> InsiStub:
    _plain_stub.reset()
    return _plain_stub


@pytest.fixture
def tls_stub(_tls_stub: InsiStub) -> InsiStub:
    _tls_stub.reset()
    return _tls_stub


@pytest.fixture(scope="module")
def make_dui() -> Iterator[DuiFactory]:
    """``make_dui(insi_url=..., defects=(...), **config)`` → a new started DUI and its API client.

    Module-scoped so that the DUIs of a module are stopped together, in parallel (each uvicorn
    shutdown takes ~0.2 s).
    """
    started: list[ReferenceDui] = []

    def factory(insi_url: str | None = None, defects: tuple[str, ...] = (), **kwargs: Any) -> tuple[ReferenceDui, Api]:
        config = ReferenceDuiConfig(insi_url=insi_url, defects=frozenset(defects), **kwargs)
        dui = ReferenceDui(config).start()
        started.append(dui)
        return dui, Api(dui.base_url)

    yield factory
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(ReferenceDui.stop, started))


@pytest.fixture(scope="session")
def _clean_dui(_plain_stub: InsiStub) -> Iterator[ReferenceDui]:
    dui = ReferenceDui(ReferenceDuiConfig(insi_url=_plain_stub.url)).start()
    yield dui
    dui.stop()


@pytest.fixture
def api(_clean_dui: ReferenceDui, stub: InsiStub) -> Api:
    """The shared clean DUI, emptied, pointed at the plain-HTTP stub."""
    client = Api(_clean_dui.base_url)
    assert client.call("POST", "/reset").status_code == 204
    return client


@pytest.fixture
def tls_config(pki: TestPki) -> dict[str, Path]:
    cert, key = pki.client("client-insi-auto")
    return {"client_cert": cert, "client_key": key, "ca_cert": pki.ca_cert, "pki_dir": pki.directory}
