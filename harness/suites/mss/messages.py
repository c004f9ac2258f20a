"""MSSanté messages the harness sends to a DUI: an IHE_XDM.ZIP around CDA documents, in MIME.

The harness plays the other professionals of the MSSanté space: a hospital whose software
sends documents to the DUI's mailbox (receiving scenarios). What it builds follows what it
checks in the DUI's own messages (:mod:`harness.validators.mail`): XDM layout and
METADATA.XML (ebRIM, IHE ITI TF-3 §4.1.12), X-MSS-* headers, subject convention,
``Disposition-Notification-To`` when an acknowledgement is wanted.
"""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, make_msgid

from lxml import etree

from harness.validators.cda import read_header
from harness.validators.mail.xdm import (
    DOCUMENT_ENTRY,
    LCM,
    RIM,
    SCHEME_CONFIDENTIALITY,
    SCHEME_PATIENT_ID,
    SCHEME_UNIQUE_ID,
)
from harness.validators.safexml import parse_xml

__all__ = ["DEPRECATED", "HARNESS_NIL", "BuiltMessage", "document_message", "xdm_archive"]

HARNESS_NIL = "DUI-HARNESS-TEST-NIL"
SUBMISSION_SET = "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"
SCHEME_SET_UNIQUE_ID = "urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8"
SCHEME_SET_SOURCE_ID = "urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832"
SCHEME_SET_PATIENT_ID = "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446"
#: the ebRIM status of a DocumentEntry whose document is withdrawn: the bench's deletion request (see
#: :mod:`harness.suites.mss.updates`)
DEPRECATED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated"
INS_OIDS = ("1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.9", "1.2.250.1.213.1.4.10", "1.2.250.1.213.1.4.11")


@dataclass(frozen=True)
class BuiltMessage:
    """A message ready to deliver: its bytes, Message-ID and what it carries."""

    raw: bytes
    message_id: str
    subject: str
    codes: tuple[str, ...]


def _patient_cx(cda: bytes) -> str:
    root = parse_xml(cda)
    ids = root.xpath("cda:recordTarget/cda:patientRole/cda:id", namespaces={"cda": "urn:hl7-org:v3"})
    chosen = next((i for i in ids if i.get("root") in INS_OIDS), ids[0] if ids else None)
    if chosen is None:
        return "UNKNOWN^^^&1.2.250.1.213.1.1.9.999.1&ISO^PI"
    kind = "NH" if chosen.get("root") in INS_OIDS else "PI"
    return f"{chosen.get('extension')}^^^&{chosen.get('root')}&ISO^{kind}"


def _slot(parent: etree._Element, name: str, *values: str) -> None:
    slot = etree.SubElement(parent, f"{{{RIM}}}Slot", name=name)
    value_list = etree.SubElement(slot, f"{{{RIM}}}ValueList")
    for value in values:
        etree.SubElement(value_list, f"{{{RIM}}}Value").text = value


def _classification(entry: etree._Element, code: str, scheme: str) -> None:
    node = etree.SubElement(
        entry,
        f"{{{RIM}}}Classification",
        classificationScheme=SCHEME_CONFIDENTIALITY,
        classifiedObject=entry.get("id", ""),
        id=f"urn:uuid:{uuid.uuid4()}",
        nodeRepresentation=code,
    )
    _slot(node, "codingScheme", scheme)


def _metadata(
    documents: Sequence[tuple[str, bytes]], invisible_to_patient: bool = False, deprecated: bool = False
) -> bytes:
    request = etree.Element(f"{{{LCM}}}SubmitObjectsRequest", nsmap={"lcm": LCM, "rim": RIM})
    objects = etree.SubElement(request, f"{{{RIM}}}RegistryObjectList")
    patient = _patient_cx(documents[0][1])
    for name, data in documents:
        header = read_header(parse_xml(data))
        entry = etree.SubElement(
            objects,
            f"{{{RIM}}}ExtrinsicObject",
            id=f"urn:uuid:{uuid.uuid4()}",
            mimeType="text/xml",
            objectType=DOCUMENT_ENTRY,
        )
        if deprecated:  # a deletion request (the bench's model)
            entry.set("status", DEPRECATED)
        _slot(entry, "creationTime", header.effective_time[:14])
        _slot(entry, "hash", hashlib.sha1(data).hexdigest())
        _slot(entry, "languageCode", header.language or "fr-FR")
        _slot(entry, "size", str(len(data)))
        _slot(entry, "URI", name)
        title = etree.SubElement(entry, f"{{{RIM}}}Name")
        etree.SubElement(title, f"{{{RIM}}}LocalizedString", value=header.title)
        _classification(entry, header.confidentiality or "N", "2.16.840.1.113883.5.25")
        if invisible_to_patient:  # TRE_A07 (french-specs §2.3): an additional confidentialityCode
            _classification(entry, "INVISIBLE_PATIENT", "1.2.250.1.213.1.1.4.13")
        etree.SubElement(
            entry,
            f"{{{RIM}}}ExternalIdentifier",
            id=f"urn:uuid:{uuid.uuid4()}",
            identificationScheme=SCHEME_PATIENT_ID,
            registryObject=entry.get("id", ""),
            value=patient,
        )
        etree.SubElement(
            entry,
            f"{{{RIM}}}ExternalIdentifier",
            id=f"urn:uuid:{uuid.uuid4()}",
            identificationScheme=SCHEME_UNIQUE_ID,
            registryObject=entry.get("id", ""),
            value=header.document_id,
        )
    package = etree.SubElement(objects, f"{{{RIM}}}RegistryPackage", id="SubmissionSet01")
    _slot(package, "submissionTime", datetime.now(UTC).strftime("%Y%m%d%H%M%S"))
    etree.SubElement(
        objects,
        f"{{{RIM}}}Classification",
        classifiedObject="SubmissionSet01",
        classificationNode=SUBMISSION_SET,
        id=f"urn:uuid:{uuid.uuid4()}",
    )
    for scheme, value in (
        (SCHEME_SET_UNIQUE_ID, f"1.2.250.1.213.1.1.9.999.2.{uuid.uuid4().int % 10**12}"),
        (SCHEME_SET_SOURCE_ID, "1.2.250.1.213.1.1.9.999"),
        (SCHEME_SET_PATIENT_ID, patient),
    ):
        etree.SubElement(
            package,
            f"{{{RIM}}}ExternalIdentifier",
            id=f"urn:uuid:{uuid.uuid4()}",
            identificationScheme=scheme,
            registryObject="SubmissionSet01",
            value=value,
        )
    metadata: bytes = etree.tostring(request, xml_declaration=True, encoding="UTF-8")
    return metadata


def xdm_archive(
    documents: Sequence[bytes],
    *,
    invisible_to_patient: bool = False,
    deprecated: bool = False,
    files: Sequence[tuple[str, bytes]] = (),
) -> bytes:
    """An IHE_XDM.ZIP holding ``documents`` (CDA bytes) in ``IHE_XDM/SUBSET01/DOC000n.XML``, and ``files``
    ``(name, bytes)`` beside them in the subset (e.g. the producer's stylesheet a CDA names)."""
    named = [(f"DOC{index:04d}.XML", data) for index, data in enumerate(documents, start=1)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "INDEX.HTM",
            "<html><body><p>Documents de santé (IHE XDM) / health documents: "
            + " ".join(f'<a href="IHE_XDM/SUBSET01/{n}">{n}</a>' for n, _ in named)
            + "</p></body></html>",
        )
        archive.writestr(
            "README.TXT",
            "Archive IHE XDM produite par dui-harness (essai).\r\nIHE XDM archive made by dui-harness (test).\r\n",
        )
        archive.writestr("IHE_XDM/SUBSET01/METADATA.XML", _metadata(named, invisible_to_patient, deprecated))
        for name, data in [*named, *files]:
            archive.writestr(f"IHE_XDM/SUBSET01/{name}", data)
    return buffer.getvalue()


def document_message(
    sender: str,
    recipient: str,
    documents: Sequence[bytes],
    *,
    acknowledgement: bool,
    body: str = "Document transmis par messagerie sécurisée de santé (essai).",
    invisible_to_patient: bool = False,
    label: str = "Logiciel d'essai dui-harness (CH d'essai)",
    reply_to: str | None = None,
    attachments: Sequence[tuple[str, str, bytes]] = (),
    deprecated: bool = False,
    files: Sequence[tuple[str, bytes]] = (),
) -> BuiltMessage:
    """A document message from ``sender`` (shown as ``label``) to ``recipient`` with ``documents`` in an IHE_XDM.ZIP.

    ``reply_to``: a Reply-To mailbox; ``attachments``: more files ``(name, mime type, bytes)``, after the archive
    (the PDF/A-1 copies of the documents); ``deprecated``: the documents' XDM entries marked Deprecated (deletion);
    ``files``: more files inside the archive's subset (the producer's stylesheet).
    """
    headers = [read_header(parse_xml(d)) for d in documents]
    first = headers[0]
    birth = first.birth_time
    date = f"{birth[6:8]}/{birth[4:6]}/{birth[0:4]}" if len(birth) >= 8 else ""
    subject = f"XDM/1.0/DDM+{first.title} {first.birth_name} {first.first_name} {date}".strip()
    codes = tuple(dict.fromkeys(h.code for h in headers))
    message = EmailMessage()
    message["From"] = formataddr((label, sender))
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message_id = make_msgid(domain=sender.split("@", 1)[1])
    message["Message-ID"] = message_id
    message["X-MSS-NIL"] = HARNESS_NIL
    message["X-MSS-CODECDA"] = ",".join(codes)
    qualified = all(
        h.ins
        and h.ins_oid in INS_OIDS
        and h.birth_name
        and h.first_name
        and h.first_names
        and h.sex
        and h.birth_time
        and h.birth_place
        for h in headers
    )
    message["X-MSS-INS"] = "O" if qualified else "N"
    if acknowledgement:
        message["Disposition-Notification-To"] = sender
    if reply_to:
        message["Reply-To"] = reply_to
    message.set_content(body)
    message.add_attachment(
        xdm_archive(documents, invisible_to_patient=invisible_to_patient, deprecated=deprecated, files=files),
        maintype="application",
        subtype="zip",
        filename="IHE_XDM.ZIP",
    )
    for name, mime_type, data in attachments:
        maintype, _, subtype = mime_type.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return BuiltMessage(message.as_bytes(policy=SMTP), message_id, subject, codes)
