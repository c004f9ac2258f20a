"""Helpers shared by the embedded CDA rules: namespaced XPath, readable locations, section lookup."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from lxml import etree

__all__ = ["CDA_NS", "NS", "body_sections", "cda_path", "compiled", "has", "model_ids", "xp"]

CDA_NS = "urn:hl7-org:v3"
NS = {"cda": CDA_NS, "xsi": "http://www.w3.org/2001/XMLSchema-instance"}


#: compiled expressions, one cache per thread (an ``etree.XPath`` is not shared between threads)
_COMPILED = threading.local()
#: bound of each thread's cache (the rules use a few hundred fixed expressions)
_CACHE_SIZE = 4096


def compiled(path: str) -> etree.XPath:
    """``path`` compiled once per thread, with the ``cda`` and ``xsi`` prefixes bound (issue 18: the
    embedded rules recompiled every expression on every call)."""
    cache: dict[str, etree.XPath] | None = getattr(_COMPILED, "cache", None)
    if cache is None:
        cache = _COMPILED.cache = {}
    expression = cache.get(path)
    if expression is None:
        if len(cache) >= _CACHE_SIZE:
            cache.clear()
        expression = cache[path] = etree.XPath(path, namespaces=NS)
    return expression


def xp(node: etree._Element, path: str) -> list[Any]:
    """``node.xpath(path)`` with the ``cda`` and ``xsi`` prefixes bound."""
    result = compiled(path)(node)
    return list(result) if isinstance(result, list) else [result]


def has(node: etree._Element, path: str) -> bool:
    """True when ``path`` selects something (or is a true boolean expression)."""
    result = compiled(path)(node)
    return bool(result)


def model_ids(root: etree._Element) -> list[tuple[str, str]]:
    """The ``(root, extension)`` of every ``ClinicalDocument/templateId``."""
    return [(t.get("root", ""), t.get("extension", "")) for t in xp(root, "cda:templateId")]


def body_sections(root: etree._Element) -> Counter[str]:
    """How many top-level sections of the structured body carry each templateId root."""
    return Counter(
        str(r) for r in xp(root, "cda:component/cda:structuredBody/cda:component/cda:section/cda:templateId/@root")
    )


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
