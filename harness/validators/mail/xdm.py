"""IHE_XDM.ZIP: the layout of the archive, METADATA.XML against the documents, the CDA inside.

An MSSanté document message carries an IHE XDM archive (IHE ITI TF-1 §16, ITI TF-3 §4.1.12):
``INDEX.HTM`` and ``README.TXT`` at the root, and per submission set a folder
``IHE_XDM/SUBSET01/`` with ``METADATA.XML`` (an ebRIM ``SubmitObjectsRequest``) and the
documents it describes. Each ``ExtrinsicObject`` gives the document's ``URI``, ``hash``
(SHA-1), ``size`` and ``patientId``; they must match the file and the CDA it contains.

An archive's report depends only on its bytes, its location, the ZIP bounds and the CDA pack: the
latest ones are kept by content (:class:`~harness.validators.digestcache.DigestCache`), so that the
same archive sent again (to several recipients, resent, a load test) is judged once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from dataclasses import dataclass, field

from lxml import etree

from harness.core.findings import Finding, Severity
from harness.core.ins import INS_OIDS, parse_ins
from harness.core.rules import rule
from harness.validators.cda import CdaReport, validate_cda
from harness.validators.cda.pack import CdaPack
from harness.validators.digestcache import DigestCache
from harness.validators.mail.ziparchive import ZipLimits, read_zip
from harness.validators.safexml import XmlInputError, parse_xml

__all__ = ["REQ_CDA", "REQ_LAYOUT", "REQ_METADATA", "XdmDocument", "XdmReport", "qualified_ins", "read_xdm"]

REQ_LAYOUT = "MSS-XDM-01"
REQ_METADATA = "MSS-XDM-02"
REQ_CDA = "MSS-XDM-03"
RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
LCM = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"
NS = {"rim": RIM, "lcm": LCM}
#: IHE ITI TF-3 §4.2.5: identification schemes of XDSDocumentEntry
SCHEME_PATIENT_ID = "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427"
SCHEME_UNIQUE_ID = "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"
SCHEME_CONFIDENTIALITY = "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f"
DOCUMENT_ENTRY = "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1"
ROOT_FILES = ("INDEX.HTM", "README.TXT")


@dataclass
class XdmDocument:
    """One document of the archive, with what METADATA.XML says about it."""

    path: str
    data: bytes
    mime_type: str = ""
    hash: str = ""
    size: str = ""
    patient_id: str = ""
    unique_id: str = ""
    confidentiality: tuple[str, ...] = ()
    cda: CdaReport | None = None


@dataclass
class XdmReport:
    """What one IHE_XDM archive holds and the findings about it."""

    location: str
    names: list[str] = field(default_factory=list)
    documents: list[XdmDocument] = field(default_factory=list)
    has_metadata: bool = False
    findings: list[Finding] = field(default_factory=list)

    @property
    def cda_reports(self) -> list[CdaReport]:
        return [d.cda for d in self.documents if d.cda is not None]


def _xpath(expression: str) -> etree.XPath:
    """``expression`` (with :data:`NS`) compiled once per thread: the slot names and schemes are constants,
    and lxml's evaluators are not shared between the simulator's judging threads."""
    compiled: dict[str, etree.XPath] = _COMPILED.__dict__.setdefault("xpaths", {})
    found = compiled.get(expression)
    if found is None:
        found = compiled[expression] = etree.XPath(expression, namespaces=NS)
    return found


_COMPILED = threading.local()


def _slot(element: etree._Element, name: str) -> str:
    values = _xpath(f"rim:Slot[@name='{name}']/rim:ValueList/rim:Value/text()")(element)
    return "".join(str(v).strip() for v in values)


def _external_id(element: etree._Element, scheme: str) -> str:
    values = _xpath(f"rim:ExternalIdentifier[@identificationScheme='{scheme}']/@value")(element)
    return str(values[0]).strip() if values else ""


def qualified_ins(report: CdaReport) -> bool:
    """True when the CDA carries a qualified INS: matricule with a valid key, an INS OID and every trait."""
    header = report.header
    if not header.ins or header.ins_oid not in INS_OIDS:
        return False
    try:
        if not parse_ins(header.ins, header.ins_oid).key_is_valid:
            return False
    except ValueError:
        return False
    traits = (
        header.birth_name,
        header.first_name,
        header.first_names,
        header.sex,
        header.birth_time,
        header.birth_place,
    )
    return all(traits)


def _split_cx(value: str) -> tuple[str, str]:
    """``ID^^^&OID&ISO^NH`` -> ``(ID, OID)``."""
    ident, _, rest = value.partition("^^^")
    authority = rest.split("^")[0]
    parts = authority.split("&")
    return ident.strip(), (parts[1].strip() if len(parts) > 1 else "")


def _patient_ids(report: CdaReport) -> set[tuple[str, str]]:
    if report.root is None:
        return set()
    ids = report.root.xpath("cda:recordTarget/cda:patientRole/cda:id", namespaces={"cda": "urn:hl7-org:v3"})
    return {(str(i.get("extension", "")), str(i.get("root", ""))) for i in ids}


@rule(
    "xdm.metadata",
    requirement="MSS-XDM-02",
    summary="METADATA.XML describes each document (URI, hash, size, patientId)",
)
def _metadata(report: XdmReport, subset: str, raw: bytes, files: dict[str, bytes]) -> None:
    where = f"{report.location}!/{subset}METADATA.XML"

    def finding(rule: str, message: str, location: str = where, requirement: str = REQ_METADATA) -> None:
        report.findings.append(Finding(rule, requirement, message, location=location))

    try:
        root = parse_xml(raw)
    except XmlInputError as exc:
        finding("xdm.metadata.xml", f"METADATA.XML is not acceptable XML: {exc}")
        return
    if root.tag != f"{{{LCM}}}SubmitObjectsRequest":
        finding("xdm.metadata.root", f"METADATA.XML root is {root.tag}, not lcm:SubmitObjectsRequest (ebRIM 3.0)")
        return
    entries = _xpath(".//rim:ExtrinsicObject")(root)
    if not entries:
        finding("xdm.metadata.entries", "METADATA.XML describes no document (no rim:ExtrinsicObject)")
    described: set[str] = set()
    for index, entry in enumerate(entries, start=1):
        at = f"{where}/ExtrinsicObject[{index}]"
        uri = _slot(entry, "URI")
        if not uri:
            finding("xdm.metadata.uri", "the document entry has no URI slot naming its file", at)
            continue
        path = subset + uri
        match = next((name for name in files if name.upper() == path.upper()), None)
        if match is None:
            finding("xdm.metadata.uri", f"URI {uri!r} names no file of the archive ({path})", at)
            continue
        described.add(match)
        data = files[match]
        codes = _xpath(f"rim:Classification[@classificationScheme='{SCHEME_CONFIDENTIALITY}']/@nodeRepresentation")(
            entry
        )
        document = XdmDocument(
            match,
            data,
            str(entry.get("mimeType", "")),
            _slot(entry, "hash").lower(),
            _slot(entry, "size"),
            _external_id(entry, SCHEME_PATIENT_ID),
            _external_id(entry, SCHEME_UNIQUE_ID),
            tuple(str(c) for c in codes),
        )
        if entry.get("objectType") not in (None, DOCUMENT_ENTRY):
            finding("xdm.metadata.object_type", f"objectType {entry.get('objectType')} is not XDSDocumentEntry", at)
        expected_hash = hashlib.sha1(data).hexdigest()
        if document.hash != expected_hash:
            finding(
                "xdm.metadata.hash",
                f"hash slot {document.hash or '(absent)'} does not match the SHA-1 of {match} ({expected_hash})",
                f"{at}/Slot[@name='hash']",
            )
        if document.size != str(len(data)):
            finding(
                "xdm.metadata.size",
                f"size slot {document.size or '(absent)'} does not match the {len(data)} bytes of {match}",
                f"{at}/Slot[@name='size']",
            )
        if not document.patient_id:
            finding("xdm.metadata.patient_id", "no XDSDocumentEntry.patientId external identifier", at)
        if not document.mime_type:
            finding("xdm.metadata.mime_type", "no mimeType attribute on the document entry", at)
        report.documents.append(document)
    documents = [n for n in files if n.upper().startswith(subset.upper()) and n.upper() != f"{subset}METADATA.XML"]
    for name in documents:
        if name not in described:
            finding(
                "xdm.metadata.unlisted",
                f"{name} is in the archive but METADATA.XML does not describe it",
                f"{report.location}!/{name}",
            )


def _validate_documents(report: XdmReport, pack: CdaPack | None) -> None:
    for document in report.documents:
        is_xml = document.mime_type in ("text/xml", "application/xml") or document.path.upper().endswith(".XML")
        if not is_xml:
            continue
        cda = validate_cda(document.data, pack=pack)
        document.cda = cda
        where = f"{report.location}!/{document.path}"
        for f in cda.findings:
            report.findings.append(
                Finding(f"cda:{f.rule}", REQ_CDA, f"[{f.requirement}] {f.message}", f.severity, f"{where}{f.location}")
            )
        if not document.patient_id:
            continue
        ident, oid = _split_cx(document.patient_id)
        if (ident, oid) not in _patient_ids(cda):
            report.findings.append(
                Finding(
                    "xdm.metadata.patient_id",
                    REQ_METADATA,
                    f"patientId {document.patient_id} is not an identifier of the CDA recordTarget "
                    f"({', '.join(f'{e}@{r}' for e, r in sorted(_patient_ids(cda))) or 'none'})",
                    location=f"{report.location}!/{document.path.rsplit('/', 1)[0]}/METADATA.XML",
                )
            )
        cda_id = cda.header.document_id
        if document.unique_id and cda_id and document.unique_id != cda_id:
            report.findings.append(
                Finding(
                    "xdm.metadata.unique_id",
                    REQ_METADATA,
                    f"uniqueId {document.unique_id} differs from the CDA id {cda_id}",
                    Severity.WARNING,
                    f"{where}",
                )
            )


#: the latest archives' reports, by content (shared read-only: each caller gets its own lists)
_JUDGED: DigestCache[XdmReport] = DigestCache(entries=32, max_bytes=32 * 1024 * 1024)


@rule("xdm.layout", requirement="MSS-XDM-01", summary="IHE XDM layout: INDEX.HTM, IHE_XDM/SUBSET/METADATA.XML")
def read_xdm(data: bytes, *, location: str, limits: ZipLimits | None = None, pack: CdaPack | None = None) -> XdmReport:
    """Check one IHE_XDM archive and the documents it holds.

    Args:
        data: the archive bytes.
        location: where the archive is (e.g. ``part 2 IHE_XDM.ZIP``), prefixed to every location.
        limits: ZIP safety bounds.
        pack: the official CI-SIS artefact pack the CDA documents are judged with besides the embedded
            rules (structuration minimale schematrons, CDA_extended.xsd); None: the embedded rules only.
    """
    judged = _JUDGED.get(
        data, lambda: _read_xdm(data, location, limits, pack), location, limits, pack, weight=_held_bytes
    )
    return dataclasses.replace(
        judged, names=list(judged.names), documents=list(judged.documents), findings=list(judged.findings)
    )


def _held_bytes(report: XdmReport) -> int:
    """What a kept report holds: its documents and their parsed trees (a few times their text)."""
    return 4 * sum(len(d.data) for d in report.documents) + 4096


def _read_xdm(data: bytes, location: str, limits: ZipLimits | None, pack: CdaPack | None) -> XdmReport:
    report = XdmReport(location)
    archive = read_zip(data, requirement=REQ_LAYOUT, location=location, limits=limits)
    report.findings += archive.findings
    report.names = archive.names
    if not archive.readable:
        return report
    files = archive.entries
    upper = {name.upper(): name for name in files}
    for required in ROOT_FILES:
        if required not in upper:
            report.findings.append(
                Finding(
                    "xdm.layout.root",
                    REQ_LAYOUT,
                    f"the archive has no {required} at its root (IHE ITI TF-3 §4.1.12.1)",
                    location=f"{location}!/",
                )
            )
    subsets = sorted(
        {name.upper().rsplit("/", 1)[0] + "/" for name in upper if name.startswith("IHE_XDM/") and name.count("/") == 2}
    )
    if not subsets:
        report.findings.append(
            Finding(
                "xdm.layout.subset",
                REQ_LAYOUT,
                "no IHE_XDM/SUBSETnn/ folder with documents in the archive",
                location=f"{location}!/IHE_XDM/",
            )
        )
    for subset in subsets:
        metadata = upper.get(f"{subset}METADATA.XML")
        if metadata is None:
            report.findings.append(
                Finding(
                    "xdm.layout.metadata",
                    REQ_LAYOUT,
                    f"{subset} has no METADATA.XML: the documents are not described",
                    location=f"{location}!/{subset}",
                )
            )
            # still look at the documents, so that the CDA and the headers can be judged
            report.documents += [
                XdmDocument(upper[name], files[upper[name]])
                for name in sorted(upper)
                if name.startswith(subset) and name.count("/") == 2
            ]
            continue
        report.has_metadata = True
        _metadata(report, subset, files[metadata], files)
    _validate_documents(report, pack)
    return report
