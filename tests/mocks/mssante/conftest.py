"""Fixtures of the MSSanté simulator tests: a test PKI, one TLS simulator per module, client contexts."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.core.recorder import Recorder
from harness.pki import TestPki, ensure_pki
from harness.suites.mss.documents import cda_for, mss_person
from harness.suites.mss.messages import BuiltMessage, document_message
from mocks.common.server import TlsSettings
from mocks.mssante import MssSimulator
from reference_dui.mssante.pdf import PrintedIdentity, build_pdf

DUI = "dui.reference@ehpad-essai.mssante.fr"
DUI_PASSWORD = "essai-bal-dui"
DOCTOR = "jean.medecin-essai@chu-essai.mssante.fr"
HARNESS = "documents.sortants@chu-essai.mssante.fr"
CONTACT = "accueil.ehpad-essai@ehpad-essai.mssante.fr"  # the DUI structure's organisational mailbox


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return ensure_pki(tmp_path_factory.mktemp("mss-pki"))


@pytest.fixture(scope="module")
def sim(pki: TestPki) -> Iterator[MssSimulator]:
    tls = TlsSettings(pki.server_cert, pki.server_key, client_ca=pki.ca_cert)
    with MssSimulator(
        Recorder(), tls=tls, max_message_bytes=256 * 1024, dui_certificate=pki.client("client-mss-bal")
    ) as simulator:
        assert isinstance(simulator, MssSimulator)
        yield simulator


def client_context(pki: TestPki, certificate: str | None = None) -> ssl.SSLContext:
    """What a DUI's mail client uses: the test CA, optionally a client certificate of the test PKI."""
    context = ssl.create_default_context(cafile=str(pki.ca_cert))
    if certificate is not None:
        cert, key = pki.client(certificate)
        context.load_cert_chain(str(cert), str(key))
    return context


def vsm_message(sender: str = DUI, recipient: str = DOCTOR, *, ack: bool = False) -> BuiltMessage:
    """A conformant message of the DUI's application mailbox: mention, Reply-To, IHE_XDM.ZIP and PDF/A-1 copy."""
    person = mss_person("mss-roux-helene")
    t = person.traits
    pdf = build_pdf(
        PrintedIdentity(t.birth_name, t.first_names, t.sex, t.birth_date, t.birth_place or "", person.ins, person.oid),
        "Note",
        "Corps",
    )
    return document_message(
        sender,
        recipient,
        [cda_for("vsm", person)],
        acknowledgement=ack,
        body="Document transmis (essai). Message généré automatiquement.",
        reply_to=CONTACT,
        attachments=[("NOTE.pdf", "application/pdf", pdf)],
    )


def reference_file(name: str) -> Path:
    return Path(__file__).resolve().parents[3].parent / "shared" / "reference" / "mssante-trans-cda" / name
