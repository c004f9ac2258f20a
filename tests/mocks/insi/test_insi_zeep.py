"""A generic SOAP client generated from the real INSi WSDL talks to the simulator.

zeep reads ``DESIR_ICIR_EXP_1.5.0.wsdl`` from ``shared/reference`` (never copied into the
repo). The WSDL imports ``http://www.w3.org/2006/03/addressing/ws-addr.xsd``: the transport
below serves it from ``tests/data/ws-addr.xsd`` and refuses every other remote URL, so the
test never touches the network.

The ``NO1_Security`` header part (wsse:Security) carries the CPx card's AssertionPs and is
used only in CPx mode; in server mode the DUI authenticates with its INSI-AUTO certificate.
zeep does not require every header part, so it is simply not sent (shown by the 00 below).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import zeep
from zeep.transports import Transport

from harness.core.recorder import Recorder
from mocks.insi import InsiSimulator

WS_ADDR_URL = "http://www.w3.org/2006/03/addressing/ws-addr.xsd"
WS_ADDR_FILE = Path(__file__).resolve().parents[2] / "data" / "ws-addr.xsd"
BINDING = "{http://www.cnamts.fr/webservice}ICIRServiceBinding"


class OfflineTransport(Transport):
    """Serves ws-addr.xsd locally and refuses any other non-file URL (no network)."""

    def __init__(self) -> None:
        super().__init__()
        self.session.trust_env = False
        self.loaded: list[str] = []

    def load(self, url: str) -> bytes:
        self.loaded.append(url)
        if url == WS_ADDR_URL:
            return WS_ADDR_FILE.read_bytes()
        if urlparse(url).scheme not in ("", "file"):
            raise AssertionError(f"the WSDL tried to load a remote document: {url}")
        data: bytes = super().load(url)
        return data


@pytest.fixture(scope="module")
def client(insi_reference: Path) -> zeep.Client:
    wsdl = insi_reference / "wsdl" / "DESIR_ICIR_EXP_1.5.0.wsdl"
    return zeep.Client(str(wsdl), transport=OfflineTransport())


@pytest.fixture(scope="module")
def sim_and_service(client: zeep.Client) -> Any:
    sim = InsiSimulator(Recorder())
    sim.start()
    yield sim, client.create_service(BINDING, sim.url + "/lps")
    sim.stop()


def headers(client: zeep.Client) -> list[Any]:
    now = datetime.now(UTC)
    lps = client.get_element("{urn:siram:lps:ctxlps}ContexteLPS")(
        Id=str(uuid.uuid4()),
        Temps=now,
        Emetteur="zeep",
        LPS={
            "IDAM": {"_value_1": "IDAM-ZEEP", "R": "4"},
            "Version": "4.3.3",
            "Instance": str(uuid.uuid4()),
            "Nom": "urn:lps:ZEEP:4.3.3",
        },
        Nature="CTXLPS",
        Version="01_00",
    )
    bam = client.get_element("{urn:siram:bam:ctxbam}ContexteBAM")(
        Id=str(uuid.uuid4()), Temps=now, COUVERTURE={}, Version="01_02"
    )
    message_id = client.get_element("{http://www.w3.org/2005/08/addressing}MessageID")(f"uuid:{uuid.uuid4()}")
    return [lps, bam, message_id]


def test_wsdl_loads_offline(client: zeep.Client) -> None:
    loaded = client.transport.loaded
    assert WS_ADDR_URL in loaded
    assert all(urlparse(u).scheme in ("", "file") for u in loaded if u != WS_ADDR_URL)


def test_transport_refuses_remote_documents() -> None:
    with pytest.raises(AssertionError, match="remote document"):
        OfflineTransport().load("https://example.org/other.xsd")


def test_generated_client_gets_adrun_zoe(client: zeep.Client, sim_and_service: Any) -> None:
    sim, service = sim_and_service
    since = sim.recorder.mark()
    result = service.rechercherInsAvecTraitsIdentite(
        NomNaissance="ADRUN", Prenom=["ZOE"], Sexe="F", DateNaissance="1975-12-31", _soapheaders=headers(client)
    )
    assert result.CR.CodeCR == "00"
    assert result.CR.LibelleCR == "OK"
    active = result.INDIVIDU.INSACTIF
    assert active.IdIndividu.NumIdentifiant + active.IdIndividu.Cle == "275126322074974"
    assert active.OID == "1.2.250.1.213.1.4.8"
    assert result.INDIVIDU.TIQ.ListePrenom == "ZOE"
    [exchange] = sim.recorder.wait_for(service="INS", since=since, timeout=5)
    assert exchange.transaction == "rechercherInsAvecTraitsIdentite"
    assert [f.rule for f in exchange.findings] == ["insi.tls.not_checked"]  # only the plain-HTTP warning


def test_generated_client_sees_a_fault(client: zeep.Client, sim_and_service: Any) -> None:
    _, service = sim_and_service
    with pytest.raises(zeep.exceptions.Fault) as caught:
        service.rechercherInsAvecTraitsIdentite(
            NomNaissance="ADRUN", Prenom=["ZOE"], Sexe="X", DateNaissance="1975-12-31", _soapheaders=headers(client)
        )
    assert "insi.traits.sex" in caught.value.message
    assert caught.value.subcodes[0].localname == "dui_harness"


def test_inshisto_order_of_the_real_fixture_and_of_the_xsd(client: zeep.Client, sim_and_service: Any) -> None:
    """TEST_2.04_cas2 puts DateDeb/DateFin before IdIndividu: zeep refuses it; the XSD order parses."""
    sim, service = sim_and_service

    def ecetinsi() -> Any:
        return service.rechercherInsAvecTraitsIdentite(
            NomNaissance="ECETINSI",
            Prenom=["PIERRE-ALAIN"],
            Sexe="M",
            DateNaissance="2009-07-14",
            _soapheaders=headers(client),
        )

    with pytest.raises(zeep.exceptions.XMLParseError, match="DateDeb"):
        ecetinsi()
    sim.update_state({"inshisto_dates_first": False})
    try:
        result = ecetinsi()
    finally:
        sim.reset()
    history = result.INDIVIDU.INSHISTO
    assert [h.IdIndividu.NumIdentifiant for h in history] == ["2090763220834", "2090663220123"]
    assert result.INDIVIDU.INSHISTO[0].DateDeb.isoformat() == "2019-03-01"
