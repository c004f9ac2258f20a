"""Every finding of the embedded CDA rules belongs to a rule registered with its requirement (``@rule``).

The embedded rules' mutation corpora (:mod:`.test_embedded_rules`, :mod:`.test_strucmin_rules`) and
broken documents are run, and their findings checked against the registry
(:func:`harness.core.rules.disagreements`); ``dui-harness rules`` lists them.
"""

from __future__ import annotations

from harness.core.findings import Finding
from harness.core.requirements import load_catalog
from harness.core.rules import all_rules, disagreements, rule_of
from harness.paths import profiles_dir
from harness.validators import load_rules
from harness.validators.cda import validate_cda
from harness.validators.cda.rules_strucmin import STRUCMIN_RULES
from tests.validators.cda.conftest import serialize, tree
from tests.validators.cda.test_embedded_rules import DEFECTS
from tests.validators.cda.test_strucmin_rules import MUTATIONS


def _embedded_findings() -> list[Finding]:
    findings: list[Finding] = []
    for defect in DEFECTS.values():
        root = tree(defect.example)
        defect.mutate(root)
        findings += validate_cda(serialize(root)).findings
    for mutation in MUTATIONS.values():
        root = tree("DLU-EHPAD-DLU_2022.01.xml")
        try:
            mutation(root)
        except AssertionError:
            continue  # the example has no such part
        findings += validate_cda(serialize(root)).findings
    findings += validate_cda(b"<a").findings + validate_cda(b"<a/>").findings
    return findings


def test_every_embedded_cda_finding_belongs_to_a_registered_rule_of_its_requirement() -> None:
    load_rules()
    findings = _embedded_findings()
    covered = {r.id for f in findings if (r := rule_of(f.rule)) is not None}
    assert len(covered) >= 40, sorted(covered)
    assert {"cda.xml", "cda.root", "cda.header.required", "cda.ins.key", "cda.dlu", "cda.export"} <= covered
    assert disagreements(findings, prefix="cda.") == []


def test_each_structuration_minimale_constraint_is_one_registered_rule_of_the_catalog() -> None:
    load_rules()
    registered = [r for r in all_rules() if r.id.startswith("cda.sm.")]
    assert len(registered) == len(STRUCMIN_RULES)
    catalog = load_catalog(profiles_dir())
    cda_rules = [r for r in all_rules() if r.family == "cda"]
    assert [r.id for r in cda_rules if (row := catalog.get(r.requirement)) is None or row.service != "CDA"] == []
