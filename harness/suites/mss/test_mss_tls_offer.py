"""## Requirements
SC.MSS/CONF.03 (the DUI uses only the listed suites, TLS 1.2+, DH >= 2048 / ECDH >= 256 bits),
judged here on what the DUI *offers* a sound operator; the ``mss_security`` suite judges the
same requirement by presenting weak operators.

## Dependencies
The operator simulator with TLS, which records each ClientHello its mail listeners read
(:mod:`mocks.mssante.client_hello`); the sending and receiving scenarios, whose connections
are the ones read.

## Methodology
After the DUI sent and fetched its mail, every distinct ClientHello it sent to the operator
is read against SC.MSS/CONF.03 (:mod:`harness.suites.mss.tls_offer` states the reading: the
ECDSA twins of the listed suites and TLS 1.3's suites accepted, no version before TLS 1.2, no
elliptic curve under 256 bits). Without TLS on the bench, or without any ClientHello, the
requirement is not judged here.
"""

from __future__ import annotations

import pytest

from harness.plugin.evidence import Scenario
from harness.suites.mss.checks import expect
from harness.suites.mss.tls_offer import REQUIREMENT, offer_findings
from mocks.mssante import MssSimulator


@pytest.fixture(scope="session")
def client_hellos(operator: MssSimulator, sent_all: dict[str, Scenario], received_all: dict[str, Scenario]) -> Scenario:
    distinct: dict[tuple[tuple[str, ...], ...], dict[str, object]] = {}
    for hello in operator.hellos.since(0):
        offer = hello.as_dict()
        distinct.setdefault((tuple(offer["versions"]), tuple(offer["suites"]), tuple(offer["groups"])), offer)
    return Scenario(
        "MSSanté offre TLS de la DUI / the DUI's TLS offer",
        None,
        [],
        {"client_hellos": list(distinct.values()), "unreadable": operator.hellos.unreadable},
    )


@pytest.mark.requirement(REQUIREMENT)
def test_the_dui_offers_only_the_listed_suites_and_groups(client_hellos: Scenario) -> None:
    """Every ClientHello the DUI sent the operator stays within SC.MSS/CONF.03."""
    offers = client_hellos.data["client_hellos"]
    if not offers:
        pytest.skip("exigence non jugée ici : aucun ClientHello lu (banc sans TLS) / not judged here: no ClientHello")
    findings = [f for n, offer in enumerate(offers, 1) for f in offer_findings(offer, f"ClientHello #{n}")]
    expect(f"{client_hellos.name}: {len(offers)} distinct ClientHello(s)", findings)
