"""Checks shared by the DMP suite: the ITI-41 requests re-validated, exchanges required, findings raised."""

from __future__ import annotations

from typing import Any

from harness.core.findings import Blocked, Finding, NonConformity, Severity
from harness.core.recorder import Exchange
from harness.plugin.evidence import Scenario
from harness.validators.cda.pack import CdaPack
from harness.validators.xds import XdsReport, validate_submission
from harness.validators.xds.admission import check_admission
from harness.validators.xds.ebrim import ASSOC_RPLC, DE

__all__ = ["SECURITY", "expect", "findings_of", "report_of", "require", "submissions"]

#: requirements judged by the security layer of the simulator (a request failing them is never processed)
SECURITY = ("DMP-SEC-01", "DMP-VIHF-01", "DMP-VIHF-02", "DMP-VIHF-03")


def report_of(exchange: Exchange, pack: CdaPack | None) -> XdsReport:
    """The ITI-41 report of ``exchange`` with the run's pack: the DMP simulator's one judgement
    (``Exchange.judgements["xds"]``, made with the run's pack; what the DMP refused is its answer policy,
    :mod:`mocks.dmp.policy`), else — a request it did not judge (an injected fault) or another pack —
    validated here once and kept there for the other tests of the run."""
    found = exchange.judgements.get("xds")
    if isinstance(found, tuple) and len(found) == 2 and isinstance(found[1], XdsReport) and _same_pack(found[0], pack):
        return found[1]
    report = validate_submission(exchange.request.body, exchange.request.header("content-type"), pack=pack)
    if report.message is not None:  # what the DMP admits, as the simulator judges it (mocks.dmp.iti41)
        report.findings += check_admission(report.message, report.submission, report.documents, report.cda)
    exchange.judgements["xds"] = (pack, report)
    return report


def _same_pack(used: Any, pack: CdaPack | None) -> bool:
    if used is None or pack is None:
        return used is None and pack is None
    if isinstance(used, CdaPack):
        return used == pack  # the same folder and the same content-model pins (the run's settings)
    return str(used) == str(pack.root) and not pack.model_versions  # a folder handed without pins


def submissions(scenario: Scenario, requirement: str, pack: CdaPack | None) -> list[tuple[Exchange, XdsReport]]:
    """The scenario's ITI-41 requests, each with its report (metadata, CDA, consistency; run's ``pack``)."""
    found = require(scenario, "ITI-41", requirement)
    return [(e, report_of(e, pack)) for e in found]


def findings_of(pairs: list[tuple[Exchange, XdsReport]], requirement: str) -> list[Finding]:
    """ERROR findings of ``requirement``, with the exchange as evidence."""
    return [
        Finding(f.rule, f.requirement, f.message, f.severity, f.location, (*f.evidence, f"exchange {e.id}"))
        for e, report in pairs
        for f in report.findings
        if f.requirement == requirement and f.severity is Severity.ERROR
    ]


def expect(title: str, findings: list[Finding]) -> None:
    if findings:
        raise NonConformity(title, findings)


def require(scenario: Scenario, transaction: str, requirement: str) -> list[Exchange]:
    """The scenario's exchanges of ``transaction``.

    None at all: *blocked* when the DMP refused the DUI's earlier calls of the scenario for a
    non-conformity (e.g. an unsigned VIHF refused at TD0.2, so the DUI never got further), else a
    non-conformity on ``requirement``.
    """
    found = [e for e in scenario.exchanges if e.transaction == transaction]
    if found:
        return found
    blocking = sorted({f.requirement for e in scenario.exchanges for f in e.findings if f.severity is Severity.ERROR})
    if blocking:
        raise Blocked(
            f"{scenario.name}: no {transaction} request after the DMP refused the DUI's earlier calls", tuple(blocking)
        )
    expect(
        f"{scenario.name}: no {transaction} request",
        [
            Finding(
                f"dmp.{transaction.lower()}.none",
                requirement,
                f"the DUI sent no {transaction} request to the DMP",
                location="DMP simulator",
            )
        ],
    )
    return found


def require_accepted(scenario: Scenario, exchanges: list[Exchange]) -> None:
    """Block a check of the outcome when the DMP refused the DUI's requests for a non-conformity."""
    if any(e.summary.get("status") == "Success" for e in exchanges):
        return
    blocking = sorted({f.requirement for e in exchanges for f in e.findings if f.severity is Severity.ERROR})
    if blocking:
        raise Blocked(
            f"{scenario.name}: the DMP refused every request of the DUI, so the outcome cannot be judged",
            tuple(blocking),
        )


def rplc_targets(report: XdsReport) -> list[str]:
    submission = report.submission
    return [a.target for a in submission.associations if a.type == ASSOC_RPLC] if submission else []


def unique_ids(report: XdsReport) -> list[str]:
    submission = report.submission
    return [d.identifiers.get(DE.UNIQUE_ID, "") for d in submission.documents] if submission else []


def status_of(data: Any) -> str:
    return str(data.get("status", "")) if isinstance(data, dict) else ""


#: document kind -> the requirement that judges its publication (and the DUI's report of it)
PUBLICATION_OF = {"DLU": "DMP-PUB-01", "PPA": "DMP-PUB-02", "N1": "DMP-PUB-03"}


def require_first_published(scenario: Scenario, requirement: str) -> None:
    """Block a check of an update when the first publication it needs was refused for a non-conformity."""
    first = scenario.data.get("first") or scenario.data.get("publication") or {}
    if status_of(first) == "published":
        return
    ids = set(scenario.data.get("first_exchanges") or [])
    blocking = sorted(
        {f.requirement for e in scenario.exchanges if e.id in ids for f in e.findings if f.severity is Severity.ERROR}
    )
    if blocking:
        raise Blocked(
            f"{scenario.name}: the first version was refused by the DMP, nothing could be updated", tuple(blocking)
        )
    accepted = [
        e.id
        for e in scenario.exchanges
        if e.id in ids and e.transaction == "ITI-41" and e.summary.get("status") == "Success"
    ]
    publishing = PUBLICATION_OF.get(str(first.get("kind", ""))) if isinstance(first, dict) else None
    if accepted and publishing:  # the DMP registered it: the DUI's own report of the publication is at fault
        raise Blocked(
            f"{scenario.name}: the DMP accepted the first version ({', '.join(accepted)}) but the DUI reports it "
            f"{status_of(first) or 'without a status'}, so it cannot update it",
            (publishing,),
        )
    expect(
        scenario.name,
        [
            Finding(
                "dmp.update.first",
                requirement,
                f"the first version was not published ({status_of(first) or 'no status'}): nothing could be updated",
                location="trigger API publishDmpDocument",
            )
        ],
    )
