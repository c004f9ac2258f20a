"""The MSSanté simulator's autoconfiguration document, its ClientHello log, and the reference DUI's use of both."""

from __future__ import annotations

import smtplib
import ssl
import urllib.error
import urllib.parse
import urllib.request

import pytest

from harness.pki import TestPki
from mocks.mssante import MssSimulator
from mocks.mssante.autoconfig import AUTOCONFIG_PATH
from mocks.mssante.client_hello import HelloLog, parse_client_hello
from reference_dui.mssante.autoconfig import autoconfigure, read_config
from reference_dui.mssante.mail import MailSettings
from tests.mocks.mssante.conftest import DUI, DUI_PASSWORD


def _get(sim: MssSimulator, pki: TestPki, address: str) -> bytes:
    context = ssl.create_default_context(cafile=str(pki.ca_cert))
    query = urllib.parse.urlencode({"emailaddress": address})
    with urllib.request.urlopen(f"{sim.url}{AUTOCONFIG_PATH}?{query}", context=context, timeout=10) as answer:
        data: bytes = answer.read()
    return data


def _settings(sim: MssSimulator, pki: TestPki) -> MailSettings:
    return MailSettings("127.0.0.1", sim.smtp_port, sim.imap_port, DUI, DUI_PASSWORD, ca=pki.ca_cert)


def test_the_document_announces_the_implicit_tls_listeners(sim: MssSimulator, pki: TestPki) -> None:
    # given the simulator with TLS, when a client asks the document for the DUI's mailbox
    since = sim.recorder.mark()
    imap, smtp = read_config(_get(sim, pki, DUI))
    # then it announces IMAPS and SMTPS on loopback, and the request is one recorded exchange
    assert (imap.hostname, imap.port, imap.socket_type) == ("127.0.0.1", sim.imaps_port, "SSL")
    assert (smtp.port, smtp.socket_type) == (sim.smtps_port, "SSL")
    (exchange,) = sim.recorder.exchanges(service="MSS", transaction="AUTOCONFIG", since=since)
    assert exchange.summary.items() >= {"emailaddress": DUI, "domain": "ehpad-essai.mssante.fr", "served": True}.items()


def test_an_unknown_domain_gets_404(sim: MssSimulator, pki: TestPki) -> None:
    with pytest.raises(urllib.error.HTTPError) as raised:
        _get(sim, pki, "personne@inconnu.example")
    raised.value.close()  # the error holds the response
    assert raised.value.code == 404


def test_the_reference_dui_configures_then_tests_and_the_operator_sees_it(sim: MssSimulator, pki: TestPki) -> None:
    # given the ClientHello log's position, when the reference DUI autoconfigures its mailbox
    mark = sim.hellos.mark()
    done = autoconfigure({"address": DUI, "autoconfig_url": sim.url}, _settings(sim, pki), set())
    # then it took the document's servers, its test passed, and the operator read its ClientHellos
    assert done["source"] == "autoconfig" and done["incoming"]["port"] == sim.imaps_port
    assert done["connection_test"] == {"imap": True, "smtp": True, "error": None}
    hellos = sim.hellos.since(mark)
    assert len(hellos) >= 2 and all(0x0303 in h.versions for h in hellos)
    assert 0xC030 in hellos[0].suites


def test_the_defects_skip_the_document_or_the_test(sim: MssSimulator, pki: TestPki) -> None:
    since = sim.recorder.mark()
    ignored = autoconfigure(
        {"address": DUI, "autoconfig_url": sim.url}, _settings(sim, pki), {"mss_autoconfig_ignored"}
    )
    assert ignored["incoming"]["socket_type"] == "STARTTLS"
    assert not sim.recorder.exchanges(service="MSS", transaction="AUTOCONFIG", since=since)
    untested = autoconfigure(
        {"address": DUI, "autoconfig_url": sim.url}, _settings(sim, pki), {"mss_autoconfig_no_test"}
    )
    assert untested["connection_test"] is None


def test_a_client_hello_is_parsed_from_the_wire(sim: MssSimulator, pki: TestPki) -> None:
    # given a client offering TLS 1.2 only with one suite
    mark = sim.hellos.mark()
    context = ssl.create_default_context(cafile=str(pki.ca_cert))
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers("ECDHE-ECDSA-AES128-GCM-SHA256")
    with smtplib.SMTP_SSL("127.0.0.1", sim.smtps_port, context=context, timeout=10) as client:
        client.ehlo("client.test")
    # then the log holds exactly that offer
    (hello,) = sim.hellos.since(mark)
    assert hello.versions == (0x0303,)
    assert [s for s in hello.suites if s != 0x00FF] == [0xC02B]
    assert 0x0017 in hello.groups


def test_garbage_is_counted_not_kept() -> None:
    log = HelloLog(size=2)
    log.add(b"\x01\x00\x00\x10too short")
    assert log.unreadable == 1 and log.since() == []
    with pytest.raises(ValueError):
        parse_client_hello(b"\x02\x00\x00\x00")
