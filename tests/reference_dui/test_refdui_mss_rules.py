"""The reference DUI's MSSanté message rules: answers, refusals, DSN, new versions, PDF/A-1 copy."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

from reference_dui.mssante.reply import Received, headers_of, reply_message


def _received(**headers: str) -> EmailMessage:
    message = EmailMessage()
    for name, value in {
        "From": '"Dr Jean" <jean@chu-essai.mssante.fr>',
        "Subject": "Suivi",
        "Message-ID": "<q@chu-essai.mssante.fr>",
        **headers,
    }.items():
        message[name] = value
    message.set_content("Question")
    parsed = email.message_from_bytes(message.as_bytes(), _class=EmailMessage, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_an_answer_keeps_the_thread_and_goes_to_reply_to() -> None:
    # given a received message that is itself an answer, with a Reply-To
    kept = headers_of(_received(**{"References": "<a@x.fr>", "Reply-To": "secretariat@chu-essai.mssante.fr"}))
    assert kept == Received("<q@chu-essai.mssante.fr>", "secretariat@chu-essai.mssante.fr", "Suivi", "<a@x.fr>")
    # when the DUI answers it
    answer = reply_message(kept, "dui@ehpad-essai.mssante.fr", "accueil@ehpad-essai.mssante.fr", "Merci", set())
    # then the answer is threaded, addressed to Reply-To, and says it is automatic
    assert answer["In-Reply-To"] == "<q@chu-essai.mssante.fr>"
    assert answer["References"] == "<a@x.fr> <q@chu-essai.mssante.fr>"
    assert answer["To"] == "secretariat@chu-essai.mssante.fr" and answer["Subject"] == "Re: Suivi"
    assert answer["Message-ID"] != kept.message_id and "automatiquement" in answer.get_content()


def test_the_defect_drops_the_threading_headers() -> None:
    kept = headers_of(_received())
    assert kept is not None
    answer = reply_message(kept, "dui@ehpad-essai.mssante.fr", None, "Merci", {"mss_reply_no_references"})
    assert answer["In-Reply-To"] is None and answer["References"] is None


def test_a_message_without_message_id_cannot_be_answered() -> None:
    message = _received()
    del message["Message-ID"]
    assert headers_of(message) is None
