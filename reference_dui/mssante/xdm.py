"""IHE_XDM.ZIP in the reference DUI: building the archive it sends, reading those it receives.

Its own implementation (IHE ITI TF-3 §4.1.12): INDEX.HTM, README.TXT and
IHE_XDM/SUBSET01/METADATA.XML (ebRIM SubmitObjectsRequest: one ExtrinsicObject per document
with URI, hash, size, patientId, uniqueId) beside the documents. Reading is in memory with
limits on entries, sizes and compression ratio; unsafe names are skipped.
"""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
import zlib
from xml.sax.saxutils import quoteattr

__all__ = ["build_xdm", "read_documents", "read_stylesheets"]

MAX_ENTRIES = 32
MAX_ENTRY = 20 * 1024 * 1024
MAX_RATIO = 100
PATIENT_SCHEME = "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427"
UNIQUE_SCHEME = "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"
ENTRY_TYPE = "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1"
CONFIDENTIALITY_SCHEME = "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f"
#: confidentiality code -> its coding scheme (HL7 Confidentiality, or TRE_A07 for the visibility codes)
CONFIDENTIALITY_SYSTEMS = {"N": "2.16.840.1.113883.5.25", "INVISIBLE_PATIENT": "1.2.250.1.213.1.1.4.13"}


def _metadata(
    name: str,
    document: bytes,
    document_id: str,
    patient_cx: str,
    title: str,
    confidentiality: tuple[str, ...],
    size: int | None = None,
) -> bytes:
    entry = f"urn:uuid:{uuid.uuid4()}"
    sha1 = hashlib.sha1(document).hexdigest()
    declared = len(document) if size is None else size

    def slot(slot_name: str, value: str) -> str:
        return f'<rim:Slot name="{slot_name}"><rim:ValueList><rim:Value>{value}</rim:Value></rim:ValueList></rim:Slot>'

    classifications = "".join(
        f'<rim:Classification id="urn:uuid:{uuid.uuid4()}" classificationScheme="{CONFIDENTIALITY_SCHEME}" '
        f'classifiedObject="{entry}" nodeRepresentation="{code}">'
        f"{slot('codingScheme', CONFIDENTIALITY_SYSTEMS[code])}</rim:Classification>"
        for code in confidentiality
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<lcm:SubmitObjectsRequest xmlns:lcm="urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0" '
        'xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"><rim:RegistryObjectList>'
        f'<rim:ExtrinsicObject id="{entry}" mimeType="text/xml" objectType="{ENTRY_TYPE}">'
        f"{slot('hash', sha1)}{slot('size', str(declared))}{slot('URI', name)}{slot('languageCode', 'fr-FR')}"
        f"<rim:Name><rim:LocalizedString value={quoteattr(title)}/></rim:Name>{classifications}"
        f'<rim:ExternalIdentifier id="urn:uuid:{uuid.uuid4()}" registryObject="{entry}" '
        f'identificationScheme="{PATIENT_SCHEME}" value={quoteattr(patient_cx)}/>'
        f'<rim:ExternalIdentifier id="urn:uuid:{uuid.uuid4()}" registryObject="{entry}" '
        f'identificationScheme="{UNIQUE_SCHEME}" value={quoteattr(document_id)}/>'
        "</rim:ExtrinsicObject></rim:RegistryObjectList></lcm:SubmitObjectsRequest>"
    )
    return xml.encode("utf-8")


def build_xdm(
    document: bytes,
    document_id: str,
    patient_cx: str,
    title: str,
    *,
    with_metadata: bool = True,
    confidentiality: tuple[str, ...] = ("N",),
    declared_size: int | None = None,
) -> bytes:
    """An IHE_XDM.ZIP around one CDA document (``confidentiality``: its XDS confidentialityCodes)."""
    name = "DOC0001.XML"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("INDEX.HTM", f'<html><body><a href="IHE_XDM/SUBSET01/{name}">{title}</a></body></html>')
        archive.writestr("README.TXT", "DUI de reference dui-harness - archive IHE XDM (essai)\r\n")
        if with_metadata:
            archive.writestr(
                "IHE_XDM/SUBSET01/METADATA.XML",
                _metadata(name, document, document_id, patient_cx, title, confidentiality, declared_size),
            )
        archive.writestr(f"IHE_XDM/SUBSET01/{name}", document)
    return buffer.getvalue()


def read_documents(data: bytes) -> list[bytes]:
    """The XML documents of IHE_XDM/SUBSETnn/ (not METADATA.XML) of a received archive."""
    return [content for name, content in _subset_files(data) if name.endswith(".XML") and name != "METADATA.XML"]


def read_stylesheets(data: bytes) -> dict[str, bytes]:
    """The stylesheets (``.XSL``, ``.XSLT``) of IHE_XDM/SUBSETnn/ of a received archive, by upper-case name: a
    producer's stylesheet ships there beside the CDA that names it (SC.CDA/INT.15)."""
    return {name: content for name, content in _subset_files(data) if name.endswith((".XSL", ".XSLT"))}


def _subset_files(data: bytes) -> list[tuple[str, bytes]]:
    """``(upper-case file name, bytes)`` of each file of IHE_XDM/SUBSETnn/, within the limits; unsafe names and
    unreadable or oversized entries are skipped."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return []
    files: list[tuple[str, bytes]] = []
    with archive:
        infos = archive.infolist()[:MAX_ENTRIES]
        for info in infos:
            name = info.filename.upper()
            parts = name.split("/")
            if len(parts) != 3 or parts[0] != "IHE_XDM" or ".." in parts or "\\" in name or not parts[2]:
                continue
            if info.file_size > MAX_ENTRY or info.file_size > MAX_RATIO * max(info.compress_size, 1) + 65536:
                continue
            try:
                with archive.open(info) as handle:
                    content = handle.read(MAX_ENTRY + 1)
            except (zipfile.BadZipFile, zlib.error, OSError, ValueError, NotImplementedError, EOFError):
                continue
            if len(content) <= MAX_ENTRY:
                files.append((parts[2], content))
    return files
