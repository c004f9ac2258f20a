"""The harness's own ITI-41 samples, signed: the IHE DSG signature document of the submission set.

An independent writer of what the reference DUI writes in :mod:`reference_dui.dmp.signing` (the DMPi
TD2.1 "lot de soumission" signed XAdES, :mod:`harness.validators.xds.dsg` for the facts and sources):
the signature entry copies the first DocumentEntry's patient, author and structure metadata and takes
the DSG codes; its content is an enveloping XAdES signature (``signxml.xades``) over a ``ds:Manifest``
with the SHA-256 of every document, signed with the structure's certificate of :class:`Signer`.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import uuid

from lxml import etree
from signxml import methods
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
from signxml.xades.xades import XAdESSigner

from harness.validators.xds.dsg import ASSOC_SIGNS, DSG_FORMAT_CODES, DSG_TYPE_CODE
from harness.validators.xds.ebrim import ASSOC_HAS_MEMBER, DE, DSG_CLASS_CODE, RIM
from mocks.dmp.samples_soap import Signer

__all__ = ["add_signature", "signature_of"]

DS = "http://www.w3.org/2000/09/xmldsig#"
#: scheme -> (code, codingScheme, display) of the signature entry
_CODES = {
    DE.CLASS_CODE: (DSG_CLASS_CODE, "URN", "Digital Signature"),
    DE.TYPE_CODE: (DSG_TYPE_CODE, "ASTM", "Full Document"),
    DE.FORMAT_CODE: (DSG_FORMAT_CODES[0], "URN", "Default Signature Style"),
}


def signature_of(documents: list[tuple[str, bytes]], signer: Signer) -> bytes:
    """The XAdES signature (enveloping) of a Manifest over ``documents`` (uniqueId, bytes sent)."""
    manifest = etree.Element(f"{{{DS}}}Manifest", nsmap={"ds": DS}, Id="IHEManifest")
    for unique, content in documents:
        reference = etree.SubElement(manifest, f"{{{DS}}}Reference", URI=f"urn:oid:{unique}")
        etree.SubElement(reference, f"{{{DS}}}DigestMethod", Algorithm=DigestAlgorithm.SHA256.value)
        etree.SubElement(reference, f"{{{DS}}}DigestValue").text = base64.b64encode(
            hashlib.sha256(content).digest()
        ).decode()
    signed: etree._Element = XAdESSigner(
        method=methods.enveloping,
        signature_algorithm=SignatureMethod.ECDSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        # c14n 1.1: signxml writes its XAdES references without Transforms, read back with c14n 1.1
        c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_1,
    ).sign(manifest, key=signer.key, cert=signer.cert.decode("ascii"))
    data: bytes = etree.tostring(signed, xml_declaration=True, encoding="UTF-8")
    return data


def _entry(objects: etree._Element, template: etree._Element, entry_id: str, content: bytes) -> None:
    """The signature's ExtrinsicObject: ``template``'s metadata with the DSG codes, its own id, hash and size."""
    entry = copy.deepcopy(template)
    entry.set("id", entry_id)
    entry.set("mimeType", "text/xml")
    for child in entry.iter(f"{{{RIM}}}Classification", f"{{{RIM}}}ExternalIdentifier"):
        if child.get("classifiedObject") is not None:
            child.set("classifiedObject", entry_id)
        if child.get("registryObject") is not None:
            child.set("registryObject", entry_id)
        child.set("id", f"sig-{uuid.uuid4().hex[:12]}")
        scheme = child.get("classificationScheme")
        if scheme in _CODES:
            code, system, _display = _CODES[scheme]
            child.set("nodeRepresentation", code)
            value = child.find(f"{{{RIM}}}Slot[@name='codingScheme']/{{{RIM}}}ValueList/{{{RIM}}}Value")
            if value is not None:
                value.text = system
        if child.get("identificationScheme") == DE.UNIQUE_ID:
            child.set("value", f"2.25.{uuid.uuid4().int}")
    for slot in entry.iterfind(f"{{{RIM}}}Slot"):
        value = slot.find(f"{{{RIM}}}ValueList/{{{RIM}}}Value")
        if value is not None and slot.get("name") == "hash":
            value.text = hashlib.sha1(content).hexdigest()
        elif value is not None and slot.get("name") == "size":
            value.text = str(len(content))
    objects.append(entry)


def add_signature(
    objects: etree._Element, ss_id: str, signer: Signer, documents: dict[str, bytes]
) -> tuple[str, bytes] | None:
    """Add the signature entry and its associations to ``objects``; its ``(entry id, content)``.

    Args:
        objects: the ``rim:RegistryObjectList`` (its DocumentEntries are signed).
        ss_id: the SubmissionSet id.
        signer: the structure's certificate and key.
        documents: the bytes of each DocumentEntry by id.
    """
    entries = objects.findall(f"{{{RIM}}}ExtrinsicObject")
    if not entries:
        return None
    signed = []
    for entry in entries:
        unique = next(
            (
                e.get("value", "")
                for e in entry.iterfind(f"{{{RIM}}}ExternalIdentifier")
                if e.get("identificationScheme") == DE.UNIQUE_ID
            ),
            "",
        )
        signed.append((unique, documents.get(entry.get("id", ""), b"")))
    content = signature_of(signed, signer)
    entry_id = "Signature01"
    _entry(objects, entries[0], entry_id, content)
    for index, (kind, source, target) in enumerate(
        ((ASSOC_HAS_MEMBER, ss_id, entry_id), (ASSOC_SIGNS, entry_id, ss_id)), start=1
    ):
        assoc = etree.SubElement(
            objects,
            f"{{{RIM}}}Association",
            id=f"as-sig-{index}",
            associationType=kind,
            sourceObject=source,
            targetObject=target,
        )
        if kind == ASSOC_HAS_MEMBER:
            slot = etree.SubElement(assoc, f"{{{RIM}}}Slot", name="SubmissionSetStatus")
            etree.SubElement(etree.SubElement(slot, f"{{{RIM}}}ValueList"), f"{{{RIM}}}Value").text = "Original"
    return entry_id, content
