"""## Requirements
MSS-PATADDR-01 (the patient's Mon espace santé address is built from the matricule INS of a
qualified identity, never otherwise: SC.MSS.14, SC.MSS/va1.19, SC.MSS/UX.32).

## Dependencies
The MSSanté operator simulator, the INSi simulator and the DUI's trigger API (``lookupIns``,
``getIdentity``, ``sendMssDocument``) or the operator.

## Methodology
* qualified: the "patient" sending scenario (a qualified person) must reach exactly
  ``<her matricule INS>@patient.mssante.fr``, the INS the harness gave INSi for her;
* not qualified: the person never qualified gets her INS from INSi (no identity document checked:
  the identity is *récupérée*, not *qualifiée*); asked then to write to her, the DUI must send
  nothing to any patient mailbox.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding
from harness.core.recorder import Exchange, Recorder
from harness.plugin.evidence import Scenario
from harness.plugin.session import RunContext
from harness.suites.mss.checks import accepted_messages, expect, require_message
from harness.suites.mss.conftest import UNQUALIFIED, _require_person, _settle
from harness.suites.mss.documents import mss_person
from harness.sut.driver import SutDriver
from mocks.mssante import MssSimulator

SERVICE = "MSS"
REQ = "MSS-PATADDR-01"


def _patient_recipients(exchange: Exchange, domain: str) -> list[str]:
    envelope = exchange.summary.get("envelope") or {}
    return [str(r).lower() for r in envelope.get("to", []) if str(r).lower().endswith("@" + domain)]


@pytest.fixture(scope="session")
def unqualified_to_patient(
    sut: SutDriver,
    recorder: Recorder,
    operator: MssSimulator,
    mss_people: dict[str, str],
    dui_run: RunContext,
    sent_all: dict[str, Scenario],
) -> Scenario:
    """The person never qualified, with her INS fetched from INSi (récupérée), written to as a patient."""
    pid = mss_people[UNQUALIFIED]
    lookup = sut.lookup_ins(pid)
    identity = sut.identity(pid)
    since = recorder.mark()
    outcome = sut.mss_send(pid, "patient")
    _settle(recorder, since, limit=min(dui_run.settings.exchange_timeout, 2.0), quiet=0.3)
    return Scenario(
        "MSSanté : écrire à un usager non qualifié / writing to a person not qualified",
        pid,
        recorder.exchanges(service=SERVICE, since=since),
        {"lookup": lookup, "identity": identity, "outcome": outcome},
    )


@pytest.mark.requirement(REQ)
@pytest.mark.parametrize("sent", ["patient"], indirect=True)
def test_the_patient_address_is_her_qualified_ins(sent: Scenario, operator: MssSimulator) -> None:
    """The message to a qualified person goes to <her matricule INS>@patient.mssante.fr and nowhere else there."""
    messages = require_message(sent, REQ)
    domain = operator.directory.patient_domain
    wanted = f"{mss_person('mss-roux-helene').ins}@{domain}"
    findings = [
        Finding(
            "mss.patient_address.wrong",
            REQ,
            f"the patient's mailbox is {address}, not {wanted} (her qualified matricule INS)",
            location="SMTP RCPT TO",
            evidence=(f"exchange {e.id}",),
        )
        for e in messages
        for address in _patient_recipients(e, domain)
        if address != wanted
    ]
    if not any(_patient_recipients(e, domain) for e in messages):
        findings.append(
            Finding(
                "mss.patient_address.wrong",
                REQ,
                f"no message went to the patient's mailbox {wanted}",
                location="SMTP RCPT TO",
            )
        )
    expect(f"{sent.name}: patient address", findings)


@pytest.mark.requirement(REQ)
def test_nothing_goes_to_a_patient_mailbox_for_an_identity_not_qualified(
    request: pytest.FixtureRequest, unqualified_to_patient: Scenario, operator: MssSimulator
) -> None:
    """An identity whose INS is only *récupérée* gets no message at <INS>@patient.mssante.fr."""
    scenario = _require_person(request, unqualified_to_patient, UNQUALIFIED)
    domain = operator.directory.patient_domain
    status = (scenario.data["identity"] or {}).get("status")
    expect(
        f"{scenario.name}: not qualified",
        [
            Finding(
                "mss.patient_address.unqualified",
                REQ,
                f"message {e.tags.get('message_id')} went to "
                f"{', '.join(_patient_recipients(e, domain))} although the identity is not qualified (status "
                f"{status})",
                location="SMTP RCPT TO",
                evidence=(f"exchange {e.id}",),
            )
            for e in accepted_messages(scenario)
            if _patient_recipients(e, domain)
        ],
    )
