"""## Requirements
SDO-DEC-01 (flux 1.1 search), SDO-DEC-02 (flux 1.3 reads and integration), SDO-ACC-01 (flux 2 accord,
ESMSConsent), SDO-EVA-01 (flux 3 evaluation), SDO-STA-01 (flux 4 status, ESMSTask), SDO-NOT-01 (flux 5
notifications) — ANS IG ``ans.fhir.fr.sdo`` 4.0.x (CNSA volet SI-ESMS).

## Dependencies
SI-SdO simulator (:mod:`mocks.sdo`: FHIR R4 server judging the searches it receives with
:mod:`mocks.sdo.judge` and what the DUI writes with :mod:`harness.validators.fhir.sdo`), trigger API
``syncSdoDecisions``, ``sendSdoConsent``, ``fetchSdoEvaluation``, ``sendSdoStatus``, ``syncSdoNotifications``.

## Methodology
The SI-SdO holds two decisions for the ESMS under test, their evaluations and two notifications. The DUI
synchronises the decisions, sends the accord for the first, reads its evaluation (returned only after the
accord), sends a status and synchronises the notifications. Each search and write is judged once on the
simulator; each test reads the findings of its requirement and compares what the DUI says it integrated
with what the SI-SdO sent (identifiers, SHA-256 of the CDA documents).
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding
from harness.plugin.evidence import Scenario
from harness.suites.sdo.checks import blocked_without_consent, expect, of_flux, require_flux


@pytest.mark.requirement("SDO-DEC-01")
def test_decisions_searched_as_flux_1_1(sdo_decisions: Scenario) -> None:
    """``GET DocumentReference?type=57830-2&_lastUpdated=gt[instant]&_elements=id`` (J-30 first, + as %2B)."""
    require_flux(sdo_decisions, "SDO-DEC-01", "1.1", "decision search")
    sdo_decisions.assert_no_findings("SDO-DEC-01", "flux 1.1 search")


@pytest.mark.requirement("SDO-DEC-02")
def test_every_decision_read_and_integrated(sdo_decisions: Scenario) -> None:
    """Each decision found is read (flux 1.3) and held with its idDecision, idNat_Decision and CDA as sent."""
    reads = {e.tags.get("decision") for e in of_flux(sdo_decisions, "1.3")}
    held = {d.get("id_nat_decision"): d for d in sdo_decisions.data["held"]}
    findings = []
    for expected in sdo_decisions.data["expected"]:
        id_nat = expected["id_nat_decision"]
        if id_nat not in reads:
            findings.append(
                Finding(
                    "sdo.decisions.read", "SDO-DEC-02", f"decision {id_nat} was not read (GET DocumentReference/[id])"
                )
            )
        got = held.get(id_nat)
        if got is None:
            findings.append(
                Finding("sdo.decisions.integrated", "SDO-DEC-02", f"the DUI does not hold decision {id_nat}")
            )
            continue
        for key in ("id_decision", "document_reference", "document_sha256"):
            if got.get(key) != expected[key]:
                findings.append(
                    Finding(
                        "sdo.decisions.integrated",
                        "SDO-DEC-02",
                        f"decision {id_nat}: {key} trouvé / found {got.get(key)!r}, "
                        f"attendu / expected {expected[key]!r}",
                        location=f"syncSdoDecisions[{id_nat}].{key}",
                    )
                )
    expect("decisions integrated", findings)


@pytest.mark.requirement("SDO-ACC-01")
def test_accord_is_an_esms_consent(sdo_consent: Scenario) -> None:
    """``POST Consent`` per ESMSConsent, naming the decision by its idNat_Decision; accepted with 201."""
    sent = require_flux(sdo_consent, "SDO-ACC-01", "2", "Consent")
    sdo_consent.assert_no_findings("SDO-ACC-01", "ESMSConsent")
    mine = [e for e in sent if e.tags.get("decision") == sdo_consent.data["decision"]]
    expect(
        "accord accepted",
        []
        if any(int(e.summary.get("status") or 0) == 201 for e in mine)
        else [
            Finding(
                "sdo.consent.accepted",
                "SDO-ACC-01",
                f"no accord for decision {sdo_consent.data['decision']} accepted by the SI-SdO "
                f"(answers: {[e.summary.get('status') for e in sent]}; DUI: {sdo_consent.data['answer']})",
            )
        ],
    )


@pytest.mark.requirement("SDO-EVA-01")
def test_evaluation_searched_and_integrated(sdo_evaluation: Scenario, sdo_consent: Scenario) -> None:
    """``GET DocumentReference?identifier=[idNat_Decision]&type=51848-0`` after the accord; the evaluation kept."""
    blocked_without_consent(sdo_evaluation, sdo_consent)
    require_flux(sdo_evaluation, "SDO-EVA-01", "3.1", "evaluation search")
    sdo_evaluation.assert_no_findings("SDO-EVA-01", "flux 3.1 search")
    answer, data = sdo_evaluation.data["answer"], sdo_evaluation.data
    wrong = [
        (key, answer.get(key), want)
        for key, want in (("found", True), ("document_reference", data["expected_reference"]))
        if answer.get(key) != want
    ]
    if answer.get("document_sha256") is not None and answer["document_sha256"] != data["expected_sha256"]:
        wrong.append(("document_sha256", answer["document_sha256"], data["expected_sha256"]))
    expect(
        "evaluation integrated",
        [
            Finding(
                "sdo.flux3.integrated",
                "SDO-EVA-01",
                f"evaluation of {data['decision']}: {key} trouvé / found {got!r}, attendu / expected {want!r}",
                location=f"fetchSdoEvaluation.{key}",
            )
            for key, got, want in wrong
        ],
    )


@pytest.mark.requirement("SDO-STA-01")
def test_status_is_an_esms_task(sdo_status: Scenario) -> None:
    """``POST Task`` per ESMSTask (completed, plan, coded inputs) for a decision of the SI-SdO; 201."""
    sent = require_flux(sdo_status, "SDO-STA-01", "4", "status Task")
    sdo_status.assert_no_findings("SDO-STA-01", "ESMSTask")
    expect(
        "status accepted",
        []
        if any(int(e.summary.get("status") or 0) == 201 for e in sent)
        else [
            Finding(
                "sdo.task.accepted",
                "SDO-STA-01",
                f"no status Task accepted by the SI-SdO (answers: {[e.summary.get('status') for e in sent]})",
            )
        ],
    )


@pytest.mark.requirement("SDO-NOT-01")
def test_notifications_searched_and_integrated(sdo_notifications: Scenario) -> None:
    """``GET Task?_lastUpdated=gt[instant]``; every notification held for the decision and ESMS it names."""
    require_flux(sdo_notifications, "SDO-NOT-01", "5.1", "notification search")
    sdo_notifications.assert_no_findings("SDO-NOT-01", "flux 5.1 search")
    held = {n.get("task_id"): n for n in sdo_notifications.data["held"]}
    findings = []
    for want in sdo_notifications.data["expected"]:
        got = held.get(want["task_id"])
        if got is None or any(got.get(k) != v for k, v in want.items() if k != "task_id"):
            findings.append(
                Finding(
                    "sdo.flux5.integrated",
                    "SDO-NOT-01",
                    f"notification {want['task_id']}: trouvé / found {got!r}, attendu / expected {want!r}",
                    location="syncSdoNotifications",
                )
            )
    expect("notifications integrated", findings)
