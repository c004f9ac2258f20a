"""The MTOM split without the email parser (harness.validators.xds.mime_fast): the same message, or no answer."""

from __future__ import annotations

import pytest

from harness.validators.xds import mime
from harness.validators.xds.mime import MimeError, SoapMessage, split_message
from harness.validators.xds.mime_fast import simple_parts
from mocks.dmp.mtom import package
from mocks.dmp.samples import iti41_request
from tests.mocks.dmp.conftest import document


def _by_the_email_parser(body: bytes, ctype: str, monkeypatch: pytest.MonkeyPatch) -> SoapMessage | str:
    with monkeypatch.context() as patch:
        patch.setattr(mime, "simple_parts", lambda body, boundary: None)
        try:
            return split_message(body, ctype)
        except MimeError as exc:
            return f"MimeError: {exc}"


def _either(body: bytes, ctype: str) -> SoapMessage | str:
    try:
        return split_message(body, ctype)
    except MimeError as exc:
        return f"MimeError: {exc}"


def _boundary(ctype: str) -> str:
    return ctype.split('boundary="', 1)[1].split('"', 1)[0]


def _variants() -> list[tuple[str, bytes, str, bool]]:
    """(name, body, content type, whether the fast split takes it)."""
    body, ctype = iti41_request([document("VSM"), document("N1")], signer=None)
    answer, answer_type = package(b"<env/>", "urn:x", mtom=True, attachments={"doc1@x": (b"\x00\r\n--\xff", "a/b")})
    b = _boundary(ctype).encode()
    first_cte = body.index(b"Content-Transfer-Encoding: base64")
    attachment = b"Content-Type: application/octet-stream"
    return [
        ("iti41", body, ctype, True),
        ("binary-attachment", answer, answer_type, True),
        ("lf-line-endings", body.replace(b"\r\n", b"\n"), ctype, False),
        ("preamble", b"preamble\r\n" + body, ctype, False),
        ("epilogue", body + b"epilogue\r\n", ctype, False),
        ("folded-header", body.replace(b"Content-ID: <", b"Content-ID:\r\n <", 1), ctype, False),
        ("spaced-encoding", body[:first_cte] + body[first_cte:].replace(b"base64", b"base64 ", 1), ctype, False),
        ("bad-base64", body[: body.rindex(b"\r\n--" + b)] + b"!\r\n--" + b + b"--\r\n", ctype, False),
        ("message-part", body.replace(attachment, b"Content-Type: message/rfc822", 1), ctype, False),
        ("no-close", body[: body.rindex(b"--" + b)], ctype, False),
        ("odd-delimiter", body.replace(b"\r\n--" + b + b"\r\n", b"\r\n--" + b + b"  \r\n", 1), ctype, False),
    ]


@pytest.mark.parametrize("name", [v[0] for v in _variants()])
def test_the_fast_split_gives_the_email_parser_s_message_or_steps_aside(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    [(_, body, ctype, taken)] = [v for v in _variants() if v[0] == name]
    # the fast split takes only the simple bodies …
    assert (simple_parts(body, _boundary(ctype)) is not None) is taken
    # … and what split_message answers (message or error) is what the email parser alone answers
    assert _either(body, ctype) == _by_the_email_parser(body, ctype, monkeypatch)
