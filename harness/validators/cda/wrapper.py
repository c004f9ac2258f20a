"""Self-presenting ("auto-présentable") CDA documents: the ``ClinicalDocument`` inside an XSL stylesheet.

The CI-SIS allows a CDA document to be sent as an XSLT stylesheet that carries the
``ClinicalDocument`` (as a top-level data element) and displays it when opened in a browser.
The ANS tool judges such a file by first extracting the ``ClinicalDocument`` subtree
(``schematrons/moteur/selectCDA.xsl``: ``//ClinicalDocument | //c:ClinicalDocument`` under
``xsl:stylesheet``) and validating that subtree alone. :func:`unwrap` does the same: the
embedded document becomes the root that every layer judges (so locations are relative to it,
``/ClinicalDocument/…``), and the wrapper is reported (:func:`wrapper_finding`).
"""

from __future__ import annotations

from lxml import etree

from harness.core.findings import Finding, Severity
from harness.core.rules import rule
from harness.validators.cda.common import CDA_NS, cda_path

__all__ = ["XSL_NS", "unwrap", "wrapper_finding"]

XSL_NS = "http://www.w3.org/1999/XSL/Transform"
_WRAPPERS = {f"{{{XSL_NS}}}stylesheet", f"{{{XSL_NS}}}transform"}


def unwrap(root: etree._Element) -> tuple[etree._Element, str] | None:
    """The ``ClinicalDocument`` a stylesheet wrapper carries, as a root of its own, and its path in the wrapper.

    Returns None when ``root`` is not an XSL stylesheet or carries no ``ClinicalDocument``.
    """
    if root.tag not in _WRAPPERS:
        return None
    inner = next(root.iter(f"{{{CDA_NS}}}ClinicalDocument"), None)
    if inner is None:
        return None
    where = cda_path(inner)
    # serialised alone, the subtree keeps every namespace it uses (as selectCDA.xsl's copy does)
    alone = etree.fromstring(etree.tostring(inner))
    return alone, where


@rule(
    "cda.wrapper",
    requirement="CDA-HDR-01",
    summary="a self-presenting document is judged on the ClinicalDocument it carries (INFO)",
)
def wrapper_finding(root: etree._Element, where: str, requirement: str) -> Finding:
    """The INFO finding that says the document was self-presenting and what was judged."""
    wrapper = etree.QName(root).localname
    return Finding(
        "cda.wrapper",
        requirement,
        f"document auto-présentable : le ClinicalDocument est porté par xsl:{wrapper} ({where}) ; il est jugé "
        f"seul, les emplacements lui sont relatifs / self-presenting document: the ClinicalDocument is carried "
        f"by xsl:{wrapper} ({where}); it is judged alone, locations are relative to it",
        Severity.INFO,
        where,
    )
