"""## Requirements
MSS-RCV-01, MSS-RCV-02 (integration of received documents, or their rejection), MSS-MDN-01,
MSS-MDN-02, MSS-MDN-03 (RFC 8098 acknowledgements, error codes 902 / 903 / 904 / 905),
SC.MSS/CONF.16 on acknowledgements, MSS-AUTH-01 for reading the mailbox.

## Dependencies
The MSSanté operator simulator (IMAP over TLS for the DUI's mailbox), the INSi simulator (the
known persons are qualified first) and the DUI's trigger API.

## Methodology
Playing a hospital's software, the harness delivers to the DUI's mailbox one message per
case, each carrying an IHE_XDM.ZIP around a CDA built from the project's fixtures (VSM,
FLUDR, biology report, discharge letter, prescription): for a known person, for her twin
sister (a homonym), for an unknown person, with an INS whose traits do not match the stored
identity, without INS, with incomplete traits. It asks the DUI once to fetch its mail, then
reads back through the trigger API the documents integrated for each person, and judges
the acknowledgements the DUI sent through the operator (Disposition, error code, structure).
"""

from __future__ import annotations

import pytest

from harness.core.findings import Blocked, Finding, NonConformity
from harness.core.recorder import Exchange
from harness.plugin.evidence import Scenario
from harness.suites.mss.checks import acknowledgements, expect, findings_of, judged
from harness.suites.mss.conftest import INTEGRATED, RECEIVING, REJECTED
from harness.validators.mail.mdn import read_mdn


def _document_id(scenario: Scenario) -> str:
    from harness.validators.cda import read_header
    from harness.validators.safexml import parse_xml

    return read_header(parse_xml(scenario.data["document"].encode("utf-8"))).document_id


def _holders(scenario: Scenario) -> list[str]:
    """The test persons whose record lists the scenario's document."""
    document_id = _document_id(scenario)
    return [
        key
        for key, docs in scenario.data["documents"].items()
        if any(d.get("document_id") == document_id for d in docs)
    ]


def _require_fetch(scenario: Scenario, requirement: str) -> None:
    if not any(e.transaction == "IMAP FETCH" for e in scenario.exchanges):
        raise NonConformity(
            f"{scenario.name}: the DUI did not read the message",
            [
                Finding(
                    "mss.fetch.none",
                    requirement,
                    f"message {scenario.data['message_id']} was delivered to the DUI's mailbox "
                    "but the DUI never fetched it over IMAP",
                    location="IMAP FETCH",
                )
            ],
        )


def _block_on_refused_submission(scenario: Scenario) -> None:
    """No acknowledgement because the operator refused the DUI's SMTP session: blocked by MSS-AUTH-01."""
    refused = scenario.data.get("submissions_refused") or []
    if refused:
        raise Blocked(
            f"{scenario.name}: the operator refused the DUI's SMTP authentication ({', '.join(refused)}), "
            "so no acknowledgement could be sent",
            ("MSS-AUTH-01",),
        )


@pytest.mark.requirement("MSS-RCV-01")
@pytest.mark.parametrize("received", INTEGRATED, indirect=True)
def test_document_is_integrated_for_the_right_person(received: Scenario) -> None:
    """The document joins the record of the person whose INS and traits match, and no other record."""
    _require_fetch(received, "MSS-RCV-01")
    case = RECEIVING[received.data["case"]]
    holders = _holders(received)
    if holders != [case.person]:
        raise NonConformity(
            f"{received.name}: document integrated for {holders or 'nobody'}",
            [
                Finding(
                    "mss.integration.person",
                    "MSS-RCV-01",
                    f"document {_document_id(received)} about {case.person} "
                    f"(INS {case.patient().ins}) is listed for {holders or 'no person'} instead of {case.person} only",
                    location=f"trigger API GET /persons/{{id}}/mss/documents ({', '.join(received.data['people'])})",
                )
            ],
        )


@pytest.mark.requirement("MSS-RCV-02")
@pytest.mark.parametrize("received", REJECTED, indirect=True)
def test_unidentifiable_document_is_integrated_for_nobody(received: Scenario) -> None:
    """Unknown INS, no INS, INS not matching, incomplete traits: the document joins no record."""
    _require_fetch(received, "MSS-RCV-02")
    holders = _holders(received)
    if holders:
        raise NonConformity(
            f"{received.name}: document integrated although its patient is not identified",
            [
                Finding(
                    "mss.integration.rejected",
                    "MSS-RCV-02",
                    f"document {_document_id(received)} (expected error "
                    f"{received.data['expected']}) is listed for {', '.join(holders)}",
                    location="trigger API GET /persons/{id}/mss/documents",
                )
            ],
        )


@pytest.mark.requirement("MSS-MDN-02")
@pytest.mark.parametrize("received", REJECTED, indirect=True)
def test_rejection_is_acknowledged_with_its_error_code(received: Scenario) -> None:
    """MDN Disposition ``processed/Error: <code>^<libellé>`` with 902, 903, 904 or 905 as the case requires."""
    _require_fetch(received, "MSS-MDN-02")
    expected = received.data["expected"]
    if _holders(received):  # not refused at all: judged by MSS-RCV-02, no error acknowledgement to expect
        raise Blocked(
            f"{received.name}: the DUI integrated the document instead of refusing it, so no error "
            "acknowledgement can be expected",
            ("MSS-RCV-02",),
        )
    mdns = acknowledgements(received)
    if not mdns:
        _block_on_refused_submission(received)
        raise NonConformity(
            f"{received.name}: no acknowledgement",
            [
                Finding(
                    "mss.mdn.missing",
                    "MSS-MDN-02",
                    f"the sender asked for an acknowledgement (Disposition-Notification-To) "
                    "and the document was not integrated, but the DUI sent no MDN (expected processed/Error: "
                    f"{expected})",
                    location="SMTP",
                )
            ],
        )
    findings = findings_of(mdns, "MSS-MDN-02")
    for exchange in mdns:
        report = judged(exchange)
        code = report.mdn.error_code if report.mdn else None
        if code != expected:
            findings.append(
                Finding(
                    "mss.mdn.code",
                    "MSS-MDN-02",
                    f"acknowledgement Disposition "
                    f"{report.mdn.disposition if report.mdn else '?'!r} carries error {code}, "
                    f"expected {expected}",
                    location="part 2 Disposition",
                    evidence=(f"exchange {exchange.id}",),
                )
            )
    expect(f"{received.name}: error acknowledgement", findings)


@pytest.mark.requirement("MSS-MDN-03")
@pytest.mark.parametrize("received", INTEGRATED, indirect=True)
def test_integration_is_acknowledged_only_when_asked(received: Scenario) -> None:
    """``processed`` MDN when Disposition-Notification-To was set; none when it was not."""
    _require_fetch(received, "MSS-MDN-03")
    case = RECEIVING[received.data["case"]]
    mdns = acknowledgements(received)
    findings: list[Finding] = []
    if case.acknowledgement and not mdns:
        _block_on_refused_submission(received)
        findings.append(
            Finding(
                "mss.mdn.missing",
                "MSS-MDN-03",
                "the sender asked for an acknowledgement and the document was integrated, but the DUI sent no MDN",
                location="SMTP",
            )
        )
    if not case.acknowledgement and mdns:
        findings.append(
            Finding(
                "mss.mdn.unasked",
                "MSS-MDN-03",
                "the DUI acknowledged a message that asked for no acknowledgement (no Disposition-Notification-To)",
                location="SMTP",
                evidence=tuple(f"exchange {e.id}" for e in mdns),
            )
        )
    for exchange in mdns:
        report = judged(exchange)
        if report.mdn is not None and report.mdn.disposition and not report.mdn.success:
            findings.append(
                Finding(
                    "mss.mdn.disposition",
                    "MSS-MDN-03",
                    f"integrated document acknowledged with {report.mdn.disposition!r} instead of processed",
                    location="part 2 Disposition",
                    evidence=(f"exchange {exchange.id}",),
                )
            )
    expect(f"{received.name}: acknowledgement of an integrated document", findings)


def _all_acknowledgements(received_all: dict[str, Scenario]) -> list[tuple[Scenario, list[Exchange]]]:
    return [(s, acknowledgements(s)) for s in received_all.values() if acknowledgements(s)]


@pytest.mark.requirement("MSS-MDN-01")
def test_acknowledgements_follow_rfc_8098(received_all: dict[str, Scenario]) -> None:
    """multipart/report; report-type=disposition-notification, Final-Recipient, Disposition, Original-Message-ID."""
    sent = _all_acknowledgements(received_all)
    if not sent:
        raise Blocked("the DUI sent no acknowledgement at all: none can be judged", ("MSS-MDN-02", "MSS-MDN-03"))
    findings = [f for _, mdns in sent for f in findings_of(mdns, "MSS-MDN-01")]
    for _, mdns in sent:
        for exchange in mdns:
            parsed = judged(exchange).parsed
            report = read_mdn(parsed)
            findings += [
                Finding(f.rule, f.requirement, f.message, f.severity, f.location, (f"exchange {exchange.id}",))
                for f in report.findings
                if f.requirement == "MSS-MDN-01" and f not in findings
            ]
    expect("acknowledgements (MDN) sent by the DUI", _unique(findings))


@pytest.mark.requirement("SC.MSS/CONF.16")
def test_acknowledgements_carry_x_mss_nil(received_all: dict[str, Scenario]) -> None:
    """The MDNs the DUI sends carry X-MSS-NIL, as every message does."""
    sent = _all_acknowledgements(received_all)
    if not sent:
        raise Blocked("the DUI sent no acknowledgement at all: none can be judged", ("MSS-MDN-02", "MSS-MDN-03"))
    expect("X-MSS-NIL on acknowledgements", [f for _, mdns in sent for f in findings_of(mdns, "SC.MSS/CONF.16")])


@pytest.mark.requirement("MSS-AUTH-01")
def test_mailbox_is_read_over_tls(received_all: dict[str, Scenario]) -> None:
    """The DUI reads its mailbox over IMAP with TLS (STARTTLS or implicit), authenticated."""
    fetches = [e for s in received_all.values() for e in s.exchanges if e.transaction == "IMAP FETCH"]
    if not fetches:
        raise NonConformity(
            "the DUI did not read its mailbox",
            [
                Finding(
                    "mss.fetch.none",
                    "MSS-AUTH-01",
                    "no IMAP fetch of the delivered messages reached the operator",
                    location="IMAP",
                )
            ],
        )
    findings = findings_of(fetches, "MSS-AUTH-01")
    findings += [
        Finding(
            "mss.imap.cleartext",
            "MSS-AUTH-01",
            "message fetched without TLS",
            location="IMAP",
            evidence=(f"exchange {e.id}",),
        )
        for e in fetches
        if not e.summary.get("tls")
    ]
    expect("IMAP access to the DUI's mailbox", _unique(findings))


def _unique(findings: list[Finding]) -> list[Finding]:
    return list(dict.fromkeys(findings))
