"""The reference DUI signs its submission set (IHE DSG XAdES, DMPi TD2.1), and each signature defect bends it."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from harness.pki import TestPki, ensure_pki
from harness.suites.ins.persons import person
from harness.validators.xds.dsg import check_signature
from harness.validators.xds.ebrim import NS, read_submission
from reference_dui.dmp.cda import KINDS, DocumentRequest, Patient, build_document
from reference_dui.dmp.xds import provide_and_register


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return ensure_pki(tmp_path_factory.mktemp("refdui-dsg-pki"))


def _request() -> DocumentRequest:
    who = person("santoni-paul")
    assert who.ins is not None and who.oid is not None
    t = who.traits
    patient = Patient(who.ins, who.oid, t.birth_name, tuple(t.first_names), t.sex, t.birth_date, t.birth_place, "IPP1")
    return DocumentRequest(KINDS["DLU"], patient)


def _signature_rules(pki: TestPki, defects: frozenset[str], signing: bool = True) -> tuple[list[str], int]:
    request = _request()
    keys: tuple[Path, Path] | None = pki.client("signing-vihf") if signing else None
    body, attachments = provide_and_register(
        request, build_document(request), "urn:uuid:e1", defects=defects, signing=keys
    )
    documents = {}
    for document in body.iterfind(f"{{{NS['xdsb']}}}Document"):
        include = document.find(f"{{{NS['xop']}}}Include")
        assert include is not None
        documents[document.get("id", "")] = attachments[include.get("href", "").removeprefix("cid:")]
    submit = body.find(f"{{{NS['lcm']}}}SubmitObjectsRequest")
    assert isinstance(submit, etree._Element)
    submission = read_submission(submit)
    findings = check_signature(submission, documents, trust_ca=pki.ca_cert)
    return [f.rule for f in findings], len(submission.signatures)


def test_the_submission_set_is_signed_by_the_structure(pki: TestPki) -> None:
    assert _signature_rules(pki, frozenset()) == ([], 1)


def test_without_a_pki_nothing_is_signed(pki: TestPki) -> None:
    assert _signature_rules(pki, frozenset(), signing=False) == (["dmp.signature.missing"], 0)


@pytest.mark.parametrize(
    ("defect", "rule"),
    [
        ("dmp_unsigned_submission", "dmp.signature.missing"),
        ("dmp_signature_wrong_digest", "dmp.signature.digest"),
        ("dmp_signature_untrusted", "dmp.signature.untrusted"),
    ],
)
def test_each_signature_defect_breaks_its_check(pki: TestPki, defect: str, rule: str) -> None:
    rules, _ = _signature_rules(pki, frozenset({defect}))
    assert rules == [rule]
