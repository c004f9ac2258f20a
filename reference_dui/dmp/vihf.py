"""The reference DUI's VIHF: a SAML 2.0 assertion signed with the organisation's certificate.

Attributes as the CI-SIS maps them (french-specs §2.4): Identifiant_Structure, Secteur_Activite,
subject-id, role, VIHF_Version, Authentification_Mode (INDIRECTE: organisation certificate;
DIRECTE with the NameID of the professional signed in with Pro Santé Connect, SC.DMP/PSC.01),
resource-id (the patient's INS, CX), Ressource_URN ``urn:dmp``, purposeofuse, LPS_Nom,
LPS_Version. Signed XML-DSIG (enveloped, exclusive c14n, ECDSA-SHA256 with the test PKI's
``signing-vihf`` key) with ``signxml``; no AudienceRestriction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from lxml import etree
from signxml import methods
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
from signxml.signer import XMLSigner

from reference_dui.dmp.cda import ORGANISATION

__all__ = ["SAML", "build_assertion"]

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
V3 = "urn:hl7-org:v3"


def _attribute(statement: etree._Element, name: str, value: str | etree._Element) -> None:
    attribute = etree.SubElement(statement, f"{{{SAML}}}Attribute", Name=name)
    holder = etree.SubElement(attribute, f"{{{SAML}}}AttributeValue")
    if isinstance(value, str):
        holder.text = value
    else:
        holder.append(value)


def build_assertion(
    ins: str,
    oid: str,
    *,
    lps_name: str,
    lps_version: str,
    signing: tuple[Path, Path] | None,
    without: tuple[str, ...] = (),
    name_id: str | None = None,
    auth_mode: str = "INDIRECTE",
) -> etree._Element:
    """The VIHF for a call about the patient ``ins``; unsigned when ``signing`` is None.

    ``name_id``: the Subject/NameID (the PSC user's idNat, :mod:`reference_dui.dmp.psc_identity`),
    the organisation's default author when None; ``auth_mode``: Authentification_Mode.
    """
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    assertion = etree.Element(
        f"{{{SAML}}}Assertion", nsmap={"saml2": SAML}, ID=f"_{uuid.uuid4().hex}", IssueInstant=stamp, Version="2.0"
    )
    issuer = etree.SubElement(
        assertion, f"{{{SAML}}}Issuer", Format="urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"
    )
    issuer.text = f"CN=CACHET {ORGANISATION['name']},OU=FINESS {ORGANISATION['struct']}"
    if signing is not None:
        etree.SubElement(assertion, f"{{{DS}}}Signature", nsmap={"ds": DS}, Id="placeholder")
    subject = etree.SubElement(assertion, f"{{{SAML}}}Subject")
    etree.SubElement(
        subject, f"{{{SAML}}}NameID", Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
    ).text = name_id or ORGANISATION["author"]
    etree.SubElement(
        assertion,
        f"{{{SAML}}}Conditions",
        NotBefore=stamp,
        NotOnOrAfter=(now + dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    authn = etree.SubElement(assertion, f"{{{SAML}}}AuthnStatement", AuthnInstant=stamp)
    etree.SubElement(
        etree.SubElement(authn, f"{{{SAML}}}AuthnContext"), f"{{{SAML}}}AuthnContextClassRef"
    ).text = "urn:oasis:names:tc:SAML:2.0:ac:classes:X509"
    statement = etree.SubElement(assertion, f"{{{SAML}}}AttributeStatement")
    role = etree.Element(
        f"{{{V3}}}Role", nsmap={None: V3}, code="10", codeSystem="1.2.250.1.71.1.2.7", displayName="Médecin"
    )
    purpose = etree.Element(
        f"{{{V3}}}PurposeOfUse",
        nsmap={None: V3},
        code="normal",
        codeSystem="1.2.250.1.213.1.1.4.248",
        displayName="Accès normal",
    )
    for name, value in (
        ("VIHF_Version", "3.0"),
        ("urn:oasis:names:tc:xspa:1.0:subject:subject-id", f"{ORGANISATION['family']} {ORGANISATION['given']}"),
        ("urn:oasis:names:tc:xacml:2.0:subject:role", role),
        ("Identifiant_Structure", ORGANISATION["struct"]),
        ("Secteur_Activite", f"{ORGANISATION['facility']}^1.2.250.1.71.4.2.4"),
        ("urn:oasis:names:tc:xspa:1.0:subject:purposeofuse", purpose),
        ("Authentification_Mode", auth_mode),
        ("urn:oasis:names:tc:xacml:2.0:resource:resource-id", f"{ins}^^^&{oid}&ISO^NH"),
        ("Ressource_URN", "urn:dmp"),
        ("LPS_Nom", lps_name),
        ("LPS_Version", lps_version),
    ):
        if name not in without:
            _attribute(statement, name, value)
    if signing is None:
        return assertion
    cert, key = signing
    signer = XMLSigner(
        method=methods.enveloped,
        signature_algorithm=SignatureMethod.ECDSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    signed: etree._Element = signer.sign(
        assertion, key=key.read_bytes(), cert=cert.read_text(encoding="ascii"), id_attribute="ID"
    )
    return signed
