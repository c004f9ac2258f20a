"""Read a SOAP 1.2 envelope safely: the validators' and the simulators' common entry point.

Reading goes through :func:`harness.validators.safexml.parse_xml` (no DTD, no entity, no
network, bounded size). A SOAP 1.1 envelope, a foreign root, a missing or empty Body are
refused with :class:`SoapError`, which says what is wrong and where (line/column when the
XML itself is broken). :mod:`mocks.common.soap` re-exports it and writes faults.

Reference: SOAP Version 1.2 Part 1 (W3C Recommendation), §5 (envelope, header, body);
Part 2 §7.1.4 (media type ``application/soap+xml`` and its ``action`` parameter).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from harness.validators.safexml import MAX_XML_BYTES, MAX_XML_ELEMENTS, XmlInputError, parse_xml

__all__ = [
    "SOAP11_NS",
    "SOAP12_MEDIA_TYPE",
    "SOAP12_NS",
    "WSA_NS",
    "Envelope",
    "SoapError",
    "content_type_action",
    "parse_envelope",
    "split_tag",
]

SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"
SOAP11_NS = "http://schemas.xmlsoap.org/soap/envelope/"
WSA_NS = "http://www.w3.org/2005/08/addressing"
#: media type of SOAP 1.2 over HTTP (SOAP 1.2 Part 2 §7.1.4, RFC 3902)
SOAP12_MEDIA_TYPE = "application/soap+xml"
ENVELOPE_TAG, HEADER_TAG, BODY_TAG = (f"{{{SOAP12_NS}}}{name}" for name in ("Envelope", "Header", "Body"))

_ACTION_PARAM = re.compile(r';\s*action\s*=\s*(?:"([^"]*)"|([^;\s]+))', re.IGNORECASE)


class SoapError(ValueError):
    """The bytes are not a usable SOAP 1.2 envelope.

    Attributes:
        reason: what is wrong, without the position.
        line, column: where in the XML, when known.
        location: an XPath-like path of the faulty part (``/soap:Envelope/soap:Body``).
    """

    def __init__(self, reason: str, *, line: int | None = None, column: int | None = None, location: str = "") -> None:
        where = f" (line {line}, column {column})" if line is not None else ""
        super().__init__(reason + where)
        self.reason = reason
        self.line = line
        self.column = column
        self.location = location


@dataclass
class Envelope:
    """A parsed SOAP 1.2 envelope.

    Attributes:
        root: the ``soap:Envelope`` element.
        header: the ``soap:Header`` element, or None.
        body_child: the first element child of ``soap:Body``.
        action: the text of the ``wsa:Action`` header, or None.
        body_children: how many element children the Body has (document/literal: 1).
    """

    root: etree._Element
    header: etree._Element | None
    body_child: etree._Element
    action: str | None
    body_children: int = 1

    def header_blocks(self) -> list[etree._Element]:
        """The element children of the Header (none without a Header)."""
        if self.header is None:
            return []
        return _elements(self.header)


def split_tag(tag: str) -> tuple[str | None, str]:
    """``(namespace or None, local name)`` of an element's Clark tag ``{ns}local``: what ``etree.QName`` says,
    without building one (a µs each: issue 18)."""
    if tag[:1] == "{":
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return None, tag


def _elements(parent: etree._Element) -> list[etree._Element]:
    """Element children only (no comment, processing instruction or entity), filtered by libxml2."""
    return list(parent.iterchildren(etree.Element))


def parse_envelope(body: bytes, *, max_bytes: int = MAX_XML_BYTES, max_elements: int = MAX_XML_ELEMENTS) -> Envelope:
    """Parse ``body`` as a SOAP 1.2 envelope (SOAP 1.2 Part 1 §5).

    Raises:
        SoapError: not well-formed XML, DTD or entities, SOAP 1.1 or another root, a Header
            after the Body, no Body, or an empty Body.
    """
    try:
        root = parse_xml(body, max_bytes=max_bytes, max_elements=max_elements)
    except XmlInputError as exc:
        raise SoapError(exc.reason, line=exc.line, column=exc.column) from None
    tag = root.tag if isinstance(root.tag, str) else ""
    if tag != ENVELOPE_TAG:  # tags compared as strings: no QName per element (issue 18)
        namespace, local = split_tag(tag)
        if local == "Envelope" and namespace == SOAP11_NS:
            raise SoapError(
                f"SOAP 1.1 envelope (namespace {SOAP11_NS}); a SOAP 1.2 envelope is required (namespace {SOAP12_NS})",
                location="/soap:Envelope",
            )
        raise SoapError(
            f"root element is {{{namespace or ''}}}{local}, not a SOAP 1.2 {{{SOAP12_NS}}}Envelope",
            location="/",
        )
    header: etree._Element | None = None
    soap_body: etree._Element | None = None
    for child in _elements(root):
        child_tag = child.tag
        if child_tag == HEADER_TAG and header is None and soap_body is None:
            header = child
        elif child_tag == BODY_TAG and soap_body is None:
            soap_body = child
        else:
            namespace, local = split_tag(child_tag)
            raise SoapError(
                f"unexpected element {{{namespace or ''}}}{local} in soap:Envelope "
                "(only one soap:Header, then one soap:Body)",
                line=child.sourceline,
                location=f"/soap:Envelope/{local}",
            )
    if soap_body is None:
        raise SoapError("soap:Envelope has no soap:Body", location="/soap:Envelope")
    children = _elements(soap_body)
    if not children:
        raise SoapError(
            "soap:Body is empty: it must hold the request element",
            line=soap_body.sourceline,
            location="/soap:Envelope/soap:Body",
        )
    action = None
    if header is not None:
        for block in _elements(header):
            if block.tag == f"{{{WSA_NS}}}Action":
                action = (block.text or "").strip()
                break
    return Envelope(root=root, header=header, body_child=children[0], action=action, body_children=len(children))


def content_type_action(content_type: str | None) -> str | None:
    """The ``action`` parameter of a SOAP 1.2 content type (SOAP 1.2 Part 2 §7.1.4), if any."""
    if not content_type:
        return None
    match = _ACTION_PARAM.search(content_type)
    if match is None:
        return None
    return match.group(1) if match.group(1) is not None else match.group(2)
