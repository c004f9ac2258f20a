"""## Requirements
MSS-REPLY-01 (an answer: Message-ID, In-Reply-To, References — SC.MSS.11, SC.MSS/va1.08),
MSS-DSN-01 (delivery status notification asked: Return-Receipt-To — SC.MSS.16, SC.MSS/va1.15),
MSS-REPL-01 (new version of a sent document: "annule et remplace" — SC.MSS.20.MS1,
SC.MSS/va1.02, SC.MSS/va1.13), MSS-REFUS-01 (the person's recorded refusal of sending is
respected — SC.MSS.15.MS1, SC.MSS.16.MS1).

## Dependencies
The MSSanté operator simulator, the INSi simulator and the DUI's trigger API operations
``sendMssDocument`` (with ``dsn`` and ``replaces``), ``fetchMssMail``, ``replyMssMessage`` and
``recordMssRefusal`` (or the operator, attended mode).

## Methodology
* answer: a professional (personal mailbox) writes to the DUI's mailbox a message that is itself
  an answer (it has References); the DUI fetches it and is asked to answer it; the answer's
  threading headers are compared with the original's.
* DSN: a document sent with a DSN asked must carry ``Return-Receipt-To``.
* new version: a document is sent, then its new version (``replaces`` = the first one's id): the
  second message must say "annule et remplace" and carry another CDA.
* refusal: the refusal of the homonym twin (a qualified person no other sending scenario uses)
  is recorded for her mailbox and for professionals; then the DUI is asked to send to both:
  the operator must accept nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, make_msgid

import pytest

from harness.core.findings import Finding, NonConformity
from harness.core.recorder import Recorder
from harness.plugin.evidence import Scenario
from harness.plugin.session import RunContext
from harness.suites.mss.checks import accepted_messages, expect, judged, located, require_message
from harness.suites.mss.conftest import _require_person, _settle
from harness.sut.driver import SutDriver
from harness.validators.mail.scenario import check_dsn, check_replacement, check_reply
from mocks.mssante import MssSimulator

SERVICE = "MSS"
PERSON = "mss-roux-helene"
REFUSING = "mss-roux-odile"
DOCTOR = "jean.medecin-essai@chu-essai.mssante.fr"
EARLIER = "<premier-echange.essai@chu-essai.mssante.fr>"


def _question(dui: str) -> tuple[bytes, str]:
    """A professional's message to the DUI, itself the answer to an earlier one (it has References)."""
    message = EmailMessage()
    message["From"] = formataddr(("Dr Jean MEDECIN-ESSAI", DOCTOR))
    message["To"] = dui
    message["Subject"] = "Re: Suivi de la résidente"
    message["Date"] = format_datetime(datetime.now(UTC))
    message_id = make_msgid(domain="chu-essai.mssante.fr")
    message["Message-ID"] = message_id
    message["In-Reply-To"] = EARLIER
    message["References"] = EARLIER
    message["X-MSS-NIL"] = "DUI-HARNESS-TEST"
    message.set_content("Pouvez-vous me confirmer la réception du document ? (message d'essai)")
    return message.as_bytes(policy=SMTP), message_id


@pytest.fixture(scope="session")
def dui_rules(
    sut: SutDriver,
    recorder: Recorder,
    operator: MssSimulator,
    mss_people: dict[str, str],
    dui_run: RunContext,
    sent_all: dict[str, Scenario],
) -> dict[str, Scenario]:
    """The four scenarios of the DUI's message rules (after the sending scenarios: ``sent_all``)."""
    timeout = dui_run.settings.exchange_timeout
    pid = mss_people[PERSON]
    scenarios: dict[str, Scenario] = {}
    # a DSN asked
    since = recorder.mark()
    outcome = sut.mss_send(pid, "professional", address=DOCTOR, dsn=True)
    _wait_sent(recorder, since, timeout)
    scenarios["dsn"] = Scenario(
        "MSSanté : avis de remise (DSN) demandé / DSN asked",
        pid,
        recorder.exchanges(service=SERVICE, since=since),
        {"outcome": outcome},
    )
    # a new version of a document sent before
    since = recorder.mark()
    first = sut.mss_send(pid, "professional", address=DOCTOR)
    _wait_sent(recorder, since, timeout)
    replaced = str(first.get("document_id") or "")
    since = recorder.mark()
    outcome = sut.mss_send(pid, "professional", address=DOCTOR, replaces=replaced or None)
    _wait_sent(recorder, since, timeout)
    scenarios["replacement"] = Scenario(
        "MSSanté : nouvelle version « annule et remplace » / new version",
        pid,
        recorder.exchanges(service=SERVICE, since=since),
        {"outcome": outcome, "replaced": replaced, "first": first},
    )
    # an answer to a professional's message
    dui = operator.directory.with_role("dui").address
    raw, original = _question(dui)
    operator.deliver(raw, sender=DOCTOR, recipient=dui)
    fetched = sut.mss_fetch()
    since = recorder.mark()
    outcome = sut.mss_reply(original)
    _wait_sent(recorder, since, timeout)
    scenarios["reply"] = Scenario(
        "MSSanté : réponse à un courriel / answer to a message",
        None,
        recorder.exchanges(service=SERVICE, since=since),
        {"outcome": outcome, "original": original, "references": EARLIER, "fetch": fetched},
    )
    # the refusal of sending, recorded then respected
    twin = mss_people[REFUSING]
    recorded = sut.mss_record_refusal(twin, patient=True, professionals=True)
    since = recorder.mark()
    outcomes = [sut.mss_send(twin, "patient"), sut.mss_send(twin, "professional", address=DOCTOR)]
    _settle(recorder, since, limit=min(timeout, 2.0), quiet=0.3)
    scenarios["refusal"] = Scenario(
        "MSSanté : refus d'envoi de l'usager / the person's refusal",
        twin,
        recorder.exchanges(service=SERVICE, since=since),
        {"recorded": recorded, "outcomes": outcomes},
    )
    return scenarios


def _wait_sent(recorder: Recorder, since: str, timeout: float) -> None:
    recorder.wait_for(
        lambda found: any(str(e.summary.get("reply", ""))[:3] in ("250", "550", "554", "535") for e in found),
        service=SERVICE,
        transaction="SMTP",
        since=since,
        timeout=timeout,
    )


@pytest.fixture
def rule_case(request: pytest.FixtureRequest, dui_rules: dict[str, Scenario]) -> Scenario:
    scenario = dui_rules[request.param]
    person = REFUSING if request.param == "refusal" else PERSON
    return scenario if request.param == "reply" else _require_person(request, scenario, person)


@pytest.mark.requirement("MSS-REPLY-01")
@pytest.mark.parametrize("rule_case", ["reply"], indirect=True)
def test_an_answer_is_threaded(rule_case: Scenario) -> None:
    """The answer has its own Message-ID, In-Reply-To the original, References the chain then the original."""
    messages = require_message(rule_case, "MSS-REPLY-01")
    expect(
        f"{rule_case.name}: threading headers",
        [
            located(f, e)
            for e in messages
            for f in check_reply(judged(e).parsed, rule_case.data["original"], rule_case.data["references"])
        ],
    )


@pytest.mark.requirement("MSS-DSN-01")
@pytest.mark.parametrize("rule_case", ["dsn"], indirect=True)
def test_a_dsn_request_sets_return_receipt_to(rule_case: Scenario) -> None:
    messages = require_message(rule_case, "MSS-DSN-01")
    expect(f"{rule_case.name}: DSN request", [located(f, e) for e in messages for f in check_dsn(judged(e).parsed)])


@pytest.mark.requirement("MSS-REPL-01")
@pytest.mark.parametrize("rule_case", ["replacement"], indirect=True)
def test_a_new_version_says_annule_et_remplace(rule_case: Scenario) -> None:
    """The new version says 'annule et remplace' and carries another CDA than the replaced one."""
    replaced = rule_case.data["replaced"]
    if not replaced:
        raise NonConformity(
            f"{rule_case.name}: no document to replace",
            [
                Finding(
                    "mss.replace.no_document",
                    "MSS-REPL-01",
                    f"the first sending gave no document id (trigger API answer: {rule_case.data['first']})",
                    location="sendMssDocument document_id",
                )
            ],
        )
    messages = require_message(rule_case, "MSS-REPL-01")
    expect(
        f"{rule_case.name}: annule et remplace",
        [located(f, e) for e in messages for f in check_replacement(judged(e).parsed, judged(e).cdas, replaced)],
    )


@pytest.mark.requirement("MSS-REFUS-01")
@pytest.mark.parametrize("rule_case", ["refusal"], indirect=True)
def test_a_recorded_refusal_stops_the_sending(rule_case: Scenario) -> None:
    """After the refusal is recorded, nothing reaches the operator for the person (her mailbox, professionals)."""
    delivered = accepted_messages(rule_case)
    expect(
        f"{rule_case.name}: refusal respected",
        [
            _sent_despite_refusal(e.id, e.summary.get("envelope", {}).get("to", []), e.tags.get("message_id"))
            for e in delivered
        ],
    )


def _sent_despite_refusal(exchange_id: str, recipients: list[str], message_id: str | None) -> Finding:
    return Finding(
        "mss.refusal.sent",
        "MSS-REFUS-01",
        f"message {message_id} was sent to {', '.join(recipients)} although the person refused the sending by MSSanté",
        location="SMTP RCPT TO",
        evidence=(f"exchange {exchange_id}",),
    )
