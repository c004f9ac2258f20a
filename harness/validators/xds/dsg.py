"""The signed submission set of a DMP feeding: the IHE DSG signature document of an ITI-41 (DMP-SIGN-01).

What is checked, and where it comes from:

* the DMPi alimentation (TD2.1) is an ITI-41 with the CDA documents *and* a XAdES-signed submission
  set, the "lot de soumission" (french-specs §2.4; DEVBOX's ``td21SubmitDocuments`` [S]). The guide
  « Service DMP intégré aux LPS » itself is not public: the shape below follows IHE ITI *Document
  Digital Signature* (DSG, ITI TF-3 §5.5) and the public ANS sample that feeds the DMP (DRIMbox,
  ``ansforge/DRIM-M_DRIMbox``, ``ProvideAndRegisterRequest.java`` / ``XadesSign.java``, MIT);
* the signature is one more DocumentEntry, classCode ``urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1``
  ("Digital Signature", TRE_A10), typeCode ``E1762`` (ASTM "Full Document"), formatCode
  ``http://www.w3.org/2000/09/xmldsig#`` (the DMP sample; IHE's ``urn:ihe:iti:dsg:detached:2014`` is
  accepted too), mimeType ``text/xml``; a HasMember association puts it in the SubmissionSet and a
  ``signs`` association (``urn:ihe:iti:2007:AssociationType:signs``) goes from it to the SubmissionSet;
* its content is a ``ds:Signature`` (XML-DSig with XAdES qualifying properties) whose signed
  ``ds:Manifest`` has one ``ds:Reference`` per document of the submission, ``URI="urn:oid:<uniqueId>"``,
  with the digest of the document's bytes (a c14n transform, as the DRIMbox sample writes for a CDA,
  is honoured). The signer's certificate must chain to the trusted CA (the test IGC Santé here; the
  structure's "cachet" certificate in real life).

Assumptions (the DMP's own controls are not public): the Manifest may be signed directly (IHE DSG:
``Type=…#Manifest``) or through the ``ds:Object`` that holds it (signxml's enveloping signature); the
SubmissionSet reference of the DRIMbox Manifest (no real digest) is not required. The signature is
verified with ``signxml.xades.XAdESVerifier`` (a maintained XML-DSig/XAdES library), after parsing the
untrusted bytes with :func:`harness.validators.safexml.parse_xml`; the trust anchors are loaded once per
CA file (a few ms per submission).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography import x509
from lxml import etree
from signxml.algorithms import DigestAlgorithm, SignatureMethod
from signxml.exceptions import InvalidCertificate, SignXMLException
from signxml.util import X509CertChainVerifier
from signxml.xades.xades import XAdESSignatureConfiguration, XAdESVerifier

from harness.core.findings import Finding, Severity
from harness.core.rules import rule
from harness.validators.safexml import XmlInputError, parse_xml
from harness.validators.xds.dsig_speed import CachedChains, FastReferences, install
from harness.validators.xds.ebrim import ASSOC_HAS_MEMBER, DE, DSG_CLASS_CODE, RegistryObject, Submission

__all__ = [
    "ASSOC_SIGNS",
    "DSG_EVENT_CODE",
    "DSG_FORMAT_CODES",
    "DSG_TYPE_CODE",
    "REQUIREMENT",
    "check_signature",
]

REQUIREMENT = "DMP-SIGN-01"
ASSOC_SIGNS = "urn:ihe:iti:2007:AssociationType:signs"
DSG_TYPE_CODE = "E1762"
DSG_FORMAT_CODES = ("http://www.w3.org/2000/09/xmldsig#", "urn:ihe:iti:dsg:detached:2014")
#: purpose of the signature: "Source" (ASTM E1762 / ISO 17090), the eventCode and XAdES commitment type
DSG_EVENT_CODE = "1.2.840.10065.1.12.1.14"
DS = "http://www.w3.org/2000/09/xmldsig#"
_DIGESTS = {
    "http://www.w3.org/2000/09/xmldsig#sha1": "sha1",
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384": "sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
}
#: c14n transforms of a Manifest reference -> (exclusive, with_comments)
_C14N = {
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315": (False, False),
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments": (False, True),
    "http://www.w3.org/2001/10/xml-exc-c14n#": (True, False),
    "http://www.w3.org/2001/10/xml-exc-c14n#WithComments": (True, True),
}
_CONFIG = XAdESSignatureConfiguration(
    expect_references=True,
    signature_methods=frozenset(SignatureMethod) - {m for m in SignatureMethod if m.name.startswith("HMAC")},
    digest_algorithms=frozenset(DigestAlgorithm),
)
_STORES: dict[str, x509.verification.Store] = {}
install()
_STORES_LOCK = threading.Lock()


def _store(trust_ca: Path) -> x509.verification.Store:
    """The trust anchors of ``trust_ca``, loaded once per file state (path, mtime, size)."""
    stat = trust_ca.stat()
    key = f"{trust_ca}:{stat.st_mtime_ns}:{stat.st_size}"
    with _STORES_LOCK:
        store = _STORES.get(key)
        if store is None:
            store = x509.verification.Store(x509.load_pem_x509_certificates(trust_ca.read_bytes()))
            _STORES[key] = store
    return store


class _Verifier(FastReferences, XAdESVerifier):
    """signxml's XAdES verifier whose certificate chains are checked against a cached trust store
    (:mod:`harness.validators.xds.dsig_speed`: the same checks, made once where signxml repeats them)."""

    def __init__(self, store: x509.verification.Store | None = None) -> None:
        super().__init__()
        self._trusted = store

    def get_cert_chain_verifier(self, ca_pem_file: Any, ee_policy: Any, ca_policy: Any) -> X509CertChainVerifier:
        if self._trusted is None:
            return super().get_cert_chain_verifier(ca_pem_file, ee_policy, ca_policy)  # type: ignore[no-untyped-call,no-any-return]
        return CachedChains(
            self._trusted,
            ca_pem_file=ca_pem_file,
            verification_time=self._get_cert_verification_time(),  # type: ignore[no-untyped-call]
            ee_policy=ee_policy,
            ca_policy=ca_policy,
        )


def _f(rule_id: str, message: str, location: str, severity: Severity) -> Finding:
    return Finding(rule_id, REQUIREMENT, message, severity, location)


@rule("dmp.signature.missing", requirement=REQUIREMENT, summary="the ITI-41 carries an IHE DSG signature document")
@rule(
    "dmp.signature.metadata",
    requirement=REQUIREMENT,
    summary="the signature entry's codes (Digital Signature, E1762, xmldsig#) and its associations",
)
@rule("dmp.signature.xml", requirement=REQUIREMENT, summary="the signature document is a readable ds:Signature")
@rule("dmp.signature.invalid", requirement=REQUIREMENT, summary="the XAdES signature verifies (signxml)")
@rule("dmp.signature.untrusted", requirement=REQUIREMENT, summary="the signer's certificate chains to the trusted CA")
@rule(
    "dmp.signature.manifest",
    requirement=REQUIREMENT,
    summary="the signed ds:Manifest references every document of the submission with its digest",
)
@rule("dmp.signature.digest", requirement=REQUIREMENT, summary="each Manifest digest is the digest of the bytes sent")
def check_signature(submission: Submission, documents: Mapping[str, bytes], *, trust_ca: Path | None) -> list[Finding]:
    """Every DMP-SIGN-01 finding of one ITI-41 submission (see the module doc).

    Args:
        submission: the submission read by :func:`harness.validators.xds.ebrim.read_submission`.
        documents: the bytes of each ``xdsb:Document`` by id (the signature's among them).
        trust_ca: PEM CA the signer must chain to; None (no PKI) verifies with the certificate the
            signature carries and turns every finding into a warning, as for the VIHF.
    """
    soft = Severity.ERROR if trust_ca is not None else Severity.WARNING
    where = "/lcm:SubmitObjectsRequest/rim:RegistryObjectList"
    if not submission.signatures:
        return [
            _f(
                "dmp.signature.missing",
                "lot de soumission non signé / unsigned submission set: no signature DocumentEntry (classCode "
                f"{DSG_CLASS_CODE}); the DMPi alimentation (TD2.1) sends the documents with a XAdES signature "
                "of the submission set (IHE DSG)",
                where,
                soft,
            )
        ]
    findings: list[Finding] = []
    for signature in submission.signatures:
        findings += _metadata(submission, signature, soft)
        content = documents.get(signature.id)
        if content is None:
            continue  # xds.structure.document_missing (DMP-XDS-01) says it
        findings += _content(submission, signature, content, documents, trust_ca, soft)
    return findings


def _metadata(submission: Submission, signature: RegistryObject, soft: Severity) -> list[Finding]:
    findings = []
    type_code, format_code = signature.code("typeCode"), signature.code("formatCode")
    if type_code is None or type_code.code != DSG_TYPE_CODE:
        findings.append(
            _f(
                "dmp.signature.metadata",
                f"signature entry {signature.id!r}: typeCode {type_code.code if type_code else '(none)'!r}, "
                f"not {DSG_TYPE_CODE} (ASTM 'Full Document', IHE DSG)",
                type_code.location if type_code else signature.location,
                soft,
            )
        )
    if format_code is None or format_code.code not in DSG_FORMAT_CODES:
        findings.append(
            _f(
                "dmp.signature.metadata",
                f"signature entry {signature.id!r}: formatCode {format_code.code if format_code else '(none)'!r}, "
                f"not {DSG_FORMAT_CODES[0]}",
                format_code.location if format_code else signature.location,
                soft,
            )
        )
    ss_ids = {s.id for s in submission.submission_sets}
    kinds = {(a.type, a.source, a.target) for a in submission.associations}
    if not any((ASSOC_HAS_MEMBER, ss, signature.id) in kinds for ss in ss_ids):
        findings.append(
            _f(
                "dmp.signature.metadata",
                f"no HasMember association puts the signature entry {signature.id!r} in the SubmissionSet",
                signature.location,
                soft,
            )
        )
    if not any((ASSOC_SIGNS, signature.id, ss) in kinds for ss in ss_ids):
        findings.append(
            _f(
                "dmp.signature.metadata",
                f"no 'signs' association ({ASSOC_SIGNS}) from the signature entry {signature.id!r} to the "
                "SubmissionSet: the signature must name what it signs",
                _where_assoc(signature),
                soft,
            )
        )
    return findings


def _where_assoc(signature: RegistryObject) -> str:
    return f"/lcm:SubmitObjectsRequest/rim:RegistryObjectList/rim:Association[@sourceObject='{signature.id}']"


def _content(
    submission: Submission,
    signature: RegistryObject,
    content: bytes,
    documents: Mapping[str, bytes],
    trust_ca: Path | None,
    soft: Severity,
) -> list[Finding]:
    here = f"document {signature.id}"
    try:
        root = parse_xml(content)
    except XmlInputError as exc:
        return [_f("dmp.signature.xml", f"the signature document is not readable XML: {exc}", here, soft)]
    if root.tag != f"{{{DS}}}Signature":
        return [
            _f(
                "dmp.signature.xml",
                f"the signature document's root is {root.tag}, not ds:Signature",
                f"{here}: /",
                soft,
            )
        ]
    manifest, problem = _verified_manifest(root, trust_ca, soft, here)
    if problem is not None:
        return [problem]
    if manifest is None:
        return [
            _f(
                "dmp.signature.manifest",
                "no ds:Manifest is covered by the signature: IHE DSG signs a Manifest listing every document",
                f"{here}: /ds:Signature/ds:SignedInfo",
                soft,
            )
        ]
    return _manifest(submission, manifest, documents, soft, here)


def _verified_manifest(
    root: etree._Element, trust_ca: Path | None, soft: Severity, here: str
) -> tuple[etree._Element | None, Finding | None]:
    """The ds:Manifest the signature covers (from signxml's verified data, never from the raw tree)."""
    try:
        if trust_ca is not None:
            verifier = _Verifier(_store(trust_ca))
            results = verifier.verify(copy.deepcopy(root), ca_pem_file=str(trust_ca), expect_config=_CONFIG)
        else:
            cert = "".join((root.findtext(f".//{{{DS}}}X509Certificate") or "").split())
            results = _Verifier().verify(copy.deepcopy(root), x509_cert=cert, expect_config=_CONFIG)
    except InvalidCertificate as exc:
        return None, _f(
            "dmp.signature.untrusted",
            f"the signer's certificate does not chain to the trusted CA (IGC Santé): {exc}",
            f"{here}: /ds:Signature/ds:KeyInfo",
            soft,
        )
    except (SignXMLException, ValueError, TypeError, KeyError, AttributeError, etree.LxmlError) as exc:
        return None, _f(
            "dmp.signature.invalid",
            f"la signature XAdES ne se vérifie pas / the XAdES signature does not verify ({type(exc).__name__}: {exc})",
            f"{here}: /ds:Signature",
            soft,
        )
    for result in results:
        signed = result.signed_xml
        if signed is None or not isinstance(signed.tag, str):
            continue
        found = signed if signed.tag == f"{{{DS}}}Manifest" else signed.find(f".//{{{DS}}}Manifest")
        if found is not None:
            return found, None
    return None, None


def _manifest(
    submission: Submission, manifest: etree._Element, documents: Mapping[str, bytes], soft: Severity, here: str
) -> list[Finding]:
    references = {ref.get("URI", ""): ref for ref in manifest.iterfind(f"{{{DS}}}Reference")}
    findings = []
    for doc in submission.documents:
        unique = doc.identifiers.get(DE.UNIQUE_ID, "")
        content = documents.get(doc.id)
        if not unique or content is None:
            continue  # xds.de.unique_id / xds.structure.document_missing
        uri = f"urn:oid:{unique}"
        reference = references.get(uri)
        where = f"{here}: /ds:Signature//ds:Manifest/ds:Reference[@URI='{uri}']"
        if reference is None:
            findings.append(
                _f(
                    "dmp.signature.manifest",
                    f"le document {unique} n'est pas signé / the signed Manifest has no Reference URI={uri!r} for "
                    f"DocumentEntry {doc.id!r}",
                    where,
                    soft,
                )
            )
            continue
        problem = _digest_problem(reference, content)
        if problem:
            findings.append(_f("dmp.signature.digest", f"{uri}: {problem}", where, soft))
    return findings


def _digest_problem(reference: etree._Element, content: bytes) -> str:
    """Why the Reference's digest does not match ``content`` ("" when it does)."""
    method = reference.find(f"{{{DS}}}DigestMethod")
    algorithm = _DIGESTS.get(method.get("Algorithm", "") if method is not None else "")
    if algorithm is None:
        return "DigestMethod absent or not SHA-1/SHA-2"
    try:
        expected = base64.b64decode("".join((reference.findtext(f"{{{DS}}}DigestValue") or "").split()), validate=True)
    except ValueError:
        return "DigestValue is not base64"
    data = content
    for transform in reference.iterfind(f"{{{DS}}}Transforms/{{{DS}}}Transform"):
        mode = _C14N.get(transform.get("Algorithm", ""))
        if mode is None:
            return f"unsupported Transform {transform.get('Algorithm')!r}"
        try:
            tree = parse_xml(data).getroottree()
        except XmlInputError as exc:
            return f"the document cannot be canonicalised: {exc}"
        data = etree.tostring(tree, method="c14n", exclusive=mode[0], with_comments=mode[1])
    actual = hashlib.new(algorithm, data).digest()
    if actual != expected:
        return (
            f"empreinte fausse / digest mismatch: the Manifest says {base64.b64encode(expected).decode()}, the "
            f"document sent has {algorithm.upper()} {base64.b64encode(actual).decode()}"
        )
    return ""
