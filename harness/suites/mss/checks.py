"""Checks shared by the MSSanté suite's tests: each finds the exchanges to judge or says why it cannot."""

from __future__ import annotations

import dataclasses

from harness.core.findings import Blocked, Finding, NonConformity, Severity
from harness.core.recorder import Exchange
from harness.plugin.evidence import Scenario
from harness.validators.cda.pack import CdaPack
from harness.validators.mail import MailReport, validate_message
from harness.validators.mail.headers import check_ack

__all__ = [
    "accepted_messages",
    "acknowledgements",
    "expect",
    "findings_of",
    "judged",
    "located",
    "require_message",
    "revalidate",
]


def expect(title: str, findings: list[Finding]) -> None:
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors:
        raise NonConformity(title, errors)


def located(finding: Finding, exchange: Exchange) -> Finding:
    return Finding(
        finding.rule,
        finding.requirement,
        finding.message,
        finding.severity,
        finding.location,
        (*finding.evidence, f"exchange {exchange.id}"),
    )


def accepted_messages(scenario: Scenario, *, mdn: bool | None = False) -> list[Exchange]:
    """The scenario's SMTP submissions the operator accepted (250); ``mdn``: only / no / any acknowledgements."""
    found = []
    for exchange in scenario.exchanges:
        if exchange.transaction != "SMTP" or not str(exchange.summary.get("reply", "")).startswith("250"):
            continue
        is_mdn = "original_message_id" in exchange.tags
        if mdn is None or mdn == is_mdn:
            found.append(exchange)
    return found


def acknowledgements(scenario: Scenario) -> list[Exchange]:
    return accepted_messages(scenario, mdn=True)


def require_message(scenario: Scenario, requirement: str) -> list[Exchange]:
    """The scenario's accepted document messages; a non-conformity on ``requirement`` when there is none."""
    messages = accepted_messages(scenario)
    if messages:
        return messages
    refused = [e for e in scenario.exchanges if e.transaction in ("SMTP", "TLS")]
    blocking = sorted({f.requirement for e in refused for f in e.findings if f.requirement == "MSS-AUTH-01"})
    if blocking and requirement not in blocking:
        raise Blocked(
            f"{scenario.name}: the operator refused the DUI's connection, no message to judge", tuple(blocking)
        )
    outcome = scenario.data.get("outcome")
    raise NonConformity(
        f"{scenario.name}: no message reached the operator",
        [
            Finding(
                "mss.send.none",
                requirement,
                f"the DUI was asked to send a document but the simulated operator accepted no "
                f"message from it (trigger API answer: {outcome}; replies: "
                f"{[e.summary.get('reply') for e in refused] or 'none'})",
                location="MSSante simulator SMTP",
            )
        ],
    )


def judged(exchange: Exchange, pack: CdaPack | None = None) -> MailReport:
    """The operator simulator's report of a recorded message (``Exchange.judgements["mail"]``, made with the
    run's CDA pack): judged once; validated here (with the envelope and ``pack``, the run's ``cda_pack``
    fixture) and kept there only when the simulator kept none (a message it refused under an injected fault)."""
    found = exchange.judgements.get("mail")
    if isinstance(found, MailReport):
        return found
    report = _validated(exchange, ack_requested=None, pack=pack)
    exchange.judgements["mail"] = report
    return report


def revalidate(exchange: Exchange, *, ack_requested: bool | None, pack: CdaPack | None = None) -> MailReport:
    """The report of a recorded message with what the scenario knows (was an acknowledgement asked?).

    Judged once: the operator simulator's report (``Exchange.judgements["mail"]``, same envelope and pack), with
    only the check that needs the scenario's knowledge (``check_ack``) run again; validated here when the
    simulator kept none."""
    judged = exchange.judgements.get("mail")
    if isinstance(judged, MailReport) and judged.parsed.message is not None:
        findings = [f for f in judged.findings if not f.rule.startswith("mss.ack.")]
        return dataclasses.replace(judged, findings=findings + check_ack(judged.parsed, ack_requested))
    return _validated(exchange, ack_requested=ack_requested, pack=pack)


def _validated(exchange: Exchange, *, ack_requested: bool | None, pack: CdaPack | None) -> MailReport:
    envelope = exchange.summary.get("envelope") or {}
    return validate_message(
        exchange.request.body,
        envelope_sender=envelope.get("from") or None,
        recipients=list(envelope.get("to") or []),
        ack_requested=ack_requested,
        pack=pack,
    )


def findings_of(exchanges: list[Exchange], requirement: str) -> list[Finding]:
    return [located(f, e) for e in exchanges for f in e.findings if f.requirement == requirement]
