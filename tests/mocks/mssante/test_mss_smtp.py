"""The SMTP side of the MSSanté simulator, driven with Python's standard smtplib (interoperability)."""

from __future__ import annotations

import smtplib
import socket
import ssl

import pytest

from harness.core.recorder import Exchange, Recorder
from harness.pki import TestPki
from mocks.mssante import MssSimulator
from tests.mocks.mssante.conftest import DOCTOR, DUI, DUI_PASSWORD, HARNESS, client_context, vsm_message


def _last_smtp(sim: MssSimulator, since: str) -> list[Exchange]:
    return sim.recorder.exchanges(service="MSS", transaction="SMTP", since=since)


def test_submission_with_starttls_and_auth_plain_is_recorded_raw(sim: MssSimulator, pki: TestPki) -> None:
    # given a DUI's document message, when it is submitted over STARTTLS with SASL PLAIN
    message = vsm_message()
    since = sim.recorder.mark()
    with smtplib.SMTP("127.0.0.1", sim.smtp_port, timeout=15) as smtp:
        smtp.starttls(context=client_context(pki))
        smtp.login(DUI, DUI_PASSWORD)
        refused = smtp.sendmail(DUI, [DOCTOR], message.raw)
    # then it is accepted, delivered, and recorded byte for byte with its envelope and analysis
    assert refused == {}
    (exchange,) = _last_smtp(sim, since)
    assert exchange.request.body == message.raw
    assert exchange.summary["account"] == DUI and exchange.summary["tls_mode"] == "starttls"
    assert exchange.tags["message_id"] == message.message_id
    assert exchange.tags["recipient_kinds"] == "personal"
    assert [f for f in exchange.findings if f.severity.value == "error"] == []
    assert sim.store.messages(DOCTOR, message_id=message.message_id)


def test_auth_login_mechanism_works_too(sim: MssSimulator, pki: TestPki) -> None:
    with smtplib.SMTP("127.0.0.1", sim.smtp_port, timeout=15) as smtp:
        smtp.starttls(context=client_context(pki))
        smtp.ehlo()
        assert "LOGIN" in smtp.esmtp_features["auth"] and "EXTERNAL" not in smtp.esmtp_features["auth"]
        smtp.user, smtp.password = DUI, DUI_PASSWORD
        code, _ = smtp.auth("LOGIN", smtp.auth_login, initial_response_ok=False)
    assert code == 235


def test_no_authentication_before_starttls(sim: MssSimulator) -> None:
    # given a client that does not encrypt, then AUTH is not even offered and MAIL is refused
    since = sim.recorder.mark()
    with smtplib.SMTP("127.0.0.1", sim.smtp_port, timeout=15) as smtp:
        smtp.ehlo()
        assert "auth" not in smtp.esmtp_features and "starttls" in smtp.esmtp_features
        with pytest.raises(smtplib.SMTPNotSupportedError):
            smtp.login(DUI, DUI_PASSWORD)
        code, reply = smtp.mail(DUI)
    assert code == 530 and b"STARTTLS" in reply
    refusals = _last_smtp(sim, since)
    assert refusals and refusals[-1].findings[0].requirement == "MSS-AUTH-01"


def test_wrong_password_is_refused(sim: MssSimulator, pki: TestPki) -> None:
    with smtplib.SMTP("127.0.0.1", sim.smtp_port, timeout=15) as smtp:
        smtp.starttls(context=client_context(pki))
        with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
            smtp.login(DUI, "not-the-password")
    assert refused.value.smtp_code == 535


def test_mail_without_authentication_is_refused(sim: MssSimulator, pki: TestPki) -> None:
    with smtplib.SMTP("127.0.0.1", sim.smtp_port, timeout=15) as smtp:
        smtp.starttls(context=client_context(pki))
        smtp.ehlo()
        code, _ = smtp.mail(DUI)
    assert code == 530


def test_implicit_tls_with_a_client_certificate_needs_no_auth(sim: MssSimulator, pki: TestPki) -> None:
    # given the harness's certificate (CN dui-harness = the harness's applicative mailbox)
    since = sim.recorder.mark()
    with smtplib.SMTP_SSL(
        "127.0.0.1", sim.smtps_port, context=client_context(pki, "client-harness"), timeout=15
    ) as smtp:
        assert smtp.sendmail(HARNESS, [DUI], vsm_message(HARNESS, DUI).raw) == {}
    (exchange,) = _last_smtp(sim, since)
    assert exchange.summary["tls_mode"] == "implicit" and exchange.summary["account"] == HARNESS
    assert exchange.tls_client_subject == "dui-harness"


def test_sasl_external_names_the_certificate_mailbox(sim: MssSimulator, pki: TestPki) -> None:
    with smtplib.SMTP_SSL(
        "127.0.0.1", sim.smtps_port, context=client_context(pki, "client-mss-bal"), timeout=15
    ) as smtp:
        smtp.ehlo()
        code, _ = smtp.auth("EXTERNAL", lambda challenge=None: "")
        assert code == 235
        assert smtp.sendmail(DUI, [DOCTOR], vsm_message().raw) == {}


def test_sasl_external_without_a_known_certificate_is_refused(sim: MssSimulator, pki: TestPki) -> None:
    with smtplib.SMTP_SSL(
        "127.0.0.1", sim.smtps_port, context=client_context(pki, "client-insi-auto"), timeout=15
    ) as smtp:
        smtp.ehlo()
        with pytest.raises(smtplib.SMTPAuthenticationError):
            smtp.auth("EXTERNAL", lambda challenge=None: "")


def test_operator_rules_on_the_envelope(sim: MssSimulator, pki: TestPki) -> None:
    since = sim.recorder.mark()
    with smtplib.SMTP("127.0.0.1", sim.smtp_port, timeout=15) as smtp:
        smtp.starttls(context=client_context(pki))
        smtp.login(DUI, DUI_PASSWORD)
        # another mailbox as sender
        assert smtp.mail(DOCTOR)[0] == 553
        smtp.rset()
        assert smtp.mail(DUI)[0] == 250
        # outside the MSSanté space, an unknown MSSanté mailbox, a patient mailbox with a wrong INS key
        assert smtp.rcpt("someone@gmail.com")[0] == 550
        assert smtp.rcpt("nobody@chu-essai.mssante.fr")[0] == 550
        assert smtp.rcpt("244037505690100@patient.mssante.fr")[0] == 550
        assert smtp.rcpt("244037505690173@patient.mssante.fr")[0] == 250
    replies = [e.summary["reply"][:3] for e in _last_smtp(sim, since)]
    assert replies.count("550") == 3 and "553" in replies


def test_message_over_the_size_limit_is_refused_and_nothing_is_stored(sim: MssSimulator, pki: TestPki) -> None:
    # given a message larger than the simulator's SIZE (256 KiB in these tests)
    big = vsm_message().raw + b"X" * 300_000 + b"\r\n"
    before = len(sim.store.messages(DOCTOR))
    with smtplib.SMTP("127.0.0.1", sim.smtp_port, timeout=15) as smtp:
        smtp.starttls(context=client_context(pki))
        smtp.ehlo()
        assert int(smtp.esmtp_features["size"]) == sim.max_message_bytes
        smtp.login(DUI, DUI_PASSWORD)
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            smtp.sendmail(DUI, [DOCTOR], big)
    assert refused.value.smtp_code == 552
    assert len(sim.store.messages(DOCTOR)) == before


def test_injected_reply_is_answered_and_recorded(sim: MssSimulator, pki: TestPki) -> None:
    sim.faults.add("smtp_reply", "DATA", reply="451 4.3.0 Try again later (injected)")
    since = sim.recorder.mark()
    with smtplib.SMTP("127.0.0.1", sim.smtp_port, timeout=15) as smtp:
        smtp.starttls(context=client_context(pki))
        smtp.login(DUI, DUI_PASSWORD)
        with pytest.raises(smtplib.SMTPDataError) as refused:
            smtp.sendmail(DUI, [DOCTOR], vsm_message().raw)
    assert refused.value.smtp_code == 451
    assert _last_smtp(sim, since)[-1].fault_injected == "smtp_reply {'reply': '451 4.3.0 Try again later (injected)'}"


def test_broken_tls_is_recorded_and_the_server_keeps_serving(sim: MssSimulator, pki: TestPki) -> None:
    # given a client speaking clear text to the implicit-TLS port, and one that does not trust the CA
    since = sim.recorder.mark()
    with socket.create_connection(("127.0.0.1", sim.smtps_port), timeout=15) as raw:
        raw.sendall(b"EHLO clear-text\r\n")
        raw.recv(100)
    untrusting = ssl.create_default_context()  # system CAs only: the test CA is unknown
    with pytest.raises(ssl.SSLError):
        smtplib.SMTP_SSL("127.0.0.1", sim.smtps_port, context=untrusting, timeout=15)
    # then the handshake failure is recorded as a finding, and a good client is still served
    failures = sim.recorder.wait_for(service="MSS", transaction="TLS", since=since, timeout=15)
    assert failures and failures[0].findings[0].requirement == "MSS-AUTH-01"
    with smtplib.SMTP_SSL("127.0.0.1", sim.smtps_port, context=client_context(pki), timeout=15) as smtp:
        assert smtp.noop()[0] == 250


def test_malformed_message_is_accepted_with_findings_and_not_lost(sim: MssSimulator, pki: TestPki) -> None:
    # given a message whose multipart never closes and has no Date, Message-ID or X-MSS-NIL
    broken = (
        b"From: dui.reference@ehpad-essai.mssante.fr\r\nTo: jean.medecin-essai@chu-essai.mssante.fr\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XYZ\r\n\r\n--XYZ\r\n"
        b"Content-Type: text/plain\r\n\r\nhello\r\n"
    )
    since = sim.recorder.mark()
    with smtplib.SMTP("127.0.0.1", sim.smtp_port, timeout=15) as smtp:
        smtp.starttls(context=client_context(pki))
        smtp.login(DUI, DUI_PASSWORD)
        assert smtp.sendmail(DUI, [DOCTOR], broken) == {}
    (exchange,) = _last_smtp(sim, since)
    requirements = {f.requirement for f in exchange.findings}
    assert {"MSS-MIME-01", "SC.MSS/CONF.16"} <= requirements
    assert any(m.raw == broken for m in sim.store.messages(DOCTOR))


def test_without_tls_settings_mail_runs_in_clear_text_with_warnings() -> None:
    # given a simulator started with --dui-no-tls (no PKI): only submission and IMAP, in clear text
    with MssSimulator(Recorder()) as plain:
        assert isinstance(plain, MssSimulator)
        assert set(plain.ports) == {"submission", "imap"}
        with smtplib.SMTP("127.0.0.1", plain.smtp_port, timeout=15) as smtp:
            smtp.login(DUI, DUI_PASSWORD)
            assert smtp.sendmail(DUI, [DOCTOR], vsm_message().raw) == {}
        (exchange,) = plain.recorder.exchanges(transaction="SMTP")
        warnings = [f for f in exchange.findings if f.rule == "mss.smtp.cleartext"]
        assert warnings and warnings[0].severity.value == "warning"
