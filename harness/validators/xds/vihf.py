"""The VIHF: the SAML 2.0 assertion a DUI puts in ``wsse:Security`` for every DMP call.

Checked (french-specs.md §2.4, CI-SIS mapping of the VIHF attributes): the assertion is
present and signed (XML-DSIG, verified with ``signxml`` against the trusted test CA: chain,
signature value, digest of the assertion itself); Issuer (X509SubjectName), Subject/NameID,
AuthnContextClassRef, validity window, no AudienceRestriction; the attributes
``Identifiant_Structure``, ``Secteur_Activite``, ``subject-id``, ``role``, ``VIHF_Version``,
``Authentification_Mode``, ``resource-id`` (the patient's INS, CX), ``Ressource_URN`` =
``urn:dmp``, ``purposeofuse``, ``LPS_Nom``, ``LPS_Version``.

Requirements: ``DMP-VIHF-01`` (present, signed, valid now), ``DMP-VIHF-02`` (content),
``DMP-VIHF-03`` (resource-id is the INS of the patient the call is about).
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import functools
import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from lxml import etree
from signxml.algorithms import DigestAlgorithm, SignatureMethod
from signxml.exceptions import SignXMLException
from signxml.verifier import SignatureConfiguration, XMLVerifier

from harness.core.findings import Finding, Severity
from harness.core.rules import rule
from harness.validators.xds.formats import parse_cx

__all__ = ["REQUIRED_ATTRIBUTES", "SAML_NS", "WSSE_NS", "VihfReport", "check_vihf"]

WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
SAML_NS = "urn:oasis:names:tc:SAML:2.0:assertion"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
X509_SUBJECT = "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"
SUBJECT_ID = "urn:oasis:names:tc:xspa:1.0:subject:subject-id"
ROLE = "urn:oasis:names:tc:xacml:2.0:subject:role"
RESOURCE_ID = "urn:oasis:names:tc:xacml:2.0:resource:resource-id"
PURPOSE = "urn:oasis:names:tc:xspa:1.0:subject:purposeofuse"
REQUIRED_ATTRIBUTES = (
    "Identifiant_Structure",
    "Secteur_Activite",
    SUBJECT_ID,
    ROLE,
    "VIHF_Version",
    "Authentification_Mode",
    RESOURCE_ID,
    "Ressource_URN",
    PURPOSE,
    "LPS_Nom",
    "LPS_Version",
)
VIHF_VERSIONS = ("3.0", "4.0")
AUTH_MODES = ("INDIRECTE", "DIRECTE", "AIR")
INS_OIDS = ("1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.9", "1.2.250.1.213.1.4.10", "1.2.250.1.213.1.4.11")
_SECTEUR = re.compile(r"^[A-Z0-9_]+\^1\.2\.250\.1\.71\.4\.2\.4$")
_CONFIG = SignatureConfiguration(
    signature_methods=frozenset(SignatureMethod), digest_algorithms=frozenset(DigestAlgorithm)
)
HEAD = "/soap:Envelope/soap:Header/wsse:Security/saml2:Assertion"
#: assertions whose signature verified, by digest of their bytes and trust anchor (file, mtime, size): a DUI
#: reuses its VIHF while it is valid, so the same bytes are verified once (issue 18: 17 % of an ITI-41's
#: CPU); the dates and the content are still checked on every request
_VERIFIED: OrderedDict[tuple[bytes, str], None] = OrderedDict()
_VERIFIED_LOCK = threading.Lock()
_VERIFIED_MAX = 512


@dataclass
class VihfReport:
    """What the VIHF says, and the findings about it."""

    present: bool = False
    signed: bool = False
    signer: str | None = None
    subject: str = ""
    structure: str = ""
    ins: str = ""
    ins_oid: str = ""
    attributes: dict[str, list[str]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


def _value_text(value: etree._Element) -> str:
    """An AttributeValue: its text, or ``code^codeSystem`` of an HL7 coded child (Role, PurposeOfUse)."""
    children = [c for c in value if isinstance(c.tag, str)]
    if children and children[0].get("code"):
        return f"{children[0].get('code')}^{children[0].get('codeSystem', '')}"
    return "".join(value.itertext()).strip()


def _attributes(assertion: etree._Element) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for attribute in assertion.iterfind(f"{{{SAML_NS}}}AttributeStatement/{{{SAML_NS}}}Attribute"):
        values = [_value_text(v) for v in attribute.iterfind(f"{{{SAML_NS}}}AttributeValue")]
        found.setdefault(attribute.get("Name", ""), []).extend(values)
    return found


def _time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


@rule(
    "vihf.signature",
    requirement="DMP-VIHF-01",
    summary="the VIHF is signed (enveloped XML signature over the assertion) by a trusted certificate",
)
def _verify(assertion: etree._Element, trust_ca: Path | None, report: VihfReport) -> None:
    signature = assertion.find(f"{{{DS_NS}}}Signature")
    soft = Severity.ERROR if trust_ca is not None else Severity.WARNING
    if signature is None:
        report.findings.append(
            Finding(
                "vihf.signature.missing",
                "DMP-VIHF-01",
                "the VIHF assertion is not signed "
                "(no ds:Signature): it must be signed XML-DSIG with the structure's certificate",
                soft,
                HEAD,
            )
        )
        return
    key = (hashlib.sha256(etree.tostring(assertion)).digest(), _anchor(trust_ca))
    with _VERIFIED_LOCK:
        known = key in _VERIFIED
        if known:
            _VERIFIED.move_to_end(key)
    if not known:
        if not _verify_signature(assertion, signature, trust_ca, report, soft):
            return
        with _VERIFIED_LOCK:
            _VERIFIED[key] = None
            if len(_VERIFIED) > _VERIFIED_MAX:
                _VERIFIED.popitem(last=False)
    report.signed = True
    cert_b64 = "".join((signature.findtext(f".//{{{DS_NS}}}X509Certificate") or "").split())
    report.signer = _signer(cert_b64)


@functools.lru_cache(maxsize=64)  # a DUI signs with the same certificate every time
def _signer(cert_b64: str) -> str | None:
    """The subject of the base64 DER certificate, None when it is not one."""
    try:
        return x509.load_der_x509_certificate(base64.b64decode(cert_b64)).subject.rfc4514_string()
    except ValueError:
        return None


def _anchor(trust_ca: Path | None) -> str:
    """The trust anchor of a verification: the CA file as it is now (a changed file is a new anchor)."""
    if trust_ca is None:
        return ""
    try:
        stat = trust_ca.stat()
    except OSError:
        return str(trust_ca)
    return f"{trust_ca}:{stat.st_mtime_ns}:{stat.st_size}"


def _verify_signature(
    assertion: etree._Element, signature: etree._Element, trust_ca: Path | None, report: VihfReport, soft: Severity
) -> bool:
    """XML-DSIG verification of the assertion (against ``trust_ca``, else its own certificate); False with a finding."""
    try:
        if trust_ca is not None:
            result = XMLVerifier().verify(
                copy.deepcopy(assertion), ca_pem_file=str(trust_ca), id_attribute="ID", expect_config=_CONFIG
            )
        else:
            cert = signature.findtext(f".//{{{DS_NS}}}X509Certificate") or ""
            result = XMLVerifier().verify(
                copy.deepcopy(assertion), x509_cert=cert.strip(), id_attribute="ID", expect_config=_CONFIG
            )
    except (SignXMLException, ValueError, TypeError) as exc:
        report.findings.append(
            Finding(
                "vihf.signature.invalid",
                "DMP-VIHF-01",
                f"the VIHF signature does not verify against the test PKI ({type(exc).__name__}: {exc})",
                soft,
                f"{HEAD}/ds:Signature",
            )
        )
        return False
    verified = result[0] if isinstance(result, list) else result
    signed = verified.signed_xml
    if signed is None or signed.get("ID") != assertion.get("ID"):
        report.findings.append(
            Finding(
                "vihf.signature.scope",
                "DMP-VIHF-01",
                "the signature does not cover the assertion itself (its Reference must point at the Assertion ID)",
                soft,
                f"{HEAD}/ds:Signature",
            )
        )
        return False
    return True


@rule("vihf.assertion", requirement="DMP-VIHF-02", summary="the assertion carries attribute statements")
@rule("vihf.issuer", requirement="DMP-VIHF-02", summary="saml2:Issuer present")
@rule("vihf.subject", requirement="DMP-VIHF-02", summary="saml2:Subject/NameID present")
@rule("vihf.authn_context", requirement="DMP-VIHF-02", summary="AuthnContextClassRef present")
@rule("vihf.audience", requirement="DMP-VIHF-02", summary="no AudienceRestriction")
@rule("vihf.validity", requirement="DMP-VIHF-01", summary="valid now (NotBefore / NotOnOrAfter)")
@rule("vihf.attribute", requirement="DMP-VIHF-02", summary="the attributes required by the VIHF profile")
@rule("vihf.version", requirement="DMP-VIHF-02", summary="VIHF_Version")
@rule("vihf.auth_mode", requirement="DMP-VIHF-02", summary="Authentification_Mode")
@rule("vihf.resource_urn", requirement="DMP-VIHF-02", summary="Ressource_URN")
@rule("vihf.secteur", requirement="DMP-VIHF-02", summary="Secteur_Activite from the value set")
@rule("vihf.role", requirement="DMP-VIHF-02", summary="the professional's role (subject:role)")
@rule("vihf.resource_id", requirement="DMP-VIHF-02", summary="Resource_ID names the patient (INS^^^&OID&ISO^NH)")
def _content(assertion: etree._Element, report: VihfReport, now: dt.datetime) -> None:
    def need(ok: bool, rule: str, message: str, where: str, requirement: str = "DMP-VIHF-02") -> None:
        if not ok:
            report.findings.append(Finding(rule, requirement, message, Severity.ERROR, where))

    need(
        assertion.get("Version") == "2.0" and bool(assertion.get("ID")) and bool(assertion.get("IssueInstant")),
        "vihf.assertion.attributes",
        "the Assertion needs Version='2.0', an ID and an IssueInstant",
        HEAD,
    )
    issuer = assertion.find(f"{{{SAML_NS}}}Issuer")
    need(
        issuer is not None and bool((issuer.text or "").strip()) and issuer.get("Format") == X509_SUBJECT,
        "vihf.issuer",
        f"saml2:Issuer must hold the subject of the signing certificate with Format {X509_SUBJECT}",
        f"{HEAD}/saml2:Issuer",
    )
    report.subject = (assertion.findtext(f"{{{SAML_NS}}}Subject/{{{SAML_NS}}}NameID") or "").strip()
    need(
        bool(report.subject),
        "vihf.subject",
        "saml2:Subject/saml2:NameID (identifier of the professional or of "
        "the person responsible for the automated process) is missing",
        f"{HEAD}/saml2:Subject/saml2:NameID",
    )
    classref = assertion.findtext(
        f".//{{{SAML_NS}}}AuthnStatement/{{{SAML_NS}}}AuthnContext/{{{SAML_NS}}}AuthnContextClassRef"
    )
    need(
        bool((classref or "").strip()),
        "vihf.authn_context",
        "saml2:AuthnStatement/AuthnContext/AuthnContextClassRef is missing",
        f"{HEAD}/saml2:AuthnStatement",
    )
    conditions = assertion.find(f"{{{SAML_NS}}}Conditions")
    if conditions is not None:
        need(
            conditions.find(f"{{{SAML_NS}}}AudienceRestriction") is None,
            "vihf.audience",
            "AudienceRestriction must not be set in a VIHF",
            f"{HEAD}/saml2:Conditions/saml2:AudienceRestriction",
        )
        start, end = _time(conditions.get("NotBefore")), _time(conditions.get("NotOnOrAfter"))
        skew = dt.timedelta(minutes=5)
        need(
            not ((start and now + skew < start) or (end and now - skew >= end)),
            "vihf.validity",
            f"the VIHF is not valid now ({now.isoformat()}): NotBefore={conditions.get('NotBefore')}, "
            f"NotOnOrAfter={conditions.get('NotOnOrAfter')}",
            f"{HEAD}/saml2:Conditions",
            "DMP-VIHF-01",
        )
    attrs = report.attributes
    where = f"{HEAD}/saml2:AttributeStatement/saml2:Attribute"
    for name in REQUIRED_ATTRIBUTES:
        need(
            any(attrs.get(name) or []),
            "vihf.attribute.missing",
            f"VIHF attribute {name} is missing or empty",
            f"{where}[@Name='{name}']",
        )
    first = {name: (values[0] if values else "") for name, values in attrs.items()}
    report.structure = first.get("Identifiant_Structure", "")
    if first.get("VIHF_Version"):
        need(
            first["VIHF_Version"] in VIHF_VERSIONS,
            "vihf.version",
            f"VIHF_Version {first['VIHF_Version']!r} is not one of {', '.join(VIHF_VERSIONS)}",
            f"{where}[@Name='VIHF_Version']",
        )
    if first.get("Authentification_Mode"):
        need(
            first["Authentification_Mode"] in AUTH_MODES,
            "vihf.auth_mode",
            f"Authentification_Mode {first['Authentification_Mode']!r} is not one of {', '.join(AUTH_MODES)}",
            f"{where}[@Name='Authentification_Mode']",
        )
    if first.get("Ressource_URN"):
        need(
            first["Ressource_URN"] == "urn:dmp",
            "vihf.resource_urn",
            f"Ressource_URN is {first['Ressource_URN']!r}, not urn:dmp",
            f"{where}[@Name='Ressource_URN']",
        )
    if first.get("Secteur_Activite"):
        need(
            bool(_SECTEUR.match(first["Secteur_Activite"])),
            "vihf.secteur",
            f"Secteur_Activite {first['Secteur_Activite']!r} is not <code>^1.2.250.1.71.4.2.4",
            f"{where}[@Name='Secteur_Activite']",
        )
    if first.get(ROLE):
        code, _, system = first[ROLE].partition("^")
        need(
            bool(code) and bool(system),
            "vihf.role",
            f"the first role {first[ROLE]!r} needs a code and a codeSystem (profession, e.g. 10 / 1.2.250.1.71.1.2.7)",
            f"{where}[@Name='{ROLE}']",
        )
    if first.get(RESOURCE_ID):
        cx, problems = parse_cx(first[RESOURCE_ID])
        if cx is None or problems or cx.oid not in INS_OIDS:
            need(
                False,
                "vihf.resource_id",
                f"resource-id {first[RESOURCE_ID]!r} is not an INS in the form <INS>^^^&<OID INS>&ISO^NH",
                f"{where}[@Name='{RESOURCE_ID}']",
            )
        else:
            report.ins, report.ins_oid = cx.id, cx.oid


@rule("vihf.missing", requirement="DMP-VIHF-01", summary="a VIHF assertion in the WS-Security header")
@rule("vihf.resource_id.patient", requirement="DMP-VIHF-03", summary="the VIHF names the patient of the request")
def check_vihf(
    header: etree._Element | None,
    *,
    trust_ca: Path | None = None,
    expected_ins: str | None = None,
    now: dt.datetime | None = None,
) -> VihfReport:
    """Check the VIHF of a SOAP header.

    Args:
        header: the ``soap:Header`` element (None: no header at all).
        trust_ca: PEM CA the signing certificate must chain to; None (no PKI) turns signature
            problems into warnings and verifies with the certificate the signature carries.
        expected_ins: the INS of the patient the request is about (DMP-VIHF-03), when known.
        now: the reference time (tests).
    """
    report = VihfReport()
    security = header.find(f"{{{WSSE_NS}}}Security") if header is not None else None
    assertion = security.find(f"{{{SAML_NS}}}Assertion") if security is not None else None
    if assertion is None:
        missing = "wsse:Security header" if security is None else "saml2:Assertion in wsse:Security"
        report.findings.append(
            Finding(
                "vihf.missing",
                "DMP-VIHF-01",
                f"no VIHF: the request has no {missing} (every DMP call carries a signed VIHF SAML 2.0 assertion)",
                Severity.ERROR,
                "/soap:Envelope/soap:Header/wsse:Security",
            )
        )
        return report
    report.present = True
    report.attributes = _attributes(assertion)
    _content(assertion, report, now or dt.datetime.now(dt.UTC))
    _verify(assertion, trust_ca, report)
    if expected_ins and report.ins and report.ins != expected_ins:
        report.findings.append(
            Finding(
                "vihf.resource_id.patient",
                "DMP-VIHF-03",
                f"the VIHF resource-id names INS {report.ins}, but the request is about the patient {expected_ins}",
                Severity.ERROR,
                f"{HEAD}/saml2:AttributeStatement/saml2:Attribute[@Name='{RESOURCE_ID}']",
            )
        )
    return report
