"""What the DMP admits (harness.validators.xds.admission): a non-INS patientId, a bare PDF or a FHIR
JSON document is refused with the DMP's error and a finding on its requirement; nothing is stored."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from harness.core.recorder import Recorder
from harness.validators.soap12 import parse_envelope
from harness.validators.xds import validate_submission
from harness.validators.xds.admission import check_admission
from harness.validators.xds.mime import split_message
from harness.validators.xds.vihf import VihfReport
from mocks.dmp import DmpSimulator, iti41
from mocks.dmp.context import DmpRequest
from mocks.dmp.samples import iti41_request
from mocks.dmp.samples_cda import HOSPITAL
from mocks.dmp.samples_soap import mtom
from tests.mocks.dmp.conftest import INS, OID, Caller, document
from tests.validators.xds.test_xds_schemas import SCHEMAS

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ACTION = "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"
FHIR = b'{"resourceType": "Bundle", "type": "document", "entry": []}'


def _send_instead(body: bytes, ctype: str, cda: bytes, sent: bytes, mime: str) -> tuple[bytes, str]:
    """The MTOM request with ``sent`` in place of ``cda`` and the metadata (hash, size, mimeType) following it."""
    message = split_message(body, ctype)
    soap = message.envelope.replace(b'mimeType="text/xml"', f'mimeType="{mime}"'.encode())
    soap = soap.replace(hashlib.sha1(cda).hexdigest().encode(), hashlib.sha1(sent).hexdigest().encode())
    soap = re.sub(rb'(name="size"><rim:ValueList><rim:Value>)\d+', rb"\g<1>" + str(len(sent)).encode(), soap)
    return mtom(soap, ACTION, {cid: sent for cid in message.attachments})


def _refused(caller: Caller, body: bytes, ctype: str, code: str, rule: str, requirement: str) -> None:
    before = caller.sim.registry.counts()
    reply = caller.post(body, ctype)
    assert reply.status == "Failure" and code in reply.codes, reply.exchange.summary.get("errors")
    assert (rule, requirement) in {(f.rule, f.requirement) for f in reply.exchange.findings}
    assert caller.sim.registry.counts() == before


def test_bare_pdf_and_fhir_json_documents_are_refused(caller: Caller) -> None:
    cda = document("N1")
    body, ctype = iti41_request([cda], signer=caller.signer)
    for sent, mime in ((PDF, "application/pdf"), (FHIR, "application/fhir+json"), (FHIR, "text/xml")):
        _refused(
            caller,
            *_send_instead(body, ctype, cda, sent, mime),
            "XDSRepositoryMetadataError",
            "xds.document.cda",
            "DMP-DOC-03",
        )


def test_non_ins_patient_id_is_refused(caller: Caller) -> None:
    # given a submission whose patientIds are the local IPP of the structure (same id in the document)
    body, ctype = iti41_request([document("VSM")], signer=caller.signer)
    local = b"1.2.250.1.213.1.1.9.99"
    ins_value = f'value="{INS}^^^&amp;{OID}&amp;ISO^NH"'.encode()
    # the ExternalIdentifiers of the SubmissionSet, the DocumentEntry and the signature entry (IHE DSG)
    assert body.count(ins_value) == 3
    body = body.replace(ins_value, f'value="{INS}^^^&amp;'.encode() + local + b'&amp;ISO^PI"')
    _refused(caller, body, ctype, "XDSUnknownPatientId", "xds.patient_id.ins", "DMP-CON-01")


def test_the_admission_of_a_conformant_submission_says_nothing() -> None:
    body, ctype = iti41_request([document("VSM"), document("N1")], signer=None)
    report = validate_submission(body, ctype)
    assert report.message is not None
    assert check_admission(report.message, report.submission, report.documents, report.cda) == []
    inline, ctype = iti41_request([document("VSM")], signer=None, mtom_=False)
    report = validate_submission(inline, ctype)
    assert report.message is not None
    assert [f.rule for f in check_admission(report.message, report.submission, report.documents, report.cda)] == [
        "xds.transport.mtom"
    ]
    assert base64.b64encode(document("VSM"))[:20] in inline


def test_with_the_xds_schemas_a_schema_invalid_submission_is_refused(tmp_path: Path) -> None:
    for name, text in SCHEMAS.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    sim = DmpSimulator(Recorder(), xds_schemas=tmp_path)
    try:
        body, ctype = iti41_request([document("VSM")], signer=None)
        valid = iti41.handle(sim, _request(body, ctype))
        assert valid.summary["status"] == "Success", valid.summary.get("errors")
        body, ctype = iti41_request([document("VSM")], signer=None)
        invalid = iti41.handle(
            sim, _request(body.replace(b'<rim:ExtrinsicObject id="', b'<rim:ExtrinsicObject x="'), ctype)
        )
        assert invalid.summary["status"] == "Failure"
        assert "xds.schema" in {f.rule for f in invalid.findings}
    finally:
        sim.registry.close()


def _request(body: bytes, ctype: str) -> DmpRequest:
    message = split_message(body, ctype)
    vihf = VihfReport(present=True, signed=True, structure=HOSPITAL["struct"], ins=INS, ins_oid=OID)
    return DmpRequest(body, ctype, message, parse_envelope(message.envelope), iti41.ACTION, vihf)
