"""The API LPS at the MSSanté simulator with stock clients: XOAUTH2 with Pro Santé Connect tokens, the
application mailbox's certificate-then-PLAIN sequence (issue 13 item 2; SC.MSS/CONF.07/09/12).

Python's smtplib and imaplib as a DUI would use them, against the MSSanté simulator linked to a Pro
Santé Connect simulator whose code flow gives the tokens.
"""

from __future__ import annotations

import base64
import imaplib
import json
import smtplib
from collections.abc import Callable, Iterator

import pytest
import requests

from harness.core.recorder import Exchange, Recorder
from harness.pki import TestPki
from mocks.common.control_token import authorization_header, run_token
from mocks.mssante import MssSimulator
from mocks.mssante.auth_oauth import BearerCheck, LpsMailboxes, XOauth2Response, parse_response, token_id
from mocks.mssante.auth_psc import link_psc, link_simulators
from mocks.psc import PscSimulator
from tests.mocks.mssante.conftest import DOCTOR, DUI, DUI_PASSWORD, client_context
from tests.mocks.psc.conftest import Flow

PERSONAL = "claire.essai-martin@ehpad-essai.mssante.fr"  # owned by 899900000011 (fixtures/mssante/lps-mailboxes.json)
OTHER_PROFESSIONAL = "899900000037"


@pytest.fixture(scope="module")
def psc_sim() -> Iterator[PscSimulator]:
    sim = PscSimulator(Recorder()).start()
    yield sim
    sim.stop()


@pytest.fixture(scope="module")
def linked(sim: MssSimulator, psc_sim: PscSimulator) -> MssSimulator:
    link_psc(sim, psc_sim)
    return sim


@pytest.fixture
def token(psc_sim: PscSimulator) -> Callable[..., str]:
    """A fresh access token of the PSC simulator (``login_hint``: the professional)."""
    http = requests.Session()
    http.trust_env = False
    http.headers.update(authorization_header(run_token()))

    def issue(professional: str = "899900000011") -> str:
        return str(Flow(psc_sim, http).tokens(login_hint=professional)["access_token"])

    return issue


def xoauth2(user: str, access_token: str) -> str:
    return f"user={user}\x01auth=Bearer {access_token}\x01\x01"


def _last_auth(sim: MssSimulator, protocol: str) -> Exchange:
    found = sim.recorder.exchanges(service="MSS", transaction=f"{protocol} AUTH")
    assert found, f"no {protocol} AUTH exchange"
    return found[-1]


def _smtp(sim: MssSimulator, pki: TestPki, certificate: str | None = None) -> smtplib.SMTP:
    client = smtplib.SMTP("127.0.0.1", sim.smtp_port, timeout=10)
    client.starttls(context=client_context(pki, certificate))
    client.ehlo("stock-client.test")
    return client


def _imap(sim: MssSimulator, pki: TestPki, certificate: str | None = None) -> imaplib.IMAP4:
    client = imaplib.IMAP4("127.0.0.1", sim.imap_port, timeout=10)
    client.starttls(ssl_context=client_context(pki, certificate))
    return client


# -- the response format -------------------------------------------------------------------------


def test_the_xoauth2_response_is_read_and_a_malformed_one_named() -> None:
    assert parse_response(xoauth2("Claire@X.fr", "abc.def").encode()) == XOauth2Response("claire@x.fr", "abc.def")
    with pytest.raises(ValueError, match="user=<address>"):
        parse_response(b"user=a@b.fr\x01auth=Basic abc\x01\x01")


def test_without_a_linked_psc_every_token_is_refused() -> None:
    verdict = BearerCheck(LpsMailboxes.load()).check(XOauth2Response(PERSONAL, "t"))
    assert not verdict.ok and "no Pro Santé Connect" in verdict.reason
    assert verdict.token_id == token_id("t")


def test_link_simulators_needs_both() -> None:
    assert link_simulators({}) is False


# -- SMTP AUTH XOAUTH2 ----------------------------------------------------------------------------


def test_smtp_xoauth2_with_a_psc_token_opens_the_personal_mailbox(
    linked: MssSimulator, pki: TestPki, token: Callable[..., str]
) -> None:
    access = token()
    with _smtp(linked, pki) as client:
        assert "XOAUTH2" in client.esmtp_features["auth"]
        code, _ = client.auth("XOAUTH2", lambda challenge=None: xoauth2(PERSONAL, access), initial_response_ok=True)
        assert code == 235
        client.sendmail(PERSONAL, [DOCTOR], b"Subject: essai\r\nFrom: " + PERSONAL.encode() + b"\r\n\r\nessai\r\n")
    auth = _last_auth(linked, "SMTP")
    assert auth.summary["mechanism"] == "XOAUTH2" and auth.summary["success"] is True
    assert auth.summary["sasl_ir"] is True and auth.summary["tls_mode"] == "starttls"
    assert auth.summary["oauth"]["professional"] == "899900000011"
    assert auth.summary["oauth"]["token_id"] == token_id(access)
    assert not auth.findings
    assert access not in json.dumps(auth.summary) and access.encode() not in auth.request.body


def test_smtp_xoauth2_refusal_is_a_json_continuation_then_535(
    linked: MssSimulator, pki: TestPki, token: Callable[..., str]
) -> None:
    """Gmail's way: ``334 <base64 JSON status>``, the client's empty line, then ``535``."""
    access = token(OTHER_PROFESSIONAL)  # a live token, but not of the mailbox's owner
    challenges: list[bytes] = []

    def answer(challenge: bytes | None = None) -> str:
        if challenge:
            challenges.append(challenge)
            return ""
        return xoauth2(PERSONAL, access)

    with _smtp(linked, pki) as client, pytest.raises(smtplib.SMTPAuthenticationError) as refused:
        client.auth("XOAUTH2", answer, initial_response_ok=True)
    assert refused.value.smtp_code == 535
    assert json.loads(challenges[0]) == {"status": "401", "schemes": "Bearer", "scope": "scope_all"}
    auth = _last_auth(linked, "SMTP")
    assert auth.summary["success"] is False
    assert "does not own" in auth.summary["oauth"]["reason"]
    assert [f.requirement for f in auth.findings] == ["SC.MSS/CONF.07"]


def test_smtp_xoauth2_with_an_unknown_token_is_refused(linked: MssSimulator, pki: TestPki) -> None:
    with _smtp(linked, pki) as client, pytest.raises(smtplib.SMTPAuthenticationError):
        client.auth("XOAUTH2", lambda challenge=None: "" if challenge else xoauth2(PERSONAL, "forged.token.value"))
    assert "unknown access token" in _last_auth(linked, "SMTP").summary["oauth"]["reason"]


# -- IMAP AUTHENTICATE XOAUTH2 ----------------------------------------------------------------------


def test_imap_xoauth2_after_the_continuation(linked: MssSimulator, pki: TestPki, token: Callable[..., str]) -> None:
    access = token()
    client = _imap(linked, pki)
    try:
        assert "AUTH=XOAUTH2" in client.capabilities and "SASL-IR" in client.capabilities
        typ, _ = client.authenticate("XOAUTH2", lambda _challenge: xoauth2(PERSONAL, access).encode())
        assert typ == "OK"
        assert client.select("INBOX")[0] == "OK"
    finally:
        client.logout()
    auth = _last_auth(linked, "IMAP")
    assert auth.summary["success"] is True and auth.summary["sasl_ir"] is False
    assert auth.summary["account"] == PERSONAL


def test_imap_xoauth2_with_sasl_ir(linked: MssSimulator, pki: TestPki, token: Callable[..., str]) -> None:
    """RFC 4959: the response on the AUTHENTICATE line itself (SC.MSS/CONF.09)."""
    initial = base64.b64encode(xoauth2("accueil.ehpad-essai@ehpad-essai.mssante.fr", token()).encode()).decode()
    client = _imap(linked, pki)
    try:
        typ, _ = client._simple_command("AUTHENTICATE", "XOAUTH2", initial)
        assert typ == "OK"
        client.state = "AUTH"
    finally:
        client.logout()
    auth = _last_auth(linked, "IMAP")
    assert auth.summary["sasl_ir"] is True and auth.summary["success"] is True
    assert auth.summary["account_kind"] == "organisational"


def test_imap_xoauth2_revoked_token_gets_the_json_status_then_no(
    linked: MssSimulator, pki: TestPki, psc_sim: PscSimulator
) -> None:
    http = requests.Session()
    http.trust_env = False
    flow = Flow(psc_sim, http)
    code = flow.code()
    access = flow.token(code).json()["access_token"]
    assert flow.token(code).status_code == 400  # the replayed code revokes its tokens (RFC 6749 §4.1.2)
    challenges: list[bytes] = []

    def answer(challenge: bytes) -> bytes:
        if challenge:
            challenges.append(challenge)
            return b""
        return xoauth2(PERSONAL, access).encode()

    client = _imap(linked, pki)
    try:
        with pytest.raises(imaplib.IMAP4.error):
            client.authenticate("XOAUTH2", answer)
    finally:
        client.logout()
    assert json.loads(challenges[0])["status"] == "401"
    assert "revoked" in _last_auth(linked, "IMAP").summary["oauth"]["reason"]


# -- the application mailbox: certificate, then PLAIN with its address (SC.MSS/CONF.12) -----------


def test_application_mailbox_certificate_then_plain_is_the_strict_sequence(linked: MssSimulator, pki: TestPki) -> None:
    with _smtp(linked, pki, "client-mss-bal") as client:
        client.login(DUI, "")  # the certificate authenticates; PLAIN names the mailbox
    auth = _last_auth(linked, "SMTP")
    assert auth.summary["mechanism"] == "PLAIN" and auth.summary["success"] is True
    assert auth.summary["client_cn"] == "BAL-APPLICATIVE-DUI" and not auth.findings
    client_imap = _imap(linked, pki, "client-mss-bal")
    try:
        assert client_imap.login(DUI, "")[0] == "OK"  # RFC 3501 LOGIN
    finally:
        client_imap.logout()
    assert not _last_auth(linked, "IMAP").findings


def test_application_mailbox_with_password_only_is_a_finding(linked: MssSimulator, pki: TestPki) -> None:
    with _smtp(linked, pki) as client:
        client.login(DUI, DUI_PASSWORD)  # accepted by the operator (MSS-AUTH-01) but not the API LPS sequence
    auth = _last_auth(linked, "SMTP")
    assert auth.summary["success"] is True
    assert [(f.rule, f.requirement) for f in auth.findings] == [("mss.auth.app_sequence.certificate", "SC.MSS/CONF.12")]


def test_application_mailbox_without_its_certificate_needs_its_password(linked: MssSimulator, pki: TestPki) -> None:
    with _smtp(linked, pki) as client, pytest.raises(smtplib.SMTPAuthenticationError):
        client.login(DUI, "")
