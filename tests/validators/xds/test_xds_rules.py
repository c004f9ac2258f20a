"""Each XDS metadata check fails on a crafted defect, on its requirement; a clean submission passes."""

from __future__ import annotations

from typing import Any

import pytest

from harness.validators.xds import validate_submission
from mocks.dmp.samples import iti41_request
from mocks.dmp.samples_cda import clinical_document

INS, OID = "241057505612360", "1.2.250.1.213.1.4.10"
TRAITS: dict[str, Any] = {
    "birth_name": "DUPONT-ESSAI",
    "first_names": ["LOUISE", "ANNE"],
    "sex": "F",
    "birth_date": "1941-05-12",
    "birth_place": "75056",
}


def _inline(kind: str = "FLUDR", **options: Any) -> bytes:
    cda = clinical_document(kind, ins=INS, ins_oid=OID, traits=TRAITS, **options)
    body, _ = iti41_request([cda], signer=None, mtom_=False)
    return body


def _slot(name: str) -> bytes:
    return f'<rim:Slot name="{name}">'.encode()


#: case -> (find, replace, rule, requirement): one edit of a valid inline ITI-41, and what it must raise
MUTATIONS: dict[str, tuple[bytes, bytes, str, str]] = {
    "no-submission-set-node": (
        b'classificationNode="urn:uuid:a54d6aa5',
        b'classificationNode="urn:uuid:00000000',
        "xds.structure.submission_set",
        "DMP-XDS-01",
    ),
    "no-has-member": (b"AssociationType:HasMember", b"AssociationType:Other", "xds.structure.has_member", "DMP-XDS-01"),
    "no-original-status": (
        b"<rim:Value>Original</rim:Value>",
        b"<rim:Value>Reference</rim:Value>",
        "xds.structure.ss_status",
        "DMP-XDS-01",
    ),
    "no-creation-time": (_slot("creationTime"), _slot("creationTimeX"), "xds.de.slot", "DMP-XDS-02"),
    "no-language": (_slot("languageCode"), _slot("langue"), "xds.de.slot", "DMP-XDS-02"),
    "no-legal-authenticator": (_slot("legalAuthenticator"), _slot("legal"), "xds.de.slot", "DMP-XDS-02"),
    "no-type-code": (
        b'classificationScheme="urn:uuid:f0306f51',
        b'classificationScheme="urn:uuid:00006f51',
        "xds.de.code",
        "DMP-XDS-02",
    ),
    "no-submission-time": (_slot("submissionTime"), _slot("submitted"), "xds.ss.submission_time", "DMP-XDS-03"),
    "no-content-type": (
        b'classificationScheme="urn:uuid:aa543740',
        b'classificationScheme="urn:uuid:00003740',
        "xds.ss.content_type",
        "DMP-XDS-03",
    ),
    "no-source-id": (
        b'identificationScheme="urn:uuid:554ac39e',
        b'identificationScheme="urn:uuid:0000c39e',
        "xds.ss.identifier",
        "DMP-XDS-03",
    ),
    "class-code-not-in-j06": (
        b'nodeRepresentation="11"',
        b'nodeRepresentation="77"',
        "xds.code.value_set",
        "DMP-XDS-04",
    ),
    "practice-setting-not-in-j04": (
        b'nodeRepresentation="ETABLISSEMENT"',
        b'nodeRepresentation="HOPITAL"',
        "xds.code.value_set",
        "DMP-XDS-04",
    ),
    "facility-code-wrong-system": (
        b"1.2.250.1.71.4.2.4</rim:Value>",
        b"1.2.250.1.71.4.2.9</rim:Value>",
        "xds.code.value_set",
        "DMP-XDS-04",
    ),
    "author-person-no-authority": (
        b"^^^^^^&amp;1.2.250.1.71.4.2.1&amp;ISO^D^^^IDNPS</rim:Value></rim:ValueList>"
        b'</rim:Slot><rim:Slot name="authorInstitution"',
        b'^^^^^^^D^^^IDNPS</rim:Value></rim:ValueList></rim:Slot><rim:Slot name="authorInstitution"',
        "xds.format.xcn",
        "DMP-XDS-05",
    ),
    "institution-no-name": (
        b"<rim:Value>CENTRE HOSPITALIER DE TEST DUI-HARNESS^",
        b"<rim:Value>^",
        "xds.format.xon",
        "DMP-XDS-05",
    ),
    "creation-time-with-separators": (
        b'<rim:Slot name="creationTime"><rim:ValueList><rim:Value>20',
        b'<rim:Slot name="creationTime"><rim:ValueList><rim:Value>20-',
        "xds.format.dtm",
        "DMP-XDS-05",
    ),
    "patient-id-not-cx": (
        b'value="241057505612360^^^&amp;',
        b'value="241057505612360^^&amp;',
        "xds.format.cx",
        "DMP-XDS-05",
    ),
    "hash-not-sha1": (
        b'<rim:Slot name="hash"><rim:ValueList><rim:Value>',
        b'<rim:Slot name="hash"><rim:ValueList><rim:Value>zz',
        "xds.format.hash",
        "DMP-XDS-05",
    ),
}


def test_clean_submission_has_no_finding() -> None:
    for kind in ("FLUDR", "VSM", "N1"):
        report = validate_submission(_inline(kind))
        assert report.findings == [], [str(f) for f in report.findings]
        assert report.submission is not None and len(report.documents) == 1 and report.ok


@pytest.mark.parametrize("case", list(MUTATIONS))
def test_each_check_fails_on_its_requirement(case: str) -> None:
    find, replace, rule, requirement = MUTATIONS[case]
    body = _inline()
    assert find in body, f"{case}: the mutation no longer applies to the sample"
    report = validate_submission(body.replace(find, replace, 1))
    hits = [f for f in report.findings if f.rule == rule]
    assert hits, [str(f) for f in report.findings]
    assert {f.requirement for f in hits} == {requirement}
    assert all(f.location.startswith("/") for f in hits), [f.location for f in hits]
