"""## Requirements
ANS test-case family ``MSS-LPS-SEGUR-PER-ORG`` (Pro Santé Connect authentication of personal and
organisational mailboxes on the API LPS):

SC.MSS/CONF.07: STARTTLS, then SMTP ``AUTH XOAUTH2`` / IMAP ``AUTHENTICATE XOAUTH2`` whose response is
``user=<mailbox>^Aauth=Bearer <PSC access token>^A^A``, then the commands.
SC.MSS/CONF.09 (recommended): IMAP sends the access token in one transaction (SASL-IR, RFC 4959).
SC.MSS/CONF.10: once the PSC session is over (logout), the DUI ends its IMAP and SMTP sessions.
SC.MSS/CONF.11: a session the operator ended is reopened without human action while the PSC
authentication is valid; an expired access token is renewed (refresh grant or new PSC authentication).
SC.MSS/CONF.28: the access token is kept in memory only, for its lifetime.

## Dependencies
A DUI with the API LPS trigger operations (``mssLpsConnect``…) and a Pro Santé Connect client; otherwise
the tests are skipped (input not provided). SC.MSS/CONF.11 is blocked by SC.MSS/CONF.07 when the DUI
cannot open the mailbox at all.

## Methodology
The operator simulator checks each XOAUTH2 token against the run's PSC simulator (unknown, expired or
revoked: refused with Gmail's JSON status continuation, then ``535`` / ``NO``) and that the token's
professional owns the mailbox; every authentication is one ``SMTP AUTH`` / ``IMAP AUTH`` exchange
(mechanism, TLS mode, SASL-IR, the token's short id — never the token). The scenarios are played in
order (:mod:`harness.suites.mss_lps.scenarios`): a nominal session, a ``421`` at RCPT, a 2-second
access token then a message after its expiry, the DUI's report of the token it holds, the PSC logout
then a message asked. SC.MSS/CONF.28 can only be judged from what the DUI reports (``getMssLpsSession``
or the operator's answer): the harness cannot look into the workstation.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.core.findings import Finding, NonConformity
from harness.plugin.evidence import Scenario
from harness.suites.mss_lps.scenarios import auth_exchanges, smtp_accepted

LPS = "SC.MSS/CONF.07"
SASL_IR = "SC.MSS/CONF.09"
LOGOUT = "SC.MSS/CONF.10"
REOPEN = "SC.MSS/CONF.11"
STORAGE = "SC.MSS/CONF.28"


def _evidence(exchanges: list[Any]) -> tuple[str, ...]:
    return tuple(f"exchange {e.id}" for e in exchanges)


@pytest.mark.requirement(LPS)
def test_personal_mailbox_is_opened_with_starttls_then_xoauth2(nominal: Scenario) -> None:
    """SMTP and IMAP sessions of the personal mailbox: STARTTLS, XOAUTH2 with the mailbox and a PSC token."""
    scenario = nominal
    scenario.assert_no_findings(LPS, "API LPS: séquence de connexion / connection sequence")
    mailbox = scenario.data["mailbox"]
    for protocol, step in (("SMTP", "send"), ("IMAP", "fetch")):
        done = [e for e in auth_exchanges(scenario, protocol) if e.summary.get("success")]
        if not done:
            raise NonConformity(
                f"no {protocol} session of the mailbox was opened",
                [
                    Finding(
                        f"mss.lps.{protocol.lower()}_session",
                        LPS,
                        f"the DUI was asked to {step} with {mailbox} (answer: {scenario.data[step]}) but no {protocol} "
                        "authentication succeeded at the operator",
                        location=f"{protocol} session",
                        evidence=_evidence(auth_exchanges(scenario)),
                    )
                ],
            )
        plain = [e for e in done if e.summary.get("tls_mode") != "starttls"]
        if plain:
            raise NonConformity(
                f"the {protocol} session did not start with STARTTLS",
                [
                    Finding(
                        "mss.lps.starttls",
                        LPS,
                        f"{protocol} authenticated over TLS mode {plain[0].summary.get('tls_mode')}, the API LPS "
                        "sequence opens the session with STARTTLS",
                        location=f"{protocol} session",
                        evidence=_evidence(plain),
                    )
                ],
            )


@pytest.mark.requirement(SASL_IR)
def test_imap_sends_the_token_in_one_transaction(nominal: Scenario) -> None:
    """IMAP AUTHENTICATE XOAUTH2 carries the initial response (SASL-IR, RFC 4959)."""
    scenario = nominal
    attempts = [e for e in auth_exchanges(scenario, "IMAP") if e.summary.get("mechanism") == "XOAUTH2"]
    if not attempts:
        pytest.skip("the DUI made no IMAP XOAUTH2 authentication: SASL-IR not judged")
    without = [e for e in attempts if not e.summary.get("sasl_ir")]
    if without:
        raise NonConformity(
            "IMAP XOAUTH2 without SASL-IR",
            [
                Finding(
                    "mss.lps.sasl_ir",
                    SASL_IR,
                    "AUTHENTICATE XOAUTH2 waited for the server's continuation before sending the token: the "
                    "initial response (SASL-IR) sends it in one transaction",
                    location="IMAP AUTHENTICATE",
                    evidence=_evidence(without),
                )
            ],
        )


@pytest.mark.requirement(REOPEN)
def test_a_session_ended_by_the_operator_is_reopened(operator_ended: Scenario) -> None:
    """After ``421`` at RCPT the DUI reconnects on its own and the message goes (PSC authentication still valid)."""
    scenario = operator_ended
    sessions = [e for e in auth_exchanges(scenario, "SMTP") if e.summary.get("success")]
    if not smtp_accepted(scenario) or len(sessions) < 2:
        raise NonConformity(
            "the session ended by the operator was not reopened",
            [
                Finding(
                    "mss.lps.reopen",
                    REOPEN,
                    f"the operator answered {scenario.data['fault']!r}; the DUI answered "
                    f"{scenario.data['send'].get('outcome')} ({scenario.data['send'].get('error') or ''}) with "
                    f"{len(sessions)} SMTP session(s) and no message accepted afterwards",
                    location="SMTP session",
                    evidence=_evidence(scenario.exchanges),
                )
            ],
        )


@pytest.mark.requirement(REOPEN)
def test_an_expired_access_token_is_renewed(expired: Scenario) -> None:
    """A message asked after the access token expired goes, with a renewed token, without a new login by a human."""
    scenario = expired
    if scenario.data["connect"].get("outcome") != "connected":
        pytest.skip(f"the second PSC login did not succeed ({scenario.data['connect']}): not judged")
    after_ids = set(scenario.data["after_expiry"])
    after = [e for e in scenario.exchanges if e.id in after_ids]
    accepted = [e for e in after if e.transaction == "SMTP" and str(e.summary.get("reply", "")).startswith("250")]
    if not accepted:
        refused = [e for e in auth_exchanges(scenario, "SMTP") if not e.summary.get("success")]
        reasons = sorted({str((e.summary.get("oauth") or {}).get("reason", "")) for e in refused} - {""})
        raise NonConformity(
            "no message after the access token expired",
            [
                Finding(
                    "mss.lps.renewal",
                    REOPEN,
                    f"the access token lived {scenario.data['lifetime']} s; asked to send after it, the DUI answered "
                    f"{scenario.data['send'].get('outcome')} and the operator accepted nothing"
                    + (f" (refused: {'; '.join(reasons)})" if reasons else ""),
                    location="SMTP AUTH XOAUTH2",
                    evidence=_evidence(scenario.exchanges),
                )
            ],
        )


@pytest.mark.requirement(LOGOUT)
def test_no_session_after_the_psc_logout(logout: Scenario) -> None:
    """After the PSC logout, asked to send and to read, the DUI opens no SMTP or IMAP session."""
    scenario = logout
    opened = [e for e in auth_exchanges(scenario) if e.summary.get("mechanism") == "XOAUTH2"]
    if opened or smtp_accepted(scenario):
        raise NonConformity(
            "sessions opened after the PSC logout",
            [
                Finding(
                    "mss.lps.after_logout",
                    LOGOUT,
                    f"{len(opened)} XOAUTH2 authentication(s) after the professional logged out of Pro Santé Connect "
                    f"(DUI's answers: send {scenario.data['send'].get('outcome')}, read "
                    f"{scenario.data['fetch'].get('outcome')}): the token of the ended PSC session was still used",
                    location="SMTP/IMAP AUTH XOAUTH2",
                    evidence=_evidence(opened or smtp_accepted(scenario)),
                )
            ],
        )


@pytest.mark.requirement(STORAGE)
def test_the_access_token_is_kept_in_memory_only(token_state: Scenario, logout: Scenario) -> None:
    """The DUI keeps the PSC access token in memory, for its lifetime (as it reports it), and drops it at logout."""
    state = token_state.data["state"]
    token = state.get("token")
    if not isinstance(token, dict) or "storage" not in token:
        pytest.skip("the DUI reports no token storage (getMssLpsSession): SC.MSS/CONF.28 not judged")
    after = logout.data["state_after"]
    problems = []
    if token.get("storage") != "memory" or token.get("persisted"):
        problems.append(
            f"the DUI keeps the access token in {token.get('storage')!r} (persisted: {token.get('persisted')})"
        )
    if after.get("token"):
        problems.append("the DUI still holds an access token after the PSC logout")
    if problems:
        raise NonConformity(
            "PSC access token stored beyond its lifetime",
            [
                Finding(
                    "mss.lps.token_storage",
                    STORAGE,
                    "; ".join(problems) + " (as the DUI reports it, getMssLpsSession)",
                    location="DUI token storage",
                )
            ],
        )
