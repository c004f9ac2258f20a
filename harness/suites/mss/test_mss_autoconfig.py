"""## Requirements
MSS-AUTOCONF-01 (from the mailbox address the DUI reads the operator's autoconfiguration
document and takes the API LPS servers it announces: SC.MSS/CONF.04 steps 1-2),
MSS-AUTOCONF-02 (it then tests the connection: SC.MSS/CONF.04 step 3).

## Dependencies
The MSSanté operator simulator, which serves ``/mail/config-v1.1.xml``
(:mod:`mocks.mssante.autoconfig`) and records each ClientHello it reads
(:mod:`mocks.mssante.client_hello`); the DUI's trigger API operation ``autoconfigureMssMailbox``
(or the operator).

## Methodology
``https://autoconfig.<domain>`` cannot be resolved on loopback: the DUI is given the operator's
base URL (the simulator's address) with the mailbox address, and must ask
``<base>/mail/config-v1.1.xml?emailaddress=<address>`` (an ``AUTOCONFIG`` exchange for that
address, answered 200). The document announces the implicit-TLS listeners (IMAPS, SMTPS), not
the STARTTLS ports of the DUI's endpoint entry: the servers the DUI reports having configured
must be the document's. The connection test is seen on the operator: after the document was
served, the DUI opened TLS with the mail listeners (at least one ClientHello), and the trigger
API reports the test passed. Without TLS on the bench the connection test is not judged.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.core.findings import Blocked, Finding
from harness.core.recorder import Recorder
from harness.plugin.evidence import Scenario
from harness.suites.mss.checks import expect
from harness.sut.driver import SutDriver
from harness.validators.safexml import parse_xml
from mocks.mssante import MssSimulator
from mocks.mssante.autoconfig import TRANSACTION, autoconfig_document

SERVICE = "MSS"


def _announced(document: bytes) -> dict[str, dict[str, Any]]:
    root = parse_xml(document)
    found = {}
    for direction, path in (("incoming", "emailProvider/incomingServer"), ("outgoing", "emailProvider/outgoingServer")):
        server = root.find(path)
        if server is not None:
            found[direction] = {
                "port": int(server.findtext("port") or 0),
                "socket_type": (server.findtext("socketType") or "").strip(),
            }
    return found


@pytest.fixture(scope="session")
def autoconfig(sut: SutDriver, recorder: Recorder, operator: MssSimulator) -> Scenario:
    address = operator.directory.with_role("dui").address
    since, hellos = recorder.mark(), operator.hellos.mark()
    outcome = sut.mss_autoconfigure(address, operator.url)
    document = autoconfig_document(operator, address)
    return Scenario(
        "MSSanté autoconfiguration de la BAL / mailbox autoconfiguration",
        None,
        recorder.exchanges(service=SERVICE, transaction=TRANSACTION, since=since),
        {
            "address": address,
            "autoconfig_url": operator.url,
            "outcome": outcome,
            "announced": _announced(document) if document else {},
            "client_hellos": [h.as_dict() for h in operator.hellos.since(hellos)],
            "tls": operator.mail_tls is not None,
        },
    )


def _fetched(scenario: Scenario) -> list[str]:
    """Ids of the autoconfiguration exchanges for the scenario's address that were served (200)."""
    address = scenario.data["address"].lower()
    return [
        e.id
        for e in scenario.exchanges
        if str(e.summary.get("emailaddress", "")).lower() == address and e.summary.get("served")
    ]


@pytest.mark.requirement("MSS-AUTOCONF-01")
def test_the_dui_configures_the_mailbox_from_the_operator_document(autoconfig: Scenario) -> None:
    """The DUI reads the document for its mailbox address and takes the servers it announces."""
    data = autoconfig.data
    findings = []
    if not _fetched(autoconfig):
        findings.append(
            Finding(
                "mss.autoconfig.not_fetched",
                "MSS-AUTOCONF-01",
                f"the DUI did not read the "
                f"autoconfiguration document for {data['address']} ({len(autoconfig.exchanges)} "
                f"request(s) to /mail/config-v1.1.xml; answer: {data['outcome']})",
                location="GET /mail/config-v1.1.xml?emailaddress=",
            )
        )
    for direction, expected in data["announced"].items():
        taken = data["outcome"].get(direction) or {}
        got = {"port": taken.get("port"), "socket_type": str(taken.get("socket_type", ""))}
        same_type = str(got["socket_type"]).upper() == str(expected["socket_type"]).upper()
        if got["port"] != expected["port"] or not same_type:
            findings.append(
                Finding(
                    "mss.autoconfig.not_applied",
                    "MSS-AUTOCONF-01",
                    f"{direction} server configured {got}; the document announces {expected}",
                    location="autoconfigureMssMailbox",
                )
            )
    expect(f"{autoconfig.name}: document read and applied", findings)


@pytest.mark.requirement("MSS-AUTOCONF-02")
def test_the_dui_tests_the_connection(autoconfig: Scenario) -> None:
    """After the document, the DUI opens the announced servers and reports the test passed."""
    data = autoconfig.data
    if not _fetched(autoconfig):
        raise Blocked(f"{autoconfig.name}: the autoconfiguration document was not read", ("MSS-AUTOCONF-01",))
    if not data["tls"]:
        pytest.skip("exigence non jugée : banc sans TLS, la connexion n'est pas observable / not judged: no TLS")
    findings = []
    test = data["outcome"].get("connection_test")
    if not data["client_hellos"]:
        findings.append(
            Finding(
                "mss.autoconfig.no_connection",
                "MSS-AUTOCONF-02",
                "after reading the "
                "autoconfiguration document the DUI opened no TLS session with the operator's mail "
                "servers: no connection test",
                location="operator mail listeners",
            )
        )
    if not isinstance(test, dict) or not (test.get("imap") and test.get("smtp")):
        findings.append(
            Finding(
                "mss.autoconfig.test_not_passed",
                "MSS-AUTOCONF-02",
                f"the DUI reports no passed connection test (connection_test: {test})",
                location="autoconfigureMssMailbox",
            )
        )
    expect(f"{autoconfig.name}: connection test", findings)
