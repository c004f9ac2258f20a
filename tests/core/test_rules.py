"""The rule registry: each check registered once with its requirement; findings agree with it."""

from __future__ import annotations

import json

import pytest

from harness.cli import main
from harness.core.findings import Finding
from harness.core.rules import all_rules, disagreements, register, rule, rule_of
from harness.validators import load_rules
from harness.validators.insi_request import check_insi_request
from harness.validators.psc_request import check_authorize
from mocks.insi.samples import build_request
from tests.validators.test_insi_request import MUTATIONS, SOAP_CT, mutate


def test_a_rule_covers_its_family_and_the_longest_id_wins() -> None:
    @rule("toy.header", requirement="TOY-01")
    def check_header() -> None:
        """The toy header is present."""

    register("toy.header.date", "TOY-02", "the date of the toy header", "tests.core.test_rules.elsewhere")
    assert rule_of("toy.header.missing") == next(r for r in all_rules() if r.id == "toy.header")
    assert rule_of("toy.header.date.format").requirement == "TOY-02"  # type: ignore[union-attr]
    assert rule_of("toy.headers") is None and rule_of("toy") is None
    assert next(r for r in all_rules() if r.id == "toy.header").summary == "The toy header is present."


def test_a_rule_is_registered_once() -> None:
    register("toy.once", "TOY-01", "x", "m.f")
    register("toy.once", "TOY-01", "x", "m.f")  # the same declaration again (a module imported twice): fine
    with pytest.raises(ValueError, match="already registered"):
        register("toy.once", "TOY-09", "x", "m.f")


def test_disagreements_name_unregistered_and_misfiled_findings() -> None:
    register("toy.body", "TOY-03", "x", "m.f")
    found = disagreements(
        [
            Finding("toy.body.empty", "TOY-03", "m"),
            Finding("toy.body.size", "TOY-04", "m"),
            Finding("toy.nothing", "TOY-03", "m"),
            Finding("other.x", "X", "m"),
        ],
        prefix="toy.",
    )
    assert found == [
        "toy.body.size: requirement TOY-04, registered TOY-03 (toy.body)",
        "toy.nothing: no registered rule",
    ]


def _insi_corpus() -> list[Finding]:
    findings: list[Finding] = []
    for mutation, _, _ in MUTATIONS.values():
        findings += check_insi_request(
            mutate(mutation), content_type=SOAP_CT, over_tls=False, tls_subject=None
        ).findings
    for body, content_type in (
        (b"", SOAP_CT),
        (b"<a", SOAP_CT),
        (build_request(), "text/xml"),
        (build_request(), None),
    ):
        findings += check_insi_request(body, content_type=content_type, over_tls=False, tls_subject=None).findings
    for over_tls, subject in ((True, None), (True, "CN=OTHER,O=x"), (False, None)):
        findings += check_insi_request(
            build_request(), content_type=SOAP_CT, over_tls=over_tls, tls_subject=subject
        ).findings
    return findings


def test_every_insi_finding_belongs_to_a_registered_rule_of_its_requirement() -> None:
    load_rules()
    findings = _insi_corpus()
    assert len({f.rule for f in findings}) > 30  # the corpus exercises the checks
    assert disagreements(findings, prefix="insi.") == []


def test_every_psc_authorization_finding_belongs_to_a_registered_rule_of_its_requirement() -> None:
    load_rules()
    good = {
        "response_type": "code",
        "scope": "openid scope_all",
        "acr_values": "eidas1",
        "state": "s" * 32,
        "nonce": "n" * 32,
        "code_challenge": "c" * 43,
        "code_challenge_method": "S256",
    }
    variants = [
        {},
        {
            "response_type": "token",
            "scope": "openid",
            "acr_values": "eidas2",
            "state": "s",
            "nonce": "n",
            "code_challenge": "!",
            "code_challenge_method": "MD5",
        },
        {**good, "code_challenge_method": "plain"},
        {"code_challenge_method": "S256"},
        {"scope": "x"},
    ]
    findings = [p.finding for params in variants for p in check_authorize(params)]
    assert len({f.rule for f in findings}) >= 12
    assert disagreements(findings, prefix="psc.authorize.") == []


def test_rules_command_lists_rules_and_requirements(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--json", "--requirement", "INS-INSI-02"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == ["insi.ctxlps"]
    assert rows[0]["check"] == "harness.validators.insi_headers.check_ctxlps"
    assert rows[0]["requirement_title"].startswith("En-tête ContexteLPS")
    assert main(["rules"]) == 0
    text = capsys.readouterr().out
    assert "insi.tls" in text and "INS-INSI-04" in text


def test_rules_command_shows_family_service_module_and_filters_by_service(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--json", "--service", "mss"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and {r["service"] for r in rows} == {"MSS"}
    by_id = {r["id"]: r for r in rows}
    assert by_id["xdm.zip"]["module"] == "harness.validators.mail.ziparchive"
    assert by_id["mss.ins"]["requirement"] == "SC.MSS/CONF.14" and by_id["mss.ins"]["family"] == "mss"
    assert by_id["mss.smtp"]["module"] == "mocks.mssante.recording"  # a simulator's own rule is listed too
    assert main(["rules", "--json", "--requirement", "EPRESC-ADM-01"]) == 0
    shared = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert shared["fhir.structure"]["requirement"] == "EPARCOURS-FHIR-01"  # also given EPRESC-ADM-01
    assert shared["fhir.structure"]["also"] == ["EPRESC-ADM-01"] and "epresc.adm" in shared
