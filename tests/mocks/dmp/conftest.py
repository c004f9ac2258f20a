"""Fixtures of the DMP simulator tests: a simulator over mutual TLS, a signed-VIHF caller, test documents."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from harness.core.recorder import Exchange, Recorder
from harness.pki import TestPki, ensure_pki
from harness.validators.xds.mime import split_message
from mocks.common.server import TlsSettings
from mocks.dmp import DmpSimulator
from mocks.dmp.samples import Signer, iti41_request
from mocks.dmp.samples_cda import clinical_document

#: DUPONT-ESSAI LOUISE ANNE, synthetic person under the INS-NIR de test OID
INS, OID = "241057505612360", "1.2.250.1.213.1.4.10"
TRAITS: dict[str, Any] = {
    "birth_name": "DUPONT-ESSAI",
    "first_names": ["LOUISE", "ANNE"],
    "sex": "F",
    "birth_date": "1941-05-12",
    "birth_place": "75056",
}
#: her twin DUPONT-ESSAI LOUISE MARIE
OTHER_INS = "241057505612459"
RS = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"


def document(kind: str = "VSM", ins: str = INS, **options: Any) -> bytes:
    return clinical_document(kind, ins=ins, ins_oid=OID, traits=TRAITS, **options)


@dataclass
class Reply:
    response: requests.Response
    exchange: Exchange

    @property
    def status(self) -> str:
        return str(self.exchange.summary.get("status", ""))

    @property
    def codes(self) -> list[str]:
        return [e["code"] for e in self.exchange.summary.get("errors") or []]

    def envelope(self) -> bytes:
        return split_message(self.response.content, self.response.headers.get("content-type")).envelope


class Caller:
    """Posts to the simulator over mutual TLS and returns the answer with the recorded exchange."""

    def __init__(self, sim: DmpSimulator, session: requests.Session, signer: Signer) -> None:
        self.sim = sim
        self.session = session
        self.signer = signer

    def post(self, body: bytes, content_type: str, path: str = "/dmp/repository", **kwargs: Any) -> Reply:
        since = self.sim.recorder.mark()
        response = self.session.post(
            self.sim.url + path, data=body, headers={"Content-Type": content_type}, timeout=30, **kwargs
        )
        found = self.sim.recorder.wait_for(service="DMP", since=since, timeout=5)
        assert found, "the simulator recorded no exchange"
        return Reply(response, found[-1])

    def submit(self, *documents: bytes, **options: Any) -> Reply:
        body, ctype = iti41_request(list(documents), signer=self.signer, **options)
        return self.post(body, ctype)


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return ensure_pki(tmp_path_factory.mktemp("dmp-pki"))


@pytest.fixture(scope="session")
def signer(pki: TestPki) -> Signer:
    return Signer.from_files(*pki.client("signing-vihf"))


@pytest.fixture(scope="module")
def dmp_sim(pki: TestPki) -> Iterator[DmpSimulator]:
    sim = DmpSimulator(Recorder(), tls=TlsSettings(pki.server_cert, pki.server_key, client_ca=pki.ca_cert))
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture(scope="module")
def https(pki: TestPki) -> Iterator[requests.Session]:
    session = requests.Session()
    session.trust_env = False  # loopback only; REQUESTS_CA_BUNDLE must not replace the test CA
    session.verify = str(pki.ca_cert)
    session.cert = tuple(str(p) for p in pki.client("client-insi-auto"))  # type: ignore[assignment]
    yield session
    session.close()


@pytest.fixture
def caller(dmp_sim: DmpSimulator, https: requests.Session, signer: Signer) -> Iterator[Caller]:
    yield Caller(dmp_sim, https, signer)
    dmp_sim.reset()
