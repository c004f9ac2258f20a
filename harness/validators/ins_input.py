"""Read the INS values of one ``validate ins`` input: a value, a text file or an INSi XML response.

* a value: 15 characters, spaces allowed, optionally ``INS;OID``;
* a text file: one INS a line, optionally ``INS;OID``; ``#`` starts a comment; location
  ``file:line``;
* an XML file (an INSi ``RESULTAT`` or the SOAP envelope around it): every ``INSACTIF`` and
  ``INSHISTO`` element, ``IdIndividu/NumIdentifiant`` + ``Cle`` with the ``OID`` child; location
  an XPath such as ``/soap:Envelope/soap:Body/RESULTAT/INDIVIDU/INSHISTO[2]``. XML is read only
  through :func:`harness.validators.safexml.parse_xml`.

A missing or unreadable file raises :class:`harness.errors.InputError` (exit code 2); a file
that was read but is broken (over the size limit, binary, not UTF-8/UTF-16 text, XML not
well-formed or carrying a DTD / entity / XInclude) is a non-conformity of the document
(:mod:`harness.validators.broken`: finding ``ins.file``, exit code 1), as for every kind.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from lxml import etree

from harness.core.findings import Finding, Severity
from harness.errors import InputError
from harness.validators.broken import broken_document, oversized_document, xml_fault_result
from harness.validators.input_file import OversizedInput, read_input_file
from harness.validators.ins_value import REQ_KEY, validate_ins
from harness.validators.result import ValidateOptions, ValidationResult
from harness.validators.safexml import MAX_XML_BYTES, XmlInputError, parse_xml

__all__ = ["element_path", "validate_ins_input", "validate_ins_text", "validate_ins_xml"]

KIND = "ins"
SOAP_NAMESPACES = ("http://www.w3.org/2003/05/soap-envelope", "http://schemas.xmlsoap.org/soap/envelope/")
#: an argument read as a value rather than a file name: letters, digits, spaces, optional ";OID"
_VALUE_ARGUMENT = re.compile(r"^[0-9A-Za-z ]{1,40}(;\s*(urn:oid:)?[0-9.]*)?$", re.ASCII)
_TIP_FILE = (
    "donnez un INS (15 caractères) ou un fichier texte/XML lisible / "
    "give an INS (15 characters) or a readable text/XML file"
)


def validate_ins_input(target: str, options: ValidateOptions) -> list[ValidationResult]:
    """The :data:`~harness.validators.result.Validator` of kind ``ins``.

    Args:
        target: an INS value (``INS`` or ``INS;OID``) or the path of a text or XML file.
        options: ``options.oid`` applies to values given without an OID (not to XML, whose
            ``OID`` element is mandatory).

    Raises:
        InputError: a missing or unreadable file, or an argument that is neither a file nor a value.
    """
    path = Path(target)
    if path.exists():
        return [_validate_file(path, target, options)]
    if _VALUE_ARGUMENT.match(target.strip()):
        value, sep, oid = target.strip().partition(";")
        findings = validate_ins(value, oid.strip() if sep else options.oid)
        return [ValidationResult(target, KIND, tuple(findings), checked=1)]
    raise InputError(f"{target}: ni fichier ni valeur INS / no such file, and not an INS value", tip=_TIP_FILE)


def validate_ins_text(text: str, source: str, default_oid: str | None = None) -> ValidationResult:
    """Check every INS of a text file (one a line, ``INS;OID`` allowed, ``#`` comments)."""
    findings: list[Finding] = []
    checked = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        value, sep, oid = line.partition(";")
        findings += validate_ins(value, oid.strip() if sep else default_oid, f"{source}:{number}")
        checked += 1
    if not checked:
        findings.append(_nothing_found(source, "no INS value in this file"))
    return ValidationResult(source, KIND, tuple(findings), checked)


def validate_ins_xml(root: etree._Element, source: str) -> ValidationResult:
    """Check every ``INSACTIF`` / ``INSHISTO`` of an INSi response (any namespace prefix)."""
    findings: list[Finding] = []
    elements = list(root.iter("{*}INSACTIF", "{*}INSHISTO"))
    for element in elements:
        where = element_path(element)
        number, key = _text(element, "NumIdentifiant"), _text(element, "Cle")
        oid = _child_text(element, "OID")
        if number is None or key is None:
            missing = " and ".join(n for n, v in (("NumIdentifiant", number), ("Cle", key)) if v is None)
            name = etree.QName(element).localname
            findings.append(
                Finding(
                    rule="ins.length",
                    requirement=REQ_KEY,
                    location=where,
                    message=f"{name} has no IdIndividu/{missing}: the INS is incomplete",
                )
            )
            continue
        findings += validate_ins(number + key, oid if oid is not None else "", where)
    if not elements:
        code, label, fault = _text(root, "CodeCR"), _text(root, "LibelleCR"), _text(root, "Text")
        if code is not None:
            detail = f" (CodeCR {code}: {label})"
        elif next(root.iter("{*}Fault"), None) is not None:
            detail = f" (SOAP Fault: {fault})"
        else:
            detail = ""
        findings.append(_nothing_found(source, f"no INSACTIF or INSHISTO element in this document{detail}"))
    return ValidationResult(source, KIND, tuple(findings), len(elements))


def element_path(element: etree._Element) -> str:
    """A readable XPath of ``element``: SOAP elements as ``soap:``, other prefixes as written.

    A position ``[n]`` is added only when siblings share the element's name.
    """
    steps = []
    node: etree._Element | None = element
    while node is not None:
        qname = etree.QName(node)
        prefix = "soap" if qname.namespace in SOAP_NAMESPACES else node.prefix
        step = f"{prefix}:{qname.localname}" if prefix else qname.localname
        parent = node.getparent()
        if parent is not None:
            same = [s for s in parent if s.tag == node.tag]
            if len(same) > 1:
                step += f"[{same.index(node) + 1}]"
        steps.append(step)
        node = parent
    return "/" + "/".join(reversed(steps))


class _Broken(Exception):
    """A file that was read but is no usable text or XML document (becomes a finding)."""


def _validate_file(path: Path, source: str, options: ValidateOptions) -> ValidationResult:
    data = _read(path, source)
    if isinstance(data, int):
        return oversized_document(source, KIND, size=data, limit=MAX_XML_BYTES, rule="ins.file", requirement=REQ_KEY)
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = _decode(data, "utf-16")
        elif b"\x00" in data:
            raise _Broken("binary file, not a text or XML file")
        else:
            text = _decode(data, "utf-8-sig")
    except _Broken as exc:
        return broken_document(source, KIND, rule="ins.file", requirement=REQ_KEY, message=str(exc))
    if text.lstrip().startswith("<"):
        try:
            root = parse_xml(data)
        except XmlInputError as exc:
            return xml_fault_result(source, KIND, exc, rule="ins.file", requirement=REQ_KEY)
        return validate_ins_xml(root, source)
    return validate_ins_text(text, source, options.oid)


def _read(path: Path, source: str) -> bytes | int:
    """The bytes of the file (a regular file only: FIFO, device, folder raise InputError), or its size
    when it is over the limit (not read: a broken document)."""
    try:
        return read_input_file(path, source, MAX_XML_BYTES, tip=_TIP_FILE)
    except OversizedInput as exc:
        return exc.size


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise _Broken(f"not {encoding.removesuffix('-sig').upper()} text (a binary file?)") from None


def _text(element: etree._Element, name: str) -> str | None:
    """Stripped text of the first descendant named ``name`` (any namespace), or None."""
    found = next(element.iterdescendants(f"{{*}}{name}"), None)
    return (found.text or "").strip() if found is not None else None


def _child_text(element: etree._Element, name: str) -> str | None:
    found = next(element.iterchildren(f"{{*}}{name}"), None)
    return (found.text or "").strip() if found is not None else None


def _nothing_found(source: str, message: str) -> Finding:
    """Nothing to check is never VALID: a verdict claims only what was observed (issue 17)."""
    return Finding(
        rule="ins.none",
        requirement="",
        severity=Severity.ERROR,
        location=source,
        message=f"aucun INS à valider / no INS to validate: {message}",
    )
