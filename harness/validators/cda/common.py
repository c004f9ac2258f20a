"""Helpers shared by the embedded CDA rules: namespaced XPath, readable locations, section lookup."""

from __future__ import annotations

from collections import Counter
from typing import Any

from lxml import etree

__all__ = ["CDA_NS", "NS", "body_sections", "cda_path", "has", "model_ids", "xp"]

CDA_NS = "urn:hl7-org:v3"
NS = {"cda": CDA_NS, "xsi": "http://www.w3.org/2001/XMLSchema-instance"}


def xp(node: etree._Element, path: str) -> list[Any]:
    """``node.xpath(path)`` with the ``cda`` and ``xsi`` prefixes bound."""
    result = node.xpath(path, namespaces=NS)
    return list(result) if isinstance(result, list) else [result]


def has(node: etree._Element, path: str) -> bool:
    """True when ``path`` selects something (or is a true boolean expression)."""
    result = node.xpath(path, namespaces=NS)
    return bool(result)


def model_ids(root: etree._Element) -> list[tuple[str, str]]:
    """The ``(root, extension)`` of every ``ClinicalDocument/templateId``."""
    return [(t.get("root", ""), t.get("extension", "")) for t in xp(root, "cda:templateId")]


def body_sections(root: etree._Element) -> Counter[str]:
    """How many top-level sections of the structured body carry each templateId root."""
    return Counter(str(r) for r in xp(root, "cda:component/cda:structuredBody/cda:component/cda:section/"
                                            "cda:templateId/@root"))


def cda_path(element: etree._Element) -> str:
    """``/ClinicalDocument/recordTarget/patientRole/id[2]``: CDA names unprefixed, others with their prefix.

    A position ``[n]`` is added only when siblings share the element's name.
    """
    steps = []
    node: etree._Element | None = element
    while node is not None:
        qname = etree.QName(node)
        prefix = None if qname.namespace in (CDA_NS, None) else (node.prefix or "ns")
        step = f"{prefix}:{qname.localname}" if prefix else qname.localname
        parent = node.getparent()
        if parent is not None:
            same = [s for s in parent if s.tag == node.tag]
            if len(same) > 1:
                step += f"[{same.index(node) + 1}]"
        steps.append(step)
        node = parent
    return "/" + "/".join(reversed(steps))
