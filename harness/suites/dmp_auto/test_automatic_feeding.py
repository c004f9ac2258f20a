"""## Requirements
DMP-AUTO-01 (SC.DMP.01.MS1, SC.DMP/ALI/PROG.02): a document validated by the professional is sent to the
DMP systematically and automatically, with no further action. DMP-AUTO-02 (SC.DMP/ALI/PROG.05): that
sending runs in the background, the user is not kept waiting for the DMP. DMP-AUTO-03
(SC.DMP/ALI/PROG.06): when the DMP cannot be reached, the order is kept pending with no user action.
DMP-AUTO-04 (SC.DMP/ALI/PROG.07): once the DMP is reachable again, the pending order is executed with no
user action.

## Dependencies
Trigger operation ``validateDocument`` (optional: a DUI that feeds on demand only answers 404/501 and these
requirements are *not judged*, never passed through ``publishDmpDocument``); DMP simulator with held
answers (:mod:`mocks.dmp.hold`) and an injected outage (HTTP 503 to every ITI-41).

## Methodology
The harness acts only as a user would: it validates a PPA, and for the outage makes the DMP unreachable
then reachable again; it never asks the DUI to publish or to retry. It then waits, bounded by the run's
exchange timeout and woken by each recorded exchange, for the DUI's own ITI-41. Background sending is
observed without a clock: while the validation is pending the DMP holds its ITI-41 answer (3 s at most);
a DUI that answers its user only after the DMP did comes back after the hold gave up.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.core.findings import Blocked, Finding, Severity
from harness.plugin.evidence import Scenario
from harness.suites.dmp.checks import expect, status_of
from harness.suites.dmp_auto.observe import accepted, after, faulty

NOT_JUDGED = "exigence non jugée / requirement not judged"


def _on_demand(scenario: Scenario) -> None:
    """*Not judged* when the DUI feeds on demand only (no validation step): never a pass."""
    why = scenario.data["validation"].get("on_demand")
    if why:
        pytest.skip(
            f"{NOT_JUDGED}: la DUI n'offre pas de validation de document qui alimente le DMP d'elle-même, elle "
            f"l'alimente à la demande / the DUI offers no document validation that feeds the DMP by itself, it "
            f"feeds on demand ({why})"
        )


def _document_id(scenario: Scenario) -> str | None:
    return str(scenario.data["validation"].get("document_id") or "") or None


def _iti41(scenario: Scenario) -> list[Any]:
    return [e for e in scenario.exchanges if e.transaction == "ITI-41"]


def _unless_refused_for_another_reason(scenario: Scenario, exchanges: list[Any]) -> None:
    """*Blocked* when the DMP refused the DUI's calls for another requirement's fault (its security context, a
    VIHF, a metadata or a CDA error): what the automatic sending gave is then that other requirement's."""
    blocking = sorted(
        {
            f.requirement
            for e in faulty(exchanges)
            for f in e.findings
            if f.severity is Severity.ERROR and not f.requirement.startswith("DMP-AUTO")
        }
    )
    if blocking:
        raise Blocked(
            f"{scenario.name}: le DMP a refusé l'envoi de la DUI pour une autre exigence / the DMP refused the "
            "DUI's submission for another requirement",
            tuple(blocking),
        )


def _require_automatic(scenario: Scenario) -> None:
    """*Blocked* by DMP-AUTO-01 when the DUI sent nothing at all by itself after the validation (or by the
    requirement whose fault made the DMP refuse its calls)."""
    if not _iti41(scenario):
        _unless_refused_for_another_reason(scenario, scenario.exchanges)
        raise Blocked(
            f"{scenario.name}: la DUI n'a rien envoyé d'elle-même au DMP après la validation / the DUI sent "
            "nothing to the DMP by itself after the validation",
            ("DMP-AUTO-01",),
        )


@pytest.mark.requirement("DMP-AUTO-01")
def test_a_validated_document_is_sent_by_itself(auto_fed: Scenario) -> None:
    """The validated PPA reaches the DMP, accepted, with no publication asked of the DUI."""
    _on_demand(auto_fed)
    data = auto_fed.data
    got = accepted(_iti41(auto_fed), data["expected_ins"], _document_id(auto_fed))
    findings = []
    if not got:
        sent = _iti41(auto_fed)
        _unless_refused_for_another_reason(auto_fed, auto_fed.exchanges)
        what = (
            f"{len(sent)} ITI-41 received, none accepted for INS {data['expected_ins']}"
            + (f" with uniqueId {_document_id(auto_fed)}" if _document_id(auto_fed) else "")
            if sent
            else "no ITI-41 received"
        )
        findings.append(
            Finding(
                "dmp.auto.not_sent",
                "DMP-AUTO-01",
                f"document validé sans envoi automatique au DMP / validated document not sent to the DMP by "
                f"itself: {what} within {data['wait']} s of the validation (no user action asked; SC.DMP.01.MS1, "
                "SC.DMP/ALI/PROG.02)",
                location=f"trigger API validateDocument (person {auto_fed.person_id}) → DMP ITI-41",
            )
        )
    expect("Versement automatique à la validation / automatic feeding at validation", findings)


@pytest.mark.requirement("DMP-AUTO-02")
def test_the_automatic_sending_runs_in_the_background(auto_fed: Scenario) -> None:
    """The validation answers while the DMP still holds its answer to the DUI's ITI-41."""
    _on_demand(auto_fed)
    _require_automatic(auto_fed)
    data = auto_fed.data
    if data["validation"].get("declared_by_operator"):
        pytest.skip(
            f"{NOT_JUDGED}: en mode accompagné la réactivité de l'écran se montre, elle ne s'observe pas / in "
            "attended mode the screen's responsiveness is demonstrated, not observed"
        )
    findings = []
    if data["foreground"]:
        findings.append(
            Finding(
                "dmp.auto.foreground",
                "DMP-AUTO-02",
                f"la validation n'a répondu qu'après la réponse du DMP (retenue {data['hold']} s) : l'utilisateur "
                f"attend le DMP / the validation answered only after the DMP did (answer held {data['hold']} s): "
                "the user waits for the DMP (SC.DMP/ALI/PROG.05: sending in the background)",
                location=f"trigger API validateDocument (person {auto_fed.person_id})",
            )
        )
    expect("Envoi en tâche de fond / sending in the background", findings)


@pytest.mark.requirement("DMP-AUTO-03")
def test_the_order_is_kept_pending_while_the_dmp_is_unreachable(auto_resent: Scenario) -> None:
    """During the outage the DUI tried by itself, never reported the document sent, and still holds it."""
    _on_demand(auto_resent)
    data = auto_resent.data
    if not data["tried_during_outage"]:
        _require_automatic(auto_resent)
    document_id = _document_id(auto_resent)
    where = f"trigger API GET /persons/{auto_resent.person_id}/dmp/documents"
    findings = []
    during = [d for d in data["documents_during_outage"] if not document_id or d.get("document_id") == document_id]
    if any(status_of(d) == "published" for d in during):
        findings.append(
            Finding(
                "dmp.auto.false_success",
                "DMP-AUTO-03",
                "le DMP a répondu HTTP 503 à chaque ITI-41, la DUI dit pourtant le document versé / the DMP "
                "answered HTTP 503 to every ITI-41, yet the DUI reports the document as published",
                location=where,
            )
        )
    kept = [d for d in data["documents_after"] if not document_id or d.get("document_id") == document_id]
    if not kept:
        findings.append(
            Finding(
                "dmp.auto.lost",
                "DMP-AUTO-03",
                f"après {len(data['tried_during_outage'])} essai(s) refusé(s) le document {document_id or ''} n'est "
                "plus dans la DUI : l'ordre d'envoi n'a pas été mis en attente / after the refused attempt(s) the "
                "document is no longer in the DUI: the sending order was not kept pending (SC.DMP/ALI/PROG.06)",
                location=where,
            )
        )
    expect("Mise en attente sans action de l'utilisateur / kept pending with no user action", findings)


@pytest.mark.requirement("DMP-AUTO-04")
def test_the_pending_order_is_sent_once_the_dmp_is_back(auto_resent: Scenario) -> None:
    """Once the DMP answers again, the document reaches it with no retry asked of the DUI."""
    _on_demand(auto_resent)
    data = auto_resent.data
    if not data["tried_during_outage"]:
        _require_automatic(auto_resent)
    document_id = _document_id(auto_resent)
    kept = [d for d in data["documents_after"] if not document_id or d.get("document_id") == document_id]
    if not kept:
        raise Blocked(
            f"{auto_resent.name}: le document n'a pas été gardé pendant l'indisponibilité / the document was not "
            "kept during the outage",
            ("DMP-AUTO-03",),
        )
    resent = [e for e in _iti41(auto_resent) if after(e.id, data["back"])]
    findings = []
    if not accepted(resent, data["expected_ins"], document_id):
        _unless_refused_for_another_reason(auto_resent, [e for e in auto_resent.exchanges if after(e.id, data["back"])])
        findings.append(
            Finding(
                "dmp.auto.not_resent",
                "DMP-AUTO-04",
                "le DMP répond de nouveau mais la DUI n'a pas renvoyé le document en attente dans les "
                f"{data['wait']} s ({len(resent)} ITI-41 reçu(s) depuis) / the DMP answers again but the DUI did "
                f"not send the pending document by itself within {data['wait']} s ({len(resent)} ITI-41 since; "
                "SC.DMP/ALI/PROG.07)",
                location=f"DMP ITI-41 after exchange {data['back']} (no retryDmpDocuments asked)",
            )
        )
    expect("Renvoi automatique au retour du DMP / automatic resending once the DMP is back", findings)
