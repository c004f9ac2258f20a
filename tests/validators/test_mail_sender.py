"""harness.validators.mail.sender: display name, body format, application-mailbox mention and Reply-To."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP

from harness.validators.mail.mime import parse_message
from harness.validators.mail.sender import check_application_mailbox, check_body_format, check_display_name

APP = "dui.reference@ehpad-essai.mssante.fr"
KINDS = {
    APP: "applicative",
    "accueil@ehpad-essai.mssante.fr": "organisational",
    "jean@chu-essai.mssante.fr": "personal",
}


def _message(
    *,
    sender: str = f'"DUI de référence" <{APP}>',
    body: str = "Ce message a été généré automatiquement.",
    html: str | None = None,
    reply_to: str | None = "accueil@ehpad-essai.mssante.fr",
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "jean@chu-essai.mssante.fr"
    message["Subject"] = "essai"
    if reply_to:
        message["Reply-To"] = reply_to
    if html is not None and not body:
        message.set_content(html, subtype="html")
    else:
        message.set_content(body)
        if html is not None:
            message.add_alternative(html, subtype="html")
    message.add_attachment(b"PK\x05\x06" + b"\0" * 18, maintype="application", subtype="zip", filename="IHE_XDM.ZIP")
    return message.as_bytes(policy=SMTP)


def _rules(raw: bytes) -> set[str]:
    parsed = parse_message(raw)
    found = check_display_name(parsed) + check_body_format(parsed) + check_application_mailbox(parsed, KINDS.get)
    return {f.rule for f in found}


def test_a_well_presented_application_message_has_no_finding() -> None:
    assert _rules(_message()) == set()
    assert _rules(_message(html="<p>Ce message a été généré automatiquement.</p>")) == set()


def test_a_bare_sender_address_has_no_display_name() -> None:
    assert _rules(_message(sender=APP)) == {"mss.name.missing"}
    assert _rules(_message(sender=f'"{APP}" <{APP}>')) == {"mss.name.missing"}


def test_an_html_only_body_is_refused() -> None:
    # given an HTML-only body that still says it is automatic: only the body format is wrong
    assert _rules(_message(body="", html="<p>Message généré automatiquement</p>")) == {"mss.body.format"}


def test_application_mailbox_needs_the_mention_and_a_human_reply_to() -> None:
    assert _rules(_message(body="Bonjour")) == {"mss.app.mention"}
    assert _rules(_message(reply_to=None)) == {"mss.app.reply_to"}
    assert _rules(_message(reply_to=APP)) == {"mss.app.reply_to"}
    assert _rules(_message(reply_to="inconnu@ailleurs.mssante.fr")) == {"mss.app.reply_to"}
    assert _rules(_message(reply_to="jean@chu-essai.mssante.fr")) == set()


def test_a_personal_mailbox_has_no_application_rules() -> None:
    assert _rules(_message(sender='"Dr Jean" <jean@chu-essai.mssante.fr>', body="Bonjour", reply_to=None)) == set()
