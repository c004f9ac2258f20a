"""What the MSSanté checks share between messages (issue 18): parsed headers, judged archives and PDF readings.

Sharing must change nothing but the time: the same findings, the same header values and defects, and
no report that another caller can change.
"""

from __future__ import annotations

from email.headerregistry import HeaderRegistry

from harness.suites.mss.documents import cda_for, mss_person
from harness.suites.mss.messages import document_message
from harness.validators.mail import validate_message
from harness.validators.mail.headerregistry import SHARED_CHARS, SHARED_VALUE, SharedHeaderRegistry
from harness.validators.mail.xdm import _JUDGED, read_xdm
from harness.validators.pdf import render
from reference_dui.mssante.pdf import PrintedIdentity, build_pdf

SENDER = "dui.reference@ehpad-essai.mssante.fr"
DOCTOR = "jean.medecin-essai@chu-essai.mssante.fr"
VALUES = [
    ("Content-Type", 'application/zip; name="IHE_XDM.ZIP"'),
    ("Content-Type", "text/plain; charset=utf-8; format=flowed; delsp=yes"),
    ("Content-Type", "multipart/mixed; boundary=="),  # a defect: an empty boundary value
    ("From", '"Dr Jean Médecin" <jean.medecin-essai@chu-essai.mssante.fr>'),
    ("To", "a@b.fr, <not an address"),
    ("Date", "Sun, 06 Dec 2026 20:00:00 +0100"),
    ("Date", "not a date"),
    ("Message-ID", "<1@x>"),
    ("X-MSS-NIL", "2.16.840.1.113883.6.1^11488-4"),
]


def test_a_shared_header_is_the_header_the_stdlib_parses() -> None:
    shared, plain = SharedHeaderRegistry(), HeaderRegistry()
    for name, value in VALUES:
        for header in (shared(name, value), shared(name, value)):
            expected = plain(name, value)
            assert (str(header), type(header).__mro__[1:]) == (str(expected), type(expected).__mro__[1:])
            assert [type(d) for d in header.defects] == [type(d) for d in expected.defects]
    assert type(shared("Subject", "a")) is type(shared("SUBJECT", "b"))  # one class per header name


def test_only_short_values_are_shared() -> None:
    shared = SharedHeaderRegistry()
    short, long = "a" * SHARED_VALUE, "a" * (SHARED_VALUE + 1)
    assert shared("Subject", short) is shared("Subject", short)
    assert shared("Subject", long) is not shared("Subject", long)


def test_the_shared_values_are_bounded_by_their_characters() -> None:
    # a parsed header holds its parse tree (~0.8 kB a character): distinct values must not pile up
    shared = SharedHeaderRegistry()
    first = shared("Message-ID", "<0@essai>")
    for number in range(1, 2 * SHARED_CHARS // 10):
        shared("Message-ID", f"<{number}@essai>")
    assert sum(len(value) for _, value in shared._values) <= SHARED_CHARS
    assert shared("Message-ID", "<0@essai>") is not first  # the table started again: parsed anew


def test_the_same_archive_in_two_messages_is_judged_once_with_the_same_findings() -> None:
    raw = document_message(SENDER, DOCTOR, [cda_for("vsm", mss_person("mss-roux-helene"))], acknowledgement=False).raw
    first, second = raw, raw.replace(b"Message-ID: <", b"Message-ID: <two.", 1)
    assert first != second
    misses = _JUDGED.misses
    one = validate_message(first, envelope_sender=SENDER, recipients=[DOCTOR])
    two = validate_message(second, envelope_sender=SENDER, recipients=[DOCTOR])
    assert one.findings == two.findings and one.summary()["documents"] == two.summary()["documents"]
    assert _JUDGED.misses <= misses + 1
    # each report owns its lists: changing one leaves the other (and the next caller's) alone
    one.xdm[0].findings.clear()
    one.xdm[0].documents.clear()
    again = read_xdm(one.parsed.attachments[0].data, location=two.xdm[0].location)
    assert again.findings == two.xdm[0].findings and len(again.documents) == len(two.xdm[0].documents) == 1


def test_the_same_pdf_is_rendered_and_decoded_once() -> None:
    printed = PrintedIdentity(
        "ROUX-MSSESSAI", ("HELENE",), "F", "1944-03-09", "75056", "244037505690173", "1.2.250.1.213.1.4.10"
    )
    data = build_pdf(printed, "Note partagée", "Corps")
    first = render.datamatrix_payloads(data)
    hits = render._PAYLOADS.hits
    assert render.datamatrix_payloads(data) == first and isinstance(first, list) and len(first) == 1
    assert render._PAYLOADS.hits == hits + 1
