"""TD0.9, the contextual access to the DMP's web PS: a DUI opens the DMP's professional site in a browser.

SC.DMP.03.MS1: from the DUI, one visible action (right click or button) opens the DMP's web PS on its
*dashboard* (``tableau de bord``), and, for a person whose INS is qualified, on that person's DMP home page
(``dossier usager``). The DMP integration guide (SEL-MP-037) that specifies TD0.9 is not public: this
simulator models it on an assumption, stated here and in the catalog (DMP-WEB-01):

* the DUI builds the URL of the DMP's contextual entry ``<DMP base URL>/dmp/webps/td09`` and the browser
  POSTs an HTML form to it (``application/x-www-form-urlencoded``) with
  ``mode`` = ``TABLEAU_DE_BORD`` or ``DOSSIER_PATIENT`` and ``vihf`` = the base64 of the signed VIHF SAML
  2.0 assertion, the same token as in the DMP web services' ``wsse:Security`` header;
* in ``DOSSIER_PATIENT`` mode the VIHF resource-id names the person (``<INS>^^^&<OID INS>&ISO^NH``); in
  ``TABLEAU_DE_BORD`` mode it names no one and is not required.

The VIHF is checked by :func:`harness.validators.xds.vihf.check_vihf`; the answer is a small HTML page
(200) or a refusal page (400 for a malformed form, 403 for a refused VIHF).
"""

from __future__ import annotations

import base64
import binascii
import html
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

from lxml import etree

from harness.core.findings import Finding, Severity
from harness.core.rules import rule
from harness.validators.safexml import parse_xml
from harness.validators.xds.vihf import RESOURCE_ID, SAML_NS, WSSE_NS, VihfReport, check_vihf
from mocks.dmp.context import DmpAnswer

__all__ = ["MODES", "PATH", "WebAccess", "answer", "read_form"]

PATH = "/dmp/webps/td09"
MODES = {"TABLEAU_DE_BORD": "Tableau de bord / dashboard", "DOSSIER_PATIENT": "Dossier usager / patient's record"}
HTML_CT = "text/html; charset=utf-8"
MAX_FORM = 256 * 1024


@dataclass
class WebAccess:
    """One contextual access as the DMP read it."""

    mode: str = ""
    vihf: VihfReport | None = None
    findings: list[Finding] = field(default_factory=list)


def _finding(rule_id: str, message: str, where: str) -> Finding:
    return Finding(rule_id, "DMP-WEB-01", message, Severity.ERROR, where)


@rule("dmp.webps.form", requirement="DMP-WEB-01", summary="TD0.9: a form with mode and a base64 VIHF")
def read_form(body: bytes, content_type: str, trust_ca: Path | None, max_elements: int) -> WebAccess:
    """Read and check the contextual access form (see the module doc for the assumed format)."""
    access = WebAccess()
    media = content_type.split(";", 1)[0].strip().lower()
    if media != "application/x-www-form-urlencoded" or len(body) > MAX_FORM:
        access.findings.append(
            _finding(
                "dmp.webps.form",
                f"TD0.9 attend un formulaire HTML (application/x-www-form-urlencoded, {MAX_FORM} octets au plus), "
                f"pas {media or '(aucun)'} de {len(body)} octets / TD0.9 expects an HTML form",
                "Content-Type",
            )
        )
        return access
    try:
        form = parse_qs(body.decode("ascii"), max_num_fields=20)
    except (UnicodeDecodeError, ValueError) as exc:
        access.findings.append(_finding("dmp.webps.form", f"formulaire illisible / unreadable form: {exc}", "body"))
        return access
    access.mode = (form.get("mode") or [""])[0]
    if access.mode not in MODES:
        access.findings.append(
            _finding(
                "dmp.webps.form",
                f"mode {access.mode!r} inconnu : {' ou '.join(MODES)} / unknown mode (TD0.9)",
                "form field mode",
            )
        )
    token = (form.get("vihf") or [""])[0]
    try:
        assertion = parse_xml(base64.b64decode(token, validate=True), max_elements=max_elements)
    except (binascii.Error, ValueError, etree.LxmlError) as exc:
        access.findings.append(
            _finding(
                "dmp.webps.form", f"vihf n'est pas une assertion SAML en base64 / not a base64 VIHF: {exc}", "vihf"
            )
        )
        return access
    if assertion.tag != f"{{{SAML_NS}}}Assertion":
        access.findings.append(_finding("dmp.webps.form", f"vihf holds {assertion.tag}, not saml2:Assertion", "vihf"))
        return access
    header = etree.Element("Header")
    etree.SubElement(header, f"{{{WSSE_NS}}}Security").append(assertion)
    access.vihf = check_vihf(header, trust_ca=trust_ca)
    dashboard = access.mode == "TABLEAU_DE_BORD"
    for found in access.vihf.findings:  # the dashboard names no patient: no resource-id needed
        if dashboard and RESOURCE_ID in found.location and found.rule.startswith("vihf.attribute"):
            continue
        access.findings.append(found)
    if access.mode == "DOSSIER_PATIENT" and not access.vihf.ins:
        access.findings.append(
            _finding(
                "dmp.webps.patient",
                "accès au dossier usager sans INS dans le resource-id du VIHF / patient access without an INS in "
                "the VIHF resource-id",
                f"vihf saml2:Attribute[@Name='{RESOURCE_ID}']",
            )
        )
    return access


def answer(access: WebAccess) -> DmpAnswer:
    """The page the browser gets: the dashboard, the person's DMP home page, or a refusal."""
    errors = [f for f in access.findings if f.severity is Severity.ERROR]
    ins = access.vihf.ins if access.vihf is not None else ""
    summary = {"mode": access.mode, "ins": ins, "signed": bool(access.vihf and access.vihf.signed)}
    if errors:
        status = 403 if access.vihf is not None else 400
        items = "".join(f"<li>{html.escape(str(f))}</li>" for f in errors[:10])
        page = f"<!doctype html><title>DMP - accès refusé</title><h1>Accès refusé / access refused</h1><ul>{items}</ul>"
        return DmpAnswer(status, page.encode(), HTML_CT, summary={**summary, "error": str(errors[0])})
    title = MODES[access.mode] + (f" — INS {html.escape(ins)}" if access.mode == "DOSSIER_PATIENT" else "")
    page = f"<!doctype html><title>DMP - {title}</title><h1>Web PS DMP (simulé / simulated)</h1><p>{title}</p>"
    return DmpAnswer(200, page.encode(), HTML_CT, summary=summary, tags={"ins": ins} if ins else {})
