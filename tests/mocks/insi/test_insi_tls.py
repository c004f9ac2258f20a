"""INS-INSI-04 over mutual TLS: the simulator asks for a client certificate (CERT_OPTIONAL).

Certificates come from :func:`harness.pki.ensure_pki`: ``client-insi-auto`` (CN INSI-AUTO)
gets an answer, ``client-wrong-cn`` gets DESIR_560, no certificate gets a fault saying so.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from harness.core.recorder import Exchange, Recorder
from harness.pki import TestPki, ensure_pki
from mocks.common.server import TlsSettings
from mocks.insi import InsiSimulator
from mocks.insi.samples import SOAP12_HEADERS, build_request, read_answer
from tests.support import client_cert


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return ensure_pki(tmp_path_factory.mktemp("insi-pki"))


@pytest.fixture(scope="module")
def tls_sim(pki: TestPki) -> Iterator[InsiSimulator]:
    tls = TlsSettings(certfile=pki.server_cert, keyfile=pki.server_key, client_ca=pki.ca_cert)
    sim = InsiSimulator(Recorder(), tls=tls)
    sim.start()
    yield sim
    sim.stop()


def call(sim: InsiSimulator, pki: TestPki, client: str | None) -> tuple[requests.Response, Exchange]:
    since = sim.recorder.mark()
    with requests.Session() as session:
        session.trust_env = False
        response = session.post(
            sim.endpoint,
            data=build_request(),
            headers=SOAP12_HEADERS,
            timeout=10,
            verify=str(pki.ca_cert),
            cert=client_cert(pki, client) if client else None,
        )
    found = sim.recorder.wait_for(service="INS", since=since, timeout=5)
    assert found
    return response, found[-1]


def test_endpoint_is_https(tls_sim: InsiSimulator) -> None:
    assert tls_sim.endpoint.startswith("https://127.0.0.1:")


@pytest.mark.parametrize("client", ["client-insi-auto", "client-insi-manu"])
def test_insi_certificate_gets_an_answer(tls_sim: InsiSimulator, pki: TestPki, client: str) -> None:
    response, exchange = call(tls_sim, pki, client)
    assert response.status_code == 200
    assert read_answer(response.content)["ins"] == "275126322074974"
    assert exchange.tls_client_subject is not None and "CN=INSI-" in exchange.tls_client_subject
    assert exchange.summary["tls"] is True
    assert not [f for f in exchange.findings if f.requirement == "INS-INSI-04"]


def test_wrong_cn_gets_desir_560(tls_sim: InsiSimulator, pki: TestPki) -> None:
    response, exchange = call(tls_sim, pki, "client-wrong-cn")
    assert response.status_code == 400
    fault: dict[str, Any] = read_answer(response.content)["fault"]
    assert fault["erreur_code"] == "DESIR_560"
    assert "INSI-AUTO ou INSI-MANU" in fault["erreur"]
    assert "DUI-SANS-ROLE-INSI" in fault["erreur"]
    assert [f.rule for f in exchange.findings if f.requirement == "INS-INSI-04"] == ["insi.tls.cn"]
    assert exchange.summary["fault"]["code"] == "DESIR_560"
    assert exchange.tls_client_subject is not None and "CN=DUI-SANS-ROLE-INSI" in exchange.tls_client_subject


def test_no_client_certificate_gets_a_fault(tls_sim: InsiSimulator, pki: TestPki) -> None:
    response, exchange = call(tls_sim, pki, None)
    assert response.status_code == 400
    fault = read_answer(response.content)["fault"]
    assert fault["erreur_code"] == "insi.tls.no_client_cert"
    assert "Aucun certificat client" in fault["erreur"]
    assert exchange.tls_client_subject is None
    [finding] = [f for f in exchange.findings if f.requirement == "INS-INSI-04"]
    assert finding.rule == "insi.tls.no_client_cert"
    assert finding.evidence == (exchange.id,)
