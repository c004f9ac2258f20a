"""## Requirements
MSS-RUPD-01 (a new version of a received document, "annule et remplace", is applied: the new
version in the record, the old one no longer current: SC.MSS/UX.05), MSS-RDEL-01 (a received
deletion is applied: the document withdrawn or flagged deleted: SC.MSS.23.MS1, SC.MSS/UX.05),
MSS-RTRACE-01 (the replaced and the deleted documents are traced: SC.MSS.24.MS1).

## Dependencies
The DUI integrates a received document for a qualified person (MSS-RCV-01); the trigger API
operations ``fetchMssMail``, ``listMssDocuments`` (its ``status``) and ``listMssDocumentTrace``
(or the operator).

## Methodology
The harness, as a hospital's software, sends two documents about Hélène ROUX (qualified): a
biology report and a medical summary; the DUI fetches them. It then sends the report's new
version (new id, same setId, versionNumber 2, ``relatedDocument typeCode="RPLC"`` naming the
first) and the deletion of the summary (the document sent again, its XDM DocumentEntry marked
Deprecated: the bench's model, :mod:`harness.suites.mss.updates`); the DUI fetches again. The
record must hold the new version, the first one ``replaced`` (or absent, or awaiting the user's
validation: ``replacement_pending``), the summary ``deleted`` (or absent, or
``deletion_pending``); the DUI's trace must name the replaced and the deleted document.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.core.findings import Blocked, Finding
from harness.core.recorder import Recorder
from harness.plugin.evidence import Scenario
from harness.suites.mss.checks import expect
from harness.suites.mss.conftest import BLOCKERS
from harness.suites.mss.documents import cda_for, mss_person
from harness.suites.mss.messages import document_message
from harness.suites.mss.updates import DELETION_BODY, REPLACEMENT_BODY, document_id_of, new_version
from harness.sut.driver import SutDriver
from mocks.mssante import MssSimulator

SERVICE = "MSS"
PERSON = "mss-roux-helene"
REPLACED = {"replaced", "replacement_pending"}
DELETED = {"deleted", "deletion_pending"}


def _status(documents: list[dict[str, Any]], document_id: str) -> str | None:
    """The document's status in the record (``current`` when the DUI gives none), None when not listed."""
    found = [d for d in documents if str(d.get("document_id", "")) == document_id]
    return str(found[-1].get("status") or "current") if found else None


@pytest.fixture(scope="session")
def received_updates(
    request: pytest.FixtureRequest,
    sut: SutDriver,
    recorder: Recorder,
    operator: MssSimulator,
    mss_people: dict[str, str],
    received_all: dict[str, Scenario],
) -> Scenario:
    """Two documents received, then the first's new version and the second's deletion."""
    blocked = request.config.stash.get(BLOCKERS, {}).get(PERSON)
    if blocked:
        raise Blocked(f"MSSanté mise à jour reçue / received update: {PERSON}: {blocked[1]}", blocked[0])
    harness = operator.directory.with_role("harness").address
    dui = operator.directory.with_role("dui").address
    person, pid = mss_person(PERSON), mss_people[PERSON]
    since = recorder.mark()
    report, summary = cda_for("cr-bio", person), cda_for("vsm", person)
    for document in (report, summary):
        operator.deliver(
            document_message(harness, dui, [document], acknowledgement=False).raw, sender=harness, recipient=dui
        )
    first_fetch = sut.mss_fetch()
    before = sut.mss_documents_with_status(pid)
    version = new_version(report)
    replacement = document_message(harness, dui, [version], acknowledgement=False, body=REPLACEMENT_BODY)
    deletion = document_message(harness, dui, [summary], acknowledgement=False, body=DELETION_BODY, deprecated=True)
    for built in (replacement, deletion):
        operator.deliver(built.raw, sender=harness, recipient=dui)
    second_fetch = sut.mss_fetch()
    return Scenario(
        "MSSanté documents reçus mis à jour ou supprimés / received documents updated or deleted",
        pid,
        recorder.exchanges(service=SERVICE, since=since),
        {
            "report": document_id_of(report),
            "new_version": document_id_of(version),
            "summary": document_id_of(summary),
            "replacement_message_id": replacement.message_id,
            "deletion_message_id": deletion.message_id,
            "fetches": [first_fetch, second_fetch],
            "before": before,
            "after": sut.mss_documents_with_status(pid),
            "trace": sut.mss_document_trace(),
        },
    )


def _require_integrated(scenario: Scenario, key: str) -> str:
    document_id = str(scenario.data[key])
    if _status(scenario.data["before"], document_id) is None:
        raise Blocked(f"{scenario.name}: the first document {document_id} was not integrated", ("MSS-RCV-01",))
    return document_id


@pytest.mark.requirement("MSS-RUPD-01")
def test_a_received_new_version_replaces_the_document(received_updates: Scenario) -> None:
    """The new version is in the record; the replaced document is no longer current."""
    data = received_updates.data
    old = _require_integrated(received_updates, "report")
    findings = []
    new_status, old_status = _status(data["after"], data["new_version"]), _status(data["after"], old)
    if new_status is None or new_status in REPLACED | DELETED:
        findings.append(
            Finding(
                "mss.update.new_version",
                "MSS-RUPD-01",
                f"the new version {data['new_version']} is "
                f"not current in the record (status: {new_status or 'absent'})",
                location="listMssDocuments",
            )
        )
    if old_status is not None and old_status not in REPLACED:
        findings.append(
            Finding(
                "mss.update.old_current",
                "MSS-RUPD-01",
                f"the replaced document {old} is still "
                f"'{old_status}' after its new version (RPLC) arrived: expected replaced or absent",
                location="listMssDocuments",
            )
        )
    expect(f"{received_updates.name}: new version applied", findings)


@pytest.mark.requirement("MSS-RDEL-01")
def test_a_received_deletion_withdraws_the_document(received_updates: Scenario) -> None:
    """The deleted document is withdrawn from the record or flagged deleted."""
    deleted = _require_integrated(received_updates, "summary")
    status = _status(received_updates.data["after"], deleted)
    findings = []
    if status is not None and status not in DELETED:
        findings.append(
            Finding(
                "mss.delete.still_current",
                "MSS-RDEL-01",
                f"the document {deleted} is still "
                f"'{status}' after its deletion was received: expected deleted (flagged) or absent",
                location="listMssDocuments",
            )
        )
    expect(f"{received_updates.name}: deletion applied", findings)


@pytest.mark.requirement("MSS-RTRACE-01")
@pytest.mark.parametrize("change", ["replacement", "deletion"])
def test_the_change_is_traced(change: str, received_updates: Scenario) -> None:
    """The DUI's trace names the replaced document and the deleted one."""
    data = received_updates.data
    key, accepted, applied_by = (
        ("report", REPLACED, "MSS-RUPD-01") if change == "replacement" else ("summary", DELETED, "MSS-RDEL-01")
    )
    document_id = _require_integrated(received_updates, key)
    status = _status(data["after"], document_id)
    if status is not None and status not in accepted:
        raise Blocked(f"{received_updates.name}: the {change} was not applied", (applied_by,))
    traced = [c for c in data["trace"] if str(c.get("document_id", "")) == document_id]
    findings = []
    if not traced:
        findings.append(
            Finding(
                "mss.update.untraced",
                "MSS-RTRACE-01",
                f"the {change} of the received document "
                f"{document_id} is not in the DUI's trace ({len(data['trace'])} entrie(s))",
                location="listMssDocumentTrace",
            )
        )
    expect(f"{received_updates.name}: {change} traced", findings)
