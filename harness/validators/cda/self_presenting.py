"""Self-presenting DLU / FLUDT: the file the DUI hands out displays the document by its own stylesheet.

SC.DOC.08.MS1 asks a DUI of the PA/PH profile to produce the DLU and the FLUDT "auto-présentables",
i.e. carrying a stylesheet of the ESMS (CI-SIS Volet Structuration minimale § 3.3.2 and § 3.9).
The self-presenting form is an XSLT stylesheet that carries the ``ClinicalDocument`` as a
top-level data element (the form :mod:`harness.validators.cda.wrapper` unwraps). What is
observable, and judged here (CDA-PRES-01):

* the file is an ``xsl:stylesheet`` (or ``xsl:transform``) carrying a ``ClinicalDocument``, and
  that document is the one the DUI produced (same ``id``);
* the stylesheet compiles and, applied to the file itself (as a browser opening it does), renders
  HTML — run by libxslt with every file, network and write access denied;
* the rendering is human-readable: it shows the document title, the patient's birth name, the
  title of every section of the body and the name of the organisation that keeps the document
  (the ESMS, ``custodian``), which is how a stylesheet of the ESMS shows itself.

CDA-PRES-02 (SC.CDA/INT.16, judged on the same rendering): the stylesheet displays the narrative block of
every section, the sections a volume does not foresee (added sections) included: each text of each
``section/text`` shows in the rendering (compared without white space, so that table cells or list items
laid out by the stylesheet still match).

The embedded document's content is judged by the other CDA rules (:func:`validate_cda`).
"""

from __future__ import annotations

from lxml import etree

from harness.core.findings import Finding
from harness.core.rules import rule
from harness.validators.cda.wrapper import XSL_NS, unwrap
from harness.validators.safexml import XmlInputError, parse_xml

__all__ = ["NOT_RENDERED", "REQ_NARRATIVE", "REQ_PRES", "check_self_presenting"]

REQ_PRES = "CDA-PRES-01"
REQ_NARRATIVE = "CDA-PRES-02"
CDA = {"cda": "urn:hl7-org:v3"}
#: what the rendering must show: label -> XPath (in the embedded document) of the text
SHOWN = (
    ("the document title", "cda:title"),
    ("the patient's birth name", "cda:recordTarget/cda:patientRole/cda:patient/cda:name/cda:family"),
    ("the ESMS keeping the document", "cda:custodian//cda:representedCustodianOrganization/cda:name"),
)
_SECTIONS = "cda:component/cda:structuredBody/cda:component/cda:section/cda:title"
#: the CDA-PRES-01 rules that leave nothing rendered (no narrative can then be judged: CDA-PRES-02 is blocked)
NOT_RENDERED = frozenset(
    f"cda.self-presenting.{name}"
    for name in ("refused", "base64", "xml", "stylesheet", "no-document", "compile", "render", "html")
)
#: every section of the body, nested ones included
_ALL_SECTIONS = "cda:component/cda:structuredBody//cda:section"
#: the rendering is read up to this size (a stylesheet may not make the harness hold more)
MAX_RENDERING = 20_000_000


def _finding(rule_id: str, message: str, location: str = "/") -> Finding:
    return Finding(rule_id, REQ_PRES, message, location=location)


def _texts(root: etree._Element, path: str) -> list[str]:
    found = root.xpath(path, namespaces=CDA)
    return (
        [" ".join("".join(e.itertext()).split()) for e in found if isinstance(e, etree._Element)]
        if isinstance(found, list)
        else []
    )


def _render(root: etree._Element) -> tuple[str | None, Finding | None]:
    """The text of the HTML the stylesheet renders from the file itself, or why it renders none."""
    try:
        transform = etree.XSLT(root, access_control=etree.XSLTAccessControl.DENY_ALL)
    except etree.XSLTParseError as exc:
        return None, _finding("cda.self-presenting.compile", f"the stylesheet does not compile: {exc}")
    try:
        result = transform(root.getroottree())
    except etree.XSLTApplyError as exc:
        return None, _finding("cda.self-presenting.render", f"the stylesheet fails when applied to the file: {exc}")
    rendered = result.getroot()
    if rendered is None or etree.QName(rendered).localname.lower() != "html":
        name = etree.QName(rendered).localname if rendered is not None else "nothing"
        return None, _finding(
            "cda.self-presenting.html", f"applied to the file, the stylesheet renders {name}, not an HTML page"
        )
    text = " ".join("".join(rendered.itertext())[:MAX_RENDERING].split())
    return text, None


@rule(
    "cda.self-presenting",
    requirement=REQ_PRES,
    summary="DLU/FLUDT self-presenting: an XSL stylesheet carrying the document renders it as readable HTML",
)
def check_self_presenting(data: bytes, document_id: str | None = None) -> list[Finding]:
    """Findings of CDA-PRES-01 and CDA-PRES-02 on the self-presenting file ``data`` of the document
    ``document_id`` (one rendering for both)."""
    try:
        root = parse_xml(data)
    except XmlInputError as exc:
        return [_finding("cda.self-presenting.xml", f"the self-presenting file is not well-formed XML: {exc}")]
    if root.tag not in (f"{{{XSL_NS}}}stylesheet", f"{{{XSL_NS}}}transform"):
        return [
            _finding(
                "cda.self-presenting.stylesheet",
                f"the file is a {etree.QName(root).localname}, not an XSL stylesheet carrying the document: it "
                "does not present itself",
            )
        ]
    unwrapped = unwrap(root)
    if unwrapped is None:
        return [_finding("cda.self-presenting.no-document", "the stylesheet carries no ClinicalDocument")]
    document, where = unwrapped
    found = []
    ids = document.xpath("cda:id/@root", namespaces=CDA)
    carried = str(ids[0]) if isinstance(ids, list) and ids else ""
    if document_id and carried != document_id:
        found.append(
            _finding(
                "cda.self-presenting.document",
                f"the stylesheet carries the document {carried or '(no id)'}, not the one produced ({document_id})",
                f"{where}/id",
            )
        )
    text, failure = _render(root)
    if failure is not None:
        return [*found, failure]
    shown = [(label, value) for label, path in SHOWN for value in _texts(document, path)[:1]]
    shown += [(f'section "{value}"', value) for value in _texts(document, _SECTIONS)]
    found += [
        _finding(
            "cda.self-presenting.readable",
            f"the rendering does not show {label} ({value!r}): the document is not readable through its stylesheet",
            where,
        )
        for label, value in shown
        if value and value not in (text or "")
    ]
    return found + _narratives_shown(document, where, text or "")


@rule("cda.self-presenting.narrative", requirement=REQ_NARRATIVE, summary="the stylesheet shows every narrative")
def _narratives_shown(document: etree._Element, where: str, text: str) -> list[Finding]:
    """SC.CDA/INT.16: every text of every section's narrative block shows in the rendering."""
    rendered = "".join(text.split())
    found = []
    sections = document.xpath(_ALL_SECTIONS, namespaces=CDA)
    for index, section in enumerate(sections if isinstance(sections, list) else [], start=1):
        if not isinstance(section, etree._Element):
            continue
        narrative = section.find("cda:text", CDA)
        if narrative is None:
            continue
        missing = [
            t for t in (" ".join(s.split()) for s in narrative.itertext()) if t and "".join(t.split()) not in rendered
        ]
        if missing:
            title = " ".join("".join(section.findtext("cda:title", "", CDA)).split()) or f"#{index}"
            templates = section.xpath("cda:templateId/@root", namespaces=CDA)
            found.append(
                Finding(
                    "cda.self-presenting.narrative",
                    REQ_NARRATIVE,
                    f'the rendering does not show the narrative of section "{title}" (templateId '
                    f"{', '.join(str(t) for t in templates) if isinstance(templates, list) and templates else 'none'}"
                    f"): {missing[0][:120]!r}{f' and {len(missing) - 1} more text(s)' if len(missing) > 1 else ''}",
                    location=f"{where}/component/structuredBody/descendant::section[{index}]/text",
                )
            )
    return found
