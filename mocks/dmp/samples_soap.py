"""The SOAP layer of the harness's DMP requests: the signed VIHF, the envelope, MTOM with :mod:`email`."""

from __future__ import annotations

import datetime as dt
import email.policy
import uuid
from dataclasses import dataclass
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from pathlib import Path

from lxml import etree
from signxml import methods
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
from signxml.signer import XMLSigner

from harness.validators.xds.vihf import PURPOSE, RESOURCE_ID, ROLE, SAML_NS, SUBJECT_ID, WSSE_NS, X509_SUBJECT
from mocks.common.soap import SOAP12_NS, WSA_NS
from mocks.dmp.samples_cda import HOSPITAL

__all__ = ["Signer", "envelope", "mtom", "vihf"]

V3 = "urn:hl7-org:v3"
DS = "http://www.w3.org/2000/09/xmldsig#"


@dataclass(frozen=True)
class Signer:
    """The structure's signing certificate and key (PEM), e.g. the test PKI's ``signing-vihf``."""

    cert: bytes
    key: bytes

    @classmethod
    def from_files(cls, cert: Path, key: Path) -> Signer:
        return cls(cert.read_bytes(), key.read_bytes())


def _attr(statement: etree._Element, name: str, value: str | etree._Element) -> None:
    attribute = etree.SubElement(statement, f"{{{SAML_NS}}}Attribute", Name=name)
    holder = etree.SubElement(attribute, f"{{{SAML_NS}}}AttributeValue")
    if isinstance(value, str):
        holder.text = value
    else:
        holder.append(value)


def vihf(
    ins: str,
    oid: str,
    *,
    signer: Signer | None,
    structure: str = HOSPITAL["struct"],
    subject: str = HOSPITAL["author"],
    omit: tuple[str, ...] = (),
    overrides: dict[str, str] | None = None,
    lifetime: dt.timedelta = dt.timedelta(hours=1),
) -> etree._Element:
    """A VIHF SAML 2.0 assertion for the patient ``ins`` (signed when ``signer`` is given)."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    assertion = etree.Element(
        f"{{{SAML_NS}}}Assertion",
        nsmap={"saml2": SAML_NS},
        ID=f"_{uuid.uuid4().hex}",
        IssueInstant=stamp,
        Version="2.0",
    )
    etree.SubElement(assertion, f"{{{SAML_NS}}}Issuer", Format=X509_SUBJECT).text = "CN=CACHET DUI TEST"
    if signer is not None:
        # the placeholder puts the signature after Issuer (SAML 2.0 schema order); its ds prefix must be
        # declared here, or lxml renames it when the assertion moves and the SignedInfo c14n changes
        etree.SubElement(assertion, f"{{{DS}}}Signature", nsmap={"ds": DS}, Id="placeholder")
    etree.SubElement(etree.SubElement(assertion, f"{{{SAML_NS}}}Subject"), f"{{{SAML_NS}}}NameID").text = subject
    etree.SubElement(
        assertion,
        f"{{{SAML_NS}}}Conditions",
        NotBefore=stamp,
        NotOnOrAfter=(now + lifetime).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    authn = etree.SubElement(assertion, f"{{{SAML_NS}}}AuthnStatement", AuthnInstant=stamp)
    etree.SubElement(
        etree.SubElement(authn, f"{{{SAML_NS}}}AuthnContext"), f"{{{SAML_NS}}}AuthnContextClassRef"
    ).text = "urn:oasis:names:tc:SAML:2.0:ac:classes:TLSClient"
    statement = etree.SubElement(assertion, f"{{{SAML_NS}}}AttributeStatement")
    role = etree.Element(
        f"{{{V3}}}Role", nsmap={None: V3}, code="10", codeSystem="1.2.250.1.71.1.2.7", displayName="Médecin"
    )
    purpose = etree.Element(
        f"{{{V3}}}PurposeOfUse", nsmap={None: V3}, code="normal", codeSystem="1.2.250.1.213.1.1.4.248"
    )
    values: dict[str, str | etree._Element] = {
        "VIHF_Version": "3.0",
        SUBJECT_ID: f"{HOSPITAL['family']} {HOSPITAL['given']}",
        ROLE: role,
        "Secteur_Activite": "SA01^1.2.250.1.71.4.2.4",
        PURPOSE: purpose,
        "Identifiant_Structure": structure,
        RESOURCE_ID: f"{ins}^^^&{oid}&ISO^NH",
        "Ressource_URN": "urn:dmp",
        "Authentification_Mode": "INDIRECTE",
        "LPS_Nom": "DUI-HARNESS-TESTS",
        "LPS_Version": "1.0",
    }
    values.update(overrides or {})
    for name, value in values.items():
        if name not in omit:
            _attr(statement, name, value)
    if signer is None:
        return assertion
    xml_signer = XMLSigner(
        method=methods.enveloped,
        signature_algorithm=SignatureMethod.ECDSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    signed: etree._Element = xml_signer.sign(
        assertion, key=signer.key, cert=signer.cert.decode("ascii"), id_attribute="ID"
    )
    return signed


def envelope(action: str, body: etree._Element, assertion: etree._Element | None) -> bytes:
    """A SOAP 1.2 request: WS-Addressing headers, the VIHF in wsse:Security, ``body``."""
    root = etree.Element(f"{{{SOAP12_NS}}}Envelope", nsmap={"soap": SOAP12_NS, "wsa": WSA_NS})
    header = etree.SubElement(root, f"{{{SOAP12_NS}}}Header")
    etree.SubElement(header, f"{{{WSA_NS}}}Action").text = action
    etree.SubElement(header, f"{{{WSA_NS}}}MessageID").text = f"urn:uuid:{uuid.uuid4()}"
    if assertion is not None:
        etree.SubElement(header, f"{{{WSSE_NS}}}Security", nsmap={"wsse": WSSE_NS}).append(assertion)
    etree.SubElement(root, f"{{{SOAP12_NS}}}Body").append(body)
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data


def mtom(soap: bytes, action: str, attachments: dict[str, bytes]) -> tuple[bytes, str]:
    """An MTOM multipart/related body written with :mod:`email` (the independent MIME writer).

    Attachments are base64-encoded parts (``Content-Transfer-Encoding: base64``, valid MIME that
    a receiver must decode); the reference DUI sends them binary.
    """
    message: MIMEMultipart = MIMEMultipart("related", type="application/xop+xml", start="<root@dui-harness>")
    message.set_param("start-info", "application/soap+xml")
    root = MIMEApplication(soap, "xop+xml", _encoder=lambda part: None)
    root.set_param("charset", "UTF-8")
    root.set_param("type", f'application/soap+xml; action="{action}"')
    root.add_header("Content-ID", "<root@dui-harness>")
    root.add_header("Content-Transfer-Encoding", "binary")
    message.attach(root)
    for cid, data in attachments.items():
        part = MIMEApplication(data, "octet-stream")  # base64: the email generator rewrites line ends of binary
        part.add_header("Content-ID", f"<{cid}>")
        message.attach(part)
    raw = message.as_bytes(policy=email.policy.HTTP)
    head, _, body = raw.partition(b"\r\n\r\n")
    content_type = next(
        line.split(b":", 1)[1].strip() for line in head.split(b"\r\n") if line.lower().startswith(b"content-type:")
    )
    return body, content_type.decode("ascii")
