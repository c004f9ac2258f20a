"""Every finding of the XDS/VIHF, mail/X-MSS/XDM/MDN and FHIR/TDDUI/e-prescription checks belongs to a
registered rule of its requirement: each family's failing inputs (the validators' mutation corpora) are
run and their findings checked against the registry (:func:`harness.core.rules.disagreements`)."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from lxml import etree

from harness.core.findings import Finding
from harness.core.requirements import load_catalog
from harness.core.rules import all_rules, disagreements, rule_of
from harness.paths import profiles_dir
from harness.validators.fhir import validate_fhir
from harness.validators.fhir.epresc import check_administration
from harness.validators.mail import validate_message
from harness.validators.mail.mdn import read_mdn
from harness.validators.mail.mime import parse_message
from harness.validators.mail.ziparchive import read_zip
from harness.validators.soap12 import SOAP12_NS
from harness.validators.xds import validate_submission
from harness.validators.xds.vihf import WSSE_NS, check_vihf
from mocks.common.rules import load_rules
from mocks.dmp.samples import vihf
from tests.mocks.dmp.conftest import INS, OID
from tests.mocks.fhir.fhir_support import tddui_bundle
from tests.validators.fhir.test_rules import ADMIN, CASES, LINE
from tests.validators.test_mail import DOCTOR, PATIENT, _message, _rezip, _validate
from tests.validators.xds.test_xds_rules import MUTATIONS, _inline


def _header(assertion: etree._Element) -> etree._Element:
    """The soap:Header of a request carrying ``assertion`` in wsse:Security."""
    header = etree.Element(f"{{{SOAP12_NS}}}Header")
    etree.SubElement(header, f"{{{WSSE_NS}}}Security").append(assertion)
    return header


def _covered(findings: Iterable[Finding]) -> set[str]:
    return {r.id for f in findings if (r := rule_of(f.rule)) is not None}


def test_every_registered_rule_names_requirements_of_the_catalog() -> None:
    load_rules()
    catalog = load_catalog(profiles_dir())
    rules = [r for r in all_rules() if r.family != "toy"]  # toy rules: registered by tests/core/test_rules.py
    assert len(rules) > 100
    assert [(r.id, q) for r in rules for q in r.requirements if catalog.get(q) is None] == []


def test_every_xds_and_vihf_finding_belongs_to_a_registered_rule_of_its_requirement() -> None:
    load_rules()
    findings: list[Finding] = []
    for find, replace, _, _ in MUTATIONS.values():
        findings += validate_submission(_inline().replace(find, replace, 1)).findings
    for body, content_type in (
        (b"", "multipart/related; boundary=x"),
        (b"<a", None),
        (b'<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"><Body><x/></Body></Envelope>', None),
    ):
        findings += validate_submission(body, content_type).findings
    findings += check_vihf(None).findings
    for omit, overrides in (
        (("Identifiant_Structure",), {}),
        ((), {"Ressource_URN": "urn:autre"}),
        ((), {"VIHF_Version": "1.0"}),
        ((), {"Authentification_Mode": "MAGIQUE"}),
        ((), {"Secteur_Activite": "SA01"}),
        ((), {"urn:oasis:names:tc:xacml:2.0:resource:resource-id": "123"}),
    ):
        findings += check_vihf(
            _header(vihf(INS, OID, signer=None, omit=omit, overrides=overrides)), trust_ca=Path("/nonexistent-ca.pem")
        ).findings
    findings += check_vihf(_header(vihf(INS, OID, signer=None, lifetime=dt.timedelta(hours=-1)))).findings
    findings += check_vihf(_header(vihf(INS, OID, signer=None)), expected_ins="241057505612459").findings
    covered = _covered(findings)
    assert len(covered) >= 20 and {"vihf.signature", "vihf.validity", "vihf.secteur", "vihf.attribute"} <= covered
    assert disagreements(findings, prefix="xds.") == [] and disagreements(findings, prefix="vihf.") == []


def test_every_fhir_tddui_and_epresc_finding_belongs_to_a_registered_rule_of_its_requirement() -> None:
    load_rules()
    clean = tddui_bundle()
    findings: list[Finding] = []
    for _, mutate, _, _ in CASES:
        broken = copy.deepcopy(clean)
        mutate(broken)
        findings += validate_fhir(broken).findings
    findings += validate_fhir(b"{").findings + validate_fhir(b'{"resourceType": "Nothing"}').findings
    for change in (
        {"resourceType": "MedicationStatement"},
        {"status": "given"},
        {"effectiveDateTime": None},
        {"subject": {"reference": "Patient/p2"}},
        {"request": None},
        {"medicationCodeableConcept": None},
    ):
        resource = {k: v for k, v in {**ADMIN, **change}.items() if v is not None}
        findings += check_administration(resource, line=LINE)
    assert len(_covered(findings)) >= 20
    for prefix in ("fhir.", "tddui.", "epresc."):
        assert disagreements(findings, prefix=prefix) == [], prefix


def test_every_mail_finding_belongs_to_a_registered_rule_of_its_requirement() -> None:
    load_rules()
    findings: list[Finding] = []
    for header, value in (
        ("X-MSS-NIL", None),
        ("X-MSS-CODECDA", "11488-4"),
        ("X-MSS-INS", "N"),
        ("Subject", "Document"),
        ("From", "autre@chu-essai.mssante.fr"),
        ("X-MSS-INS", None),
    ):
        message = _message()
        del message[header]
        if value is not None:
            message[header] = value
        findings += _validate(message, recipients=[DOCTOR], ack_requested=True)
    findings += _validate(_message(to=PATIENT), recipients=[PATIENT])
    findings += read_zip(_rezip({"../x": b"x"}), requirement="MSS-XDM-01", location="z").findings
    findings += read_zip(b"PK\x03\x04 no zip", requirement="MSS-XDM-01", location="z").findings
    findings += parse_message(b"").findings + parse_message("From: a@b\r\nSubject: é\r\n\r\nx".encode()).findings
    findings += validate_message(b"From: a@b.mssante.fr\r\n\r\n" + b"x" * 2000).findings
    report = (
        "From: a@b.mssante.fr\r\nTo: x@c.mssante.fr\r\nSubject: KO\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=disposition-notification; boundary=R\r\n\r\n"
        "--R\r\nContent-Type: text/plain\r\n\r\nh\r\n"
        "--R\r\nContent-Type: message/disposition-notification\r\n\r\n"
        "Disposition: automatic-action/MDN-sent-automatically; processed/Error: 999\r\n\r\n--R--\r\n"
    )
    findings += read_mdn(parse_message(report.encode())).findings
    assert len(_covered(findings)) >= 10
    for prefix in ("mail.", "mss.", "xdm.", "mdn."):
        assert disagreements(findings, prefix=prefix) == [], prefix
