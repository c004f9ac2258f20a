"""INSi individual (CPx) mode: the ``AssertionPs`` that names the professional (INS-INSI-07).

Public material on the CPx mode is thin: the INSi WSDL (DESIR_ICIR_EXP_1.5.0) declares a
``wsse:Security`` header part, and an open-source client (padoa/tlsi-ins) documents that in
CPx mode it carries an "AssertionPs" SAML assertion, sent to a separate endpoint. The
assertion's exact profile (attributes, signature by the CPx card) is not public. What is
checked here is our minimal model, stated as such: a ``wsse:Security`` header holding one SAML
2.0 ``Assertion`` with an ``Issuer``, an ``IssueInstant`` and a ``Subject/NameID`` naming the
professional (national id, e.g. ``8`` + RPPS). The signature is not verified.
"""

from __future__ import annotations

from lxml import etree

from harness.core.rules import rule
from harness.validators.insi_rules import Collector

__all__ = ["SAML2_NS", "WSSE_NS", "check_assertion_ps", "security_header"]

WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
SAML2_NS = "urn:oasis:names:tc:SAML:2.0:assertion"
LOC = "/soap:Envelope/soap:Header/wsse:Security/saml2:Assertion"
MAX_ID = 64
SECURITY_TAG = f"{{{WSSE_NS}}}Security"


def security_header(blocks: list[etree._Element]) -> etree._Element | None:
    """The ``wsse:Security`` header block, when the request has one (CPx mode)."""
    for block in blocks:
        if block.tag == SECURITY_TAG:
            return block
    return None


@rule("insi.cpx", requirement="INS-INSI-07", summary="CPx mode: an AssertionPs naming the professional")
def check_assertion_ps(check: Collector, security: etree._Element) -> str | None:
    """INS-INSI-07: the CPx call carries an AssertionPs naming the professional; returns that id."""
    assertion = security.find(f"{{{SAML2_NS}}}Assertion")
    if assertion is None:
        check.add(
            "insi.cpx.no_assertion",
            "INS-INSI-07",
            "wsse:Security carries no saml2:Assertion: in CPx mode the AssertionPs names the professional",
            "/soap:Envelope/soap:Header/wsse:Security",
        )
        return None
    issuer = (assertion.findtext(f"{{{SAML2_NS}}}Issuer") or "").strip()
    if not issuer:
        check.add("insi.cpx.issuer", "INS-INSI-07", "the AssertionPs has no Issuer", f"{LOC}/saml2:Issuer")
    if not assertion.get("IssueInstant"):
        check.add(
            "insi.cpx.issue_instant", "INS-INSI-07", "the AssertionPs has no IssueInstant", f"{LOC}/@IssueInstant"
        )
    name_id = (assertion.findtext(f"{{{SAML2_NS}}}Subject/{{{SAML2_NS}}}NameID") or "").strip()
    if not name_id or len(name_id) > MAX_ID:
        check.add(
            "insi.cpx.professional",
            "INS-INSI-07",
            "the AssertionPs does not name the professional (Subject/NameID empty or longer than "
            f"{MAX_ID} characters): a CPx call is made in the name of a professional",
            f"{LOC}/saml2:Subject/saml2:NameID",
        )
        return None
    return name_id
