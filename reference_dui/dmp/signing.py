"""The reference DUI's signed submission set: the IHE DSG signature document of its ITI-41 (DMPi TD2.1).

The DMPi alimentation sends the CDA documents with a XAdES signature of the "lot de soumission"
(french-specs §2.4). The guide itself is not public; the shape follows IHE ITI DSG and the public
ANS sample that feeds the DMP (DRIMbox, ``ansforge/DRIM-M_DRIMbox``): one more DocumentEntry
(classCode ``urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1`` "Digital Signature", typeCode ``E1762``,
formatCode ``http://www.w3.org/2000/09/xmldsig#``, eventCode ``1.2.840.10065.1.12.1.14`` "Source"),
its MTOM part, a HasMember association from the SubmissionSet and a ``signs`` association to it.
The content is an enveloping XAdES signature (``signxml.xades.XAdESSigner``, ECDSA-SHA256, the
structure's "cachet" certificate: the test PKI's ``signing-vihf``) over a ``ds:Manifest`` holding one
``ds:Reference URI="urn:oid:<uniqueId>"`` per document with the SHA-256 of the bytes sent, and the
XAdES commitment type "Source".

Defect switches: ``dmp_unsigned_submission`` (no signature document), ``dmp_signature_wrong_digest``
(the Manifest digest of each document is taken over other bytes), ``dmp_signature_untrusted``
(signed with a self-signed key outside the IGC Santé).
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import methods
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
from signxml.util import namespaces
from signxml.xades.xades import XAdESDataObjectFormat, XAdESSigner

__all__ = ["SIGNATURE_DEFECTS", "sign_submission"]

RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
XDSB = "urn:ihe:iti:xds-b:2007"
XOP = "http://www.w3.org/2004/08/xop/include"
DS = "http://www.w3.org/2000/09/xmldsig#"
XADES: str = namespaces.xades
SIGNS = "urn:ihe:iti:2007:AssociationType:signs"
HAS_MEMBER = "urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember"
SOURCE = "1.2.840.10065.1.12.1.14"
SIGNATURE_DEFECTS = ("dmp_unsigned_submission", "dmp_signature_wrong_digest", "dmp_signature_untrusted")


@functools.lru_cache(maxsize=1)
def _outsider() -> tuple[bytes, bytes]:
    """A self-signed "cachet" outside the IGC Santé (``dmp_signature_untrusted``), made once per process."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CACHET HORS IGC-SANTE (defect)")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), pem_key


def _commitment(signer: XAdESSigner, properties: etree._Element, **_: Any) -> None:
    """XAdES CommitmentTypeIndication "Source" (1.2.840.10065.1.12.1.14) over all signed objects (IHE DSG)."""
    indication = etree.SubElement(properties, f"{{{XADES}}}CommitmentTypeIndication")
    type_id = etree.SubElement(indication, f"{{{XADES}}}CommitmentTypeId")
    etree.SubElement(type_id, f"{{{XADES}}}Identifier").text = f"urn:oid:{SOURCE}"
    etree.SubElement(indication, f"{{{XADES}}}AllSignedDataObjects")


def _signature(documents: list[tuple[str, bytes]], cert: bytes, key: bytes, defects: frozenset[str]) -> bytes:
    """The XAdES signature (enveloping) of a Manifest over ``documents`` (uniqueId, bytes sent)."""
    manifest = etree.Element(f"{{{DS}}}Manifest", nsmap={"ds": DS}, Id="IHEManifest")
    for unique, content in documents:
        reference = etree.SubElement(manifest, f"{{{DS}}}Reference", URI=f"urn:oid:{unique}")
        etree.SubElement(reference, f"{{{DS}}}DigestMethod", Algorithm=DigestAlgorithm.SHA256.value)
        digested = content + b"\n" if "dmp_signature_wrong_digest" in defects else content  # other bytes
        etree.SubElement(reference, f"{{{DS}}}DigestValue").text = base64.b64encode(
            hashlib.sha256(digested).digest()
        ).decode()
    signer = XAdESSigner(
        method=methods.enveloping,
        signature_algorithm=SignatureMethod.ECDSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        # c14n 1.1: signxml writes its XAdES references without Transforms, read back with c14n 1.1
        c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_1,
        data_object_format=XAdESDataObjectFormat(Description="Manifest IHE DSG du lot de soumission"),
    )
    signer.signed_data_object_properties_annotators.append(functools.partial(_commitment, signer))
    signed: etree._Element = signer.sign(manifest, key=key, cert=cert.decode("ascii"))
    data: bytes = etree.tostring(signed, xml_declaration=True, encoding="UTF-8")
    return data


def sign_submission(
    body: etree._Element,
    objects: etree._Element,
    *,
    ss_id: str,
    entry_of: Callable[[etree._Element, str, bytes], None],
    documents: list[tuple[str, bytes]],
    signing: tuple[Path, Path] | None,
    defects: frozenset[str],
) -> dict[str, bytes]:
    """Add the signature document to an ITI-41 body; its MTOM attachment (``{}`` when it is not signed).

    Args:
        body: the ``xdsb:ProvideAndRegisterDocumentSetRequest``.
        objects: its ``rim:RegistryObjectList``.
        ss_id: the SubmissionSet's id.
        entry_of: writes the signature's ExtrinsicObject (``objects``, entryUUID, content) with the
            submission's patient, author and structure (:func:`reference_dui.dmp.xds.signature_entry`).
        documents: (uniqueId, bytes sent) of every document of the submission.
        signing: the structure's "cachet" certificate and key; None: no PKI, nothing is signed.
        defects: the DUI's defect switches (:data:`SIGNATURE_DEFECTS`).
    """
    if signing is None or "dmp_unsigned_submission" in defects:
        return {}
    cert, key = signing[0].read_bytes(), signing[1].read_bytes()
    if "dmp_signature_untrusted" in defects:
        cert, key = _outsider()
    content = _signature(documents, cert, key, defects)
    entry_uuid = f"urn:uuid:{uuid.uuid4()}"
    entry_of(objects, entry_uuid, content)
    for kind, source, target in ((HAS_MEMBER, ss_id, entry_uuid), (SIGNS, entry_uuid, ss_id)):
        assoc = etree.SubElement(
            objects,
            f"{{{RIM}}}Association",
            id=f"urn:uuid:{uuid.uuid4()}",
            associationType=kind,
            sourceObject=source,
            targetObject=target,
        )
        if kind == HAS_MEMBER:
            value_list = etree.SubElement(
                etree.SubElement(assoc, f"{{{RIM}}}Slot", name="SubmissionSetStatus"), f"{{{RIM}}}ValueList"
            )
            etree.SubElement(value_list, f"{{{RIM}}}Value").text = "Original"
    cid = f"{uuid.uuid4().hex}@reference-dui"
    document = etree.SubElement(body, f"{{{XDSB}}}Document", id=entry_uuid)
    etree.SubElement(document, f"{{{XOP}}}Include", href=f"cid:{cid}")
    return {cid: content}
