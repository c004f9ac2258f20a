"""Usage indicators (ESMS numérique pays its last 20 % on usage), from recorded traffic and the DUI.

Two sources:

* the exchanges the simulators recorded (a ``dui-harness run`` or a long ``dui-harness serve``
  session): one small counting function per service, declared with the indicators it feeds in
  the service's registration (:mod:`harness.services`: ``indicators`` and ``counters``), fed
  with the exchanges of that service (and optionally ``transaction``);

* the DUI's own figures, through the optional trigger API operation ``GET /indicators``
  (records updated, people supported, personalised projects, agenda updates, identities);
  a DUI that answers 404 gives *not exposed*.

Only successful exchanges (HTTP 2xx) count. A service absent from the traffic is reported as
0, *not observed*. The way messages and documents are recognised for services that are still
being simulated (MSSanté, DMP, e-parcours) is an assumption stated on each counter.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from harness import services
from harness.evidence.sources import RunSource

__all__ = [
    "Counter",
    "IndicatorSpec",
    "UsageReport",
    "compute_usage",
    "counters",
    "indicators",
    "mss_counters",
    "usage_of",
]

Exchange = dict[str, Any]


@dataclass(frozen=True)
class IndicatorSpec:
    key: str
    service: str
    label_fr: str
    label_en: str
    unit: str = "count"
    source: str = "exchanges"


#: indicators derived from the counted ones, or read from the DUI (trigger API ``GET /indicators``)
_DERIVED = [
    IndicatorSpec(
        "ins_share_returned",
        "INS",
        "Part des identités recherchées avec un INS renvoyé",
        "Share of searched identities with an INS returned",
        "ratio",
    ),
    IndicatorSpec(
        "ins_share_qualified",
        "INS",
        "Part des identités au statut INS qualifié (relu dans la DUI)",
        "Share of identities with a qualified INS (read back from the DUI)",
        "ratio",
        "trigger API",
    ),
    IndicatorSpec(
        "records_updated_per_person",
        "DUI",
        "Dossiers mis à jour rapportés aux personnes accompagnées",
        "Records updated against people supported",
        "ratio",
        "trigger API",
    ),
    IndicatorSpec(
        "share_personalised_project",
        "DUI",
        "Part des personnes avec un projet personnalisé",
        "Share of people with a personalised project",
        "ratio",
        "trigger API",
    ),
    IndicatorSpec(
        "agenda_updates_per_day",
        "DUI",
        "Fréquence de mise à jour de l'agenda (par jour)",
        "Agenda update frequency (per day)",
        "per day",
        "trigger API",
    ),
]


def indicators() -> list[IndicatorSpec]:
    """Every indicator reported, in this order: those each declared service counts from its exchanges
    (in declaration order), then the derived ones and the DUI's own figures."""
    counted = [
        IndicatorSpec(i.key, s.id, i.label_fr, i.label_en, i.unit)
        for s in services.all_services()
        for i in s.indicators
    ]
    return counted + _DERIVED


@dataclass(frozen=True)
class Counter:
    """Counts indicator values over the exchanges of one service (and transaction, when given)."""

    service: str
    transaction: str | None
    count: Callable[[list[Exchange]], dict[str, float]]

    def matches(self, exchange: Exchange) -> bool:
        return services.canonical_id(str(exchange.get("service"))) == self.service and (
            self.transaction is None or exchange.get("transaction") == self.transaction
        )


def _ok(exchange: Exchange) -> bool:
    status = str(exchange.get("status") or "")
    found = re.search(r"\b([1-5]\d\d)\b", status)
    return bool(found and found.group(1).startswith("2"))


def insi_identities(exchanges: list[Exchange]) -> dict[str, float]:
    """Distinct identities (birth name, birth date, sex) searched, and those INSi answered 00 with an INS."""
    searched: set[tuple[str, str, str]] = set()
    found: set[tuple[str, str, str]] = set()
    for exchange in exchanges:
        summary = exchange.get("summary") or {}
        traits = summary.get("traits") or exchange.get("tags") or {}
        key = (
            str(traits.get("birth_name", "")).strip().upper(),
            str(traits.get("birth_date", "")),
            str(traits.get("sex", "")),
        )
        if not any(key):
            continue
        searched.add(key)
        if _ok(exchange) and summary.get("cr") == "00" and summary.get("ins"):
            found.add(key)
    return {"ins_identities_searched": len(searched), "ins_identities_with_ins": len(found)}


PATIENT_DOMAIN = "patient.mssante.fr"


def _recipients(exchange: Exchange) -> tuple[list[str], list[str]]:
    """``(addresses, kinds)`` of a message's recipients (the simulator's envelope and directory kinds)."""
    summary = exchange.get("summary") or {}
    envelope = summary.get("envelope") or {}
    found = envelope.get("to") if isinstance(envelope, dict) else None
    addresses = [str(a).lower().strip("<> ") for a in found] if isinstance(found, list) else []
    kinds = summary.get("recipient_kinds")
    return addresses, [str(k) for k in kinds] if isinstance(kinds, list) else []


def _accepted(exchange: Exchange) -> bool:
    reply = str((exchange.get("summary") or {}).get("reply", ""))
    return reply.startswith("250") if reply else _ok(exchange)


def mss_counters(exchanges: Iterable[Exchange]) -> dict[str, int]:
    """The one count of the MSSanté messages of a run, used by ``usage.json`` and ``dui-harness usage``.

    Over the SMTP transactions the simulated operator recorded: the accepted ones (reply 250)
    are document messages, except acknowledgements (MDN, tagged ``original_message_id``) counted
    apart; a document message counts once per recipient kind: a patient's mailbox (directory kind
    ``patient``, or an address ``…@patient.mssante.fr`` of Mon espace santé) or any other (a
    professional's: personal, organisational or applicative).
    """
    smtp = [
        e for e in exchanges if services.canonical_id(str(e.get("service"))) == "MSS" and e.get("transaction") == "SMTP"
    ]
    accepted = [e for e in smtp if _accepted(e)]
    documents = [e for e in accepted if "original_message_id" not in (e.get("tags") or {})]
    pros = patients = 0
    reached: set[str] = set()
    for exchange in documents:
        addresses, kinds = _recipients(exchange)
        to_patient = "patient" in kinds or any(a.endswith("@" + PATIENT_DOMAIN) for a in addresses)
        to_pro = any(k != "patient" for k in kinds) or any(not a.endswith("@" + PATIENT_DOMAIN) for a in addresses)
        patients += int(to_patient)
        pros += int(to_pro or not (addresses or kinds))
        reached.update(a for a in addresses if a.endswith("@" + PATIENT_DOMAIN))
    return {
        "messages_sent": len(documents),
        "messages_to_professionals": pros,
        "messages_to_patients": patients,
        "patients_reached": len(reached),
        "acknowledgements_sent": len(accepted) - len(documents),
        "refused_by_operator": len(smtp) - len(accepted),
    }


def mss_messages(exchanges: list[Exchange]) -> dict[str, float]:
    """The indicators of :func:`mss_counters`: messages to professionals and to patients (never the
    acknowledgements)."""
    counted = mss_counters(exchanges)
    return {
        "mss_messages_to_professionals": counted["messages_to_professionals"],
        "mss_messages_to_patients": counted["messages_to_patients"],
    }


def _documents(exchange: Exchange) -> int:
    documents = (exchange.get("summary") or {}).get("documents")
    if isinstance(documents, list):
        return len(documents)
    if isinstance(documents, int) and not isinstance(documents, bool):
        return documents
    return 1


_SUBMISSIONS = re.compile(r"iti-?41|provideandregister", re.IGNORECASE)


def dmp_documents(exchanges: list[Exchange]) -> dict[str, float]:
    """Documents of the submissions the DMP accepted (ITI-41 / ProvideAndRegisterDocumentSet-b with a
    2xx answer whose registry status is not a failure; ``summary.documents`` gives their number)."""
    total = 0
    for exchange in exchanges:
        status = str((exchange.get("summary") or {}).get("status", ""))
        if _ok(exchange) and _SUBMISSIONS.search(str(exchange.get("transaction", ""))) and "fail" not in status.lower():
            total += _documents(exchange)
    return {"dmp_documents_sent": total}


_EPARCOURS = re.compile(r"parcours|tddui", re.IGNORECASE)


def eparcours_documents(exchanges: list[Exchange]) -> dict[str, float]:
    """Writes accepted by the e-parcours platform (assumed: FHIR ``transaction``/``batch``/``create``
    exchanges, each counting ``summary.documents`` or one; on the shared ``FHIR`` service only those
    whose tags or summary name e-parcours / TDDUI, so that e-prescription is not counted)."""
    total = 0
    for exchange in exchanges:
        if not _ok(exchange) or exchange.get("transaction") not in ("transaction", "batch", "create"):
            continue
        label = f"{exchange.get('service')} {exchange.get('tags', {})} {exchange.get('summary', {})}"
        if exchange.get("service") == "EPARCOURS" or _EPARCOURS.search(label):
            total += _documents(exchange)
    return {"eparcours_documents_exchanged": total}


def counters() -> list[Counter]:
    """The counters the declared services name (``counters``: a function path and a transaction)."""
    return [
        Counter(s.id, c.transaction, services.resolve(c.counter)) for s in services.all_services() for c in s.counters
    ]


@dataclass
class UsageReport:
    source: str
    exchanges: int = 0
    first: str | None = None
    last: str | None = None
    observed: list[str] = field(default_factory=list)
    values: dict[str, float | None] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)
    dui_indicators: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "exchanges": self.exchanges,
            "period": {"first_exchange": self.first, "last_exchange": self.last},
            "services_observed": self.observed,
            "dui_indicators": self.dui_indicators,
            "indicators": [
                {
                    "key": s.key,
                    "service": s.service,
                    "label_fr": s.label_fr,
                    "label_en": s.label_en,
                    "unit": s.unit,
                    "source": s.source,
                    "value": self.values.get(s.key),
                    "status": self.status.get(s.key, ""),
                }
                for s in indicators()
            ],
        }


def _ratio(numerator: Any, denominator: Any) -> float | None:
    if not isinstance(numerator, int | float) or not isinstance(denominator, int | float) or denominator <= 0:
        return None
    return round(float(numerator) / float(denominator), 4)


def _days(start: Any, end: Any) -> float | None:
    try:
        span = datetime.fromisoformat(str(end)) - datetime.fromisoformat(str(start))
    except ValueError:
        return None
    return max(span.total_seconds() / 86400, 1 / 24)  # at least one hour: no absurd rates on short runs


def _from_dui(report: UsageReport, dui: dict[str, Any] | None) -> None:
    exposed = isinstance(dui, dict) and "error" not in dui
    report.dui_indicators = dui
    figures: dict[str, float | None] = {}
    if exposed and dui is not None:
        people = dui.get("people_supported")
        figures["ins_share_qualified"] = _ratio(dui.get("identities_qualified"), dui.get("identities_total"))
        figures["records_updated_per_person"] = _ratio(dui.get("records_updated"), people)
        figures["share_personalised_project"] = _ratio(dui.get("people_with_personalised_project"), people)
        days = _days(dui.get("period_start"), dui.get("period_end"))
        updates = dui.get("agenda_updates")
        figures["agenda_updates_per_day"] = (
            round(updates / days, 4) if days and isinstance(updates, int | float) else None
        )
    for spec in indicators():
        if spec.source != "trigger API":
            continue
        value = figures.get(spec.key)
        report.values[spec.key] = value
        report.status[spec.key] = "exposed" if value is not None else "not exposed"


def compute_usage(
    source: RunSource, *, live: bool = False, dui_indicators: dict[str, Any] | None = None
) -> UsageReport:
    """The indicators of ``source``: the DUI's figures recorded in its ``run.json``, or, with ``live``,
    ``dui_indicators`` as just read from the DUI (None: not exposed)."""
    recorded = (source.json("run.json") or {}).get("indicators")
    return usage_of(source.exchanges(), source.label, dui_indicators if live else recorded)


def usage_of(exchanges: Iterable[Exchange], label: str, dui: dict[str, Any] | None) -> UsageReport:
    items = list(exchanges)
    report = UsageReport(label, len(items))
    stamps = sorted(str(e.get("started")) for e in items if e.get("started"))
    report.first, report.last = (stamps[0], stamps[-1]) if stamps else (None, None)
    report.observed = sorted({services.canonical_id(str(e.get("service"))) for e in items})
    for counter in counters():
        mine = [e for e in items if counter.matches(e)]
        for key, value in counter.count(mine).items():
            report.values[key] = report.values.get(key, 0) + value  # type: ignore[operator]
    for spec in indicators():
        if spec.source == "exchanges" and spec.unit == "count":
            report.values.setdefault(spec.key, 0)
            report.status[spec.key] = "observed" if spec.service in report.observed else "not observed"
    report.values["ins_share_returned"] = _ratio(
        report.values.get("ins_identities_with_ins"), report.values.get("ins_identities_searched")
    )
    report.status["ins_share_returned"] = "observed" if "INS" in report.observed else "not observed"
    _from_dui(report, dui)
    return report


def render_text(report: UsageReport) -> str:
    lines = [
        f"Indicateurs d'usage / Usage indicators — {report.source}",
        f"  {report.exchanges} échange(s) enregistré(s) / recorded exchange(s)"
        + (f", {report.first} → {report.last}" if report.first else ""),
        "",
    ]
    for spec in indicators():
        value = report.values.get(spec.key)
        shown = "—" if value is None else (f"{value:.1%}" if spec.unit == "ratio" else f"{value:g}")
        lines.append(
            f"  {spec.service:<9} {shown:>8}  {spec.label_fr} / {spec.label_en} "
            f"[{report.status.get(spec.key, '')}; {spec.source}]"
        )
    return "\n".join(lines) + "\n"
