"""MSSanté message validation: headers against the attached CDA, IHE_XDM archive, MIME form, MDN."""

from __future__ import annotations

import io
import zipfile
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from harness.core.findings import Finding, Severity
from harness.suites.mss.documents import MssPerson, cda_for, mss_person
from harness.suites.mss.messages import document_message, xdm_archive
from harness.validators.mail import validate_message
from harness.validators.mail.mdn import read_mdn
from harness.validators.mail.mime import parse_message
from harness.validators.mail.xdm import read_xdm
from harness.validators.mail.ziparchive import ZipLimits, read_zip
from reference_dui.mssante.pdf import PrintedIdentity, build_pdf
from tests.support import SHARED_REFERENCE, need_reference

SENDER = "dui.reference@ehpad-essai.mssante.fr"
DOCTOR = "jean.medecin-essai@chu-essai.mssante.fr"
HELENE = mss_person("mss-roux-helene")
PATIENT = f"{HELENE.ins}@patient.mssante.fr"


def _errors(findings: list[Finding], requirement: str | None = None) -> list[Finding]:
    return [
        f for f in findings if f.severity is Severity.ERROR and (requirement is None or f.requirement == requirement)
    ]


def _pdf_copy(person: MssPerson) -> bytes:
    """The PDF/A-1 copy of a document about ``person`` (the reference DUI's generator)."""
    t = person.traits
    return build_pdf(
        PrintedIdentity(t.birth_name, t.first_names, t.sex, t.birth_date, t.birth_place or "", person.ins, person.oid),
        "Note",
        "Corps",
    )


def _message(*, documents: list[bytes] | None = None, to: str = DOCTOR, ack: bool = False) -> EmailMessage:
    built = document_message(SENDER, to, documents or [cda_for("vsm", HELENE)], acknowledgement=ack)
    parsed = message_from_bytes(built.raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    if documents is None:  # the document also travels as PDF/A-1 (MSS-PDF-01)
        parsed.add_attachment(_pdf_copy(HELENE), maintype="application", subtype="pdf", filename="NOTE.pdf")
    return parsed


def _validate(message: EmailMessage, **kwargs: object) -> list[Finding]:
    return validate_message(message.as_bytes(policy=policy.SMTP), envelope_sender=SENDER, **kwargs).findings  # type: ignore[arg-type]


def test_a_conformant_document_message_has_no_error() -> None:
    message = _message(ack=True)
    assert _errors(_validate(message, recipients=[DOCTOR], ack_requested=True)) == []


@pytest.mark.parametrize(
    ("header", "value", "requirement"),
    [
        ("X-MSS-NIL", None, "SC.MSS/CONF.16"),
        ("X-MSS-NIL", "", "SC.MSS/CONF.16"),
        ("X-MSS-CODECDA", None, "SC.MSS/CONF.15"),
        ("X-MSS-CODECDA", "11488-4", "SC.MSS/CONF.15"),
        ("X-MSS-INS", None, "SC.MSS/CONF.14"),
        ("X-MSS-INS", "N", "SC.MSS/CONF.14"),
        ("Subject", "Document", "MSS-SUBJ-01"),
        ("From", '"Autre" <autre@chu-essai.mssante.fr>', "MSS-FROM-01"),
        ("From", SENDER, "MSS-NAME-01"),
    ],
)
def test_each_header_rule_names_its_requirement(header: str, value: str | None, requirement: str) -> None:
    # given a conformant message with one header removed or changed
    message = _message()
    del message[header]
    if value is not None:
        message[header] = value
    # then exactly that requirement is broken
    assert {f.requirement for f in _errors(_validate(message, recipients=[DOCTOR]))} == {requirement}


def test_x_mss_ins_o_without_a_qualified_ins() -> None:
    # given a CDA whose INS lacks the birth place (traits incomplete): the INS is not qualified
    message = _message(documents=[cda_for("vsm", HELENE, drop=("birth_place",))])
    del message["X-MSS-INS"]
    message["X-MSS-INS"] = "O"
    findings = _errors(_validate(message, recipients=[DOCTOR]), "SC.MSS/CONF.14")
    assert findings and "N is expected" in findings[0].message


def test_headers_about_a_cda_without_an_archive_are_refused() -> None:
    message = EmailMessage()
    for name, value in (
        ("From", f'"DUI" <{SENDER}>'),
        ("To", DOCTOR),
        ("Date", "Mon, 5 Jan 2026 10:00:00 +0100"),
        ("Message-ID", "<x@ehpad-essai.mssante.fr>"),
        ("X-MSS-NIL", "NIL"),
        ("X-MSS-CODECDA", "SYNTH"),
        ("X-MSS-INS", "O"),
        ("Subject", "Bonjour"),
    ):
        message[name] = value
    message.set_content("Pas de document.")
    requirements = {f.requirement for f in _errors(_validate(message))}
    assert requirements == {"SC.MSS/CONF.15", "SC.MSS/CONF.14"}


def test_patient_recipient_needs_x_mss_mes_fin() -> None:
    message = _message(to=PATIENT)
    assert _errors(_validate(message, recipients=[PATIENT])) != []
    assert {f.requirement for f in _errors(_validate(message, recipients=[PATIENT]))} == {"SC.MSS/CONF.21"}
    message["X-MSS-MES"] = "FIN"
    assert _errors(_validate(message, recipients=[PATIENT])) == []


def test_acknowledgement_request_needs_disposition_notification_to() -> None:
    message = _message(ack=False)
    assert {f.requirement for f in _errors(_validate(message, ack_requested=True))} == {"MSS-ACK-01"}


def _rezip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _entries(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_xdm_without_metadata_fails_the_layout_but_the_cda_is_still_read() -> None:
    entries = _entries(xdm_archive([cda_for("vsm", HELENE)]))
    del entries["IHE_XDM/SUBSET01/METADATA.XML"]
    report = read_xdm(_rezip(entries), location="IHE_XDM.ZIP")
    assert [f.rule for f in report.findings] == ["xdm.layout.metadata"]
    assert report.cda_reports and report.cda_reports[0].header.code == "SYNTH"


def test_metadata_must_match_the_document_it_describes() -> None:
    # given a document changed after METADATA.XML was written (hash, size) and a wrong patientId
    entries = _entries(xdm_archive([cda_for("vsm", HELENE)]))
    entries["IHE_XDM/SUBSET01/DOC0001.XML"] += b"\n"
    entries["IHE_XDM/SUBSET01/METADATA.XML"] = entries["IHE_XDM/SUBSET01/METADATA.XML"].replace(
        HELENE.ins.encode(), b"299129912345662"
    )
    del entries["README.TXT"]
    report = read_xdm(_rezip(entries), location="IHE_XDM.ZIP")
    rules = sorted(f.rule for f in _errors(report.findings))
    assert rules == ["xdm.layout.root", "xdm.metadata.hash", "xdm.metadata.patient_id", "xdm.metadata.size"]


def test_path_traversal_bomb_and_corrupt_archives_are_refused_without_extraction() -> None:
    traversal = _rezip({"../../etc/passwd": b"x", "IHE_XDM/SUBSET01/..\\evil.xml": b"y", "/abs.txt": b"z"})
    assert [f.rule for f in read_zip(traversal, requirement="R", location="z").findings] == ["xdm.zip.path"] * 3
    bomb = _rezip({"IHE_XDM/SUBSET01/DOC0001.XML": b"\0" * (4 * 1024 * 1024)})
    assert [f.rule for f in read_zip(bomb, requirement="R", location="z").findings] == ["xdm.zip.bomb"]
    limited = read_zip(bomb, requirement="R", location="z", limits=ZipLimits(entry_bytes=1024))
    assert [f.rule for f in limited.findings] == ["xdm.zip.size"]
    flood = _rezip({f"f{i}.txt": b"" for i in range(70)})
    assert [f.rule for f in read_zip(flood, requirement="R", location="z").findings] == ["xdm.zip.entries"]
    corrupt = read_zip(b"PK\x03\x04 not really a zip", requirement="R", location="z")
    assert not corrupt.readable and corrupt.findings[0].rule == "xdm.zip.corrupt"


def test_malformed_mime_gives_findings_not_exceptions() -> None:
    unclosed = b"From: a@b.mssante.fr\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\nno part"
    assert {f.rule for f in parse_message(unclosed).findings} >= {"mail.mime.defect", "mail.header.required"}
    eight_bit = "From: a@b.mssante.fr\r\nSubject: Intégration\r\n\r\nx".encode()
    assert "mail.header.8bit" in {f.rule for f in parse_message(eight_bit).findings}
    long_line = b"From: a@b.mssante.fr\r\n\r\n" + b"x" * 2000
    assert "mail.line.length" in {f.rule for f in parse_message(long_line).findings}
    nested = b"From: a@b.mssante.fr\r\nMIME-Version: 1.0\r\n"
    for depth in range(40):
        nested += f"Content-Type: multipart/mixed; boundary=b{depth}\r\n\r\n--b{depth}\r\n".encode()
    assert "mail.mime.depth" in {f.rule for f in parse_message(nested).findings}
    assert parse_message(b"").findings[0].rule == "mail.empty"
    assert parse_message(b"x" * 100, max_bytes=10).findings[0].rule == "mail.size"


def test_reference_mdn_example_reads_error_902() -> None:
    path = SHARED_REFERENCE / "mssante-trans-cda" / "MDN_example_KO.eml"
    need_reference(path, f"reference MDN example absent: {path} (shared/reference beside the repo)")
    report = read_mdn(parse_message(path.read_bytes()))
    assert report.error_code == "902" and report.error_label == "Identifiant de patient inconnu"
    assert report.disposition_type == "processed" and report.original_message_id
    assert _errors(report.findings) == []


def test_mdn_structure_and_error_codes() -> None:
    head = (
        "From: dui.reference@ehpad-essai.mssante.fr\r\nTo: x@chu-essai.mssante.fr\r\n"
        "Date: Mon, 5 Jan 2026 10:00:00 +0100\r\nMessage-ID: <m@ehpad-essai.mssante.fr>\r\n"
        "Subject: {subject}\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=disposition-notification; boundary=R\r\n\r\n"
        "--R\r\nContent-Type: text/plain\r\n\r\nhuman\r\n"
        "--R\r\nContent-Type: message/disposition-notification\r\n\r\n"
        "Final-Recipient: rfc822;x@chu-essai.mssante.fr\r\nOriginal-Message-ID: <o@x>\r\nDisposition: {disposition}"
        "\r\n\r\n--R--\r\n"
    )
    ok = read_mdn(
        parse_message(
            head.format(subject="OK", disposition="automatic-action/MDN-sent-automatically; processed").encode()
        )
    )
    assert ok.success and [f.rule for f in ok.findings] == ["mdn.original"]  # warning only: no part 3
    bad = read_mdn(
        parse_message(
            head.format(
                subject="KO", disposition="automatic-action/MDN-sent-automatically; processed/Error: 999"
            ).encode()
        )
    )
    assert {f.rule for f in _errors(bad.findings)} == {"mdn.error.code", "mdn.error.label", "mdn.error.subject"}
    syntax = read_mdn(parse_message(head.format(subject="x", disposition="processed").encode()))
    assert [f.rule for f in _errors(syntax.findings)] == ["mdn.disposition.syntax"]


def test_a_document_invisible_to_the_patient_never_goes_to_a_patient_mailbox() -> None:
    # given a document marked INVISIBLE_PATIENT in METADATA.XML (XDS confidentialityCode, TRE_A07)
    built = document_message(
        SENDER, PATIENT, [cda_for("vsm", HELENE)], acknowledgement=False, invisible_to_patient=True
    )
    message = message_from_bytes(built.raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    message["X-MSS-MES"] = "FIN"
    message.add_attachment(_pdf_copy(HELENE), maintype="application", subtype="pdf", filename="NOTE.pdf")
    # then sending it to the patient breaks MSS-PAT-01, sending it to a professional does not
    assert {f.requirement for f in _errors(_validate(message, recipients=[PATIENT]))} == {"MSS-PAT-01"}
    del message["To"]
    message["To"] = DOCTOR
    assert _errors(_validate(message, recipients=[DOCTOR])) == []


def test_a_document_message_without_its_pdf_a1_copy_breaks_mss_pdf_01() -> None:
    # given a document message whose IHE_XDM.ZIP holds one CDA and no PDF attachment
    built = document_message(SENDER, DOCTOR, [cda_for("vsm", HELENE)], acknowledgement=False)
    message = message_from_bytes(built.raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    # then only MSS-PDF-01 is broken: the copy is missing
    assert {f.requirement for f in _errors(_validate(message, recipients=[DOCTOR]))} == {"MSS-PDF-01"}
