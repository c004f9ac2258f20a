"""MSSanté usage counters of a run (ESMS numérique usage criteria): ``<reports>/usage.json`` and the summary.

Counted from what the simulated operator accepted (SMTP 250) in this run: the document
messages the DUI sent, split by recipient kind (professionals: personal, organisational or
applicative mailboxes; patients: ``<INS>@patient.mssante.fr``), and apart from them the
acknowledgements (MDN) it sent. A message to both kinds counts once in each. Registered by
``pytest_plugins`` in :mod:`harness.plugin`; inert when no conformance run took place.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness.core.recorder import Recorder
from harness.plugin.state import STATE

__all__ = ["mss_usage"]

SERVICE = "MSS"
PROFESSIONAL_KINDS = {"personal", "organisational", "applicative"}
USAGE = pytest.StashKey[dict[str, Any]]()


def mss_usage(recorder: Recorder) -> dict[str, int]:
    """The counters over the MSSanté SMTP exchanges of ``recorder``."""
    accepted = [e for e in recorder.exchanges(service=SERVICE, transaction="SMTP")
                if str(e.summary.get("reply", "")).startswith("250")]
    documents = [e for e in accepted if "original_message_id" not in e.tags]
    kinds = [set(e.summary.get("recipient_kinds") or []) for e in documents]
    patients = {r for e in documents for r in (e.summary.get("envelope") or {}).get("to", [])
                if str(r).lower().endswith("@patient.mssante.fr")}
    return {
        "messages_sent": len(documents),
        "messages_to_professionals": sum(1 for k in kinds if k & PROFESSIONAL_KINDS),
        "messages_to_patients": sum(1 for k in kinds if "patient" in k),
        "patients_reached": len(patients),
        "acknowledgements_sent": len(accepted) - len(documents),
        "refused_by_operator": len(recorder.exchanges(service=SERVICE, transaction="SMTP")) - len(accepted),
    }


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    state = session.config.stash.get(STATE, None)
    if state is None or not state.active or state.context is None:
        return
    if SERVICE not in state.context.simulators:
        return
    counters = mss_usage(state.context.recorder)
    reports = state.settings.reports
    path = reports / "usage.json"
    data: dict[str, Any] = {}
    if path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            data = {}
    data["mssante"] = {**counters, "source": "exchanges accepted by the MSSanté simulator during this run"}
    reports.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    session.config.stash[USAGE] = counters


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    counters = config.stash.get(USAGE, None)
    if counters is None:
        return
    tr = terminalreporter
    tr.section("dui-harness: usage MSSanté / MSSanté usage")
    tr.write_line(f"messages envoyés / messages sent: {counters['messages_sent']} "
                  f"(professionnels / professionals: {counters['messages_to_professionals']}, "
                  f"usagers / patients: {counters['messages_to_patients']}); "
                  f"accusés / acknowledgements: {counters['acknowledgements_sent']}")
