"""The two TDDUI Encounter profiles of flux 1: the stay (séjour) and the event (évènement).

``ans.fhir.fr.tddui`` models both with ``Encounter`` (``TDDUIEncounterSejour.fsh``,
``TDDUIEncounterEvenement.fsh``), so each Encounter of a TDDUIBundle is first told apart, then
judged by its own profile (``EPARCOURS-CONT-01``):

* an **event** declares ``meta.profile`` …/tddui-encounter-evenement, or carries the event
  identifier (system ``https://identifiant-medicosocial-evenement.esante.gouv.fr``, type ``VN``),
  or is ``partOf`` a stay. TDDUIEncounterEvenement: ``identifier`` 1..1, ``subject`` 1..1 (the
  Patient), ``period.start`` and ``period.end`` 1..1, ``partOf`` only a stay;
* otherwise a **stay**: TDDUIEncounterSejour, ``identifier[idStay]`` 1..1 (type ``SEJ``, system
  ``https://identifiant-medicosocial-sejour.esante.gouv.fr``), ``subject`` 1..1 and
  ``serviceProvider`` 1..1 (the ESSMS Organization).

Judging an event by the stay rule was a false positive on the IG's own example
(``ExampleTDDUIBundle``, entry ``tddui-encounter-evenement-example``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from harness.core.findings import Finding
from harness.core.rules import rule
from harness.validators.fhir.codes import STAY_IDENTIFIER_SYSTEM
from harness.validators.fhir.refs import as_dict, as_list, codings, text

__all__ = ["EVENT_IDENTIFIER_SYSTEM", "EVENT_PROFILE", "STAY_PROFILE", "check_encounter", "is_event"]

CONT = "EPARCOURS-CONT-01"
TDDUI_SD = "https://interop.esante.gouv.fr/ig/fhir/tddui/StructureDefinition"
STAY_PROFILE = f"{TDDUI_SD}/tddui-encounter-sejour"
EVENT_PROFILE = f"{TDDUI_SD}/tddui-encounter-evenement"
#: TDDUIEncounterEvenement identifier.system (the IG's example; type VN of fr-core-cs-identifier-type)
EVENT_IDENTIFIER_SYSTEM = "https://identifiant-medicosocial-evenement.esante.gouv.fr"


class _Entry(Protocol):
    @property
    def type(self) -> str: ...

    @property
    def path(self) -> str: ...

    resource: dict[str, Any]


#: the target of a reference inside the bundle (None: not in the bundle)
Resolve = Callable[[str], "_Entry | None"]


def _profiles(resource: dict[str, Any]) -> list[str]:
    return [text(p).split("|")[0] for p in as_list(as_dict(resource.get("meta")).get("profile"))]


def is_event(resource: dict[str, Any]) -> bool:
    """True when the Encounter is a TDDUIEncounterEvenement rather than a stay."""
    profiles = _profiles(resource)
    if EVENT_PROFILE in profiles:
        return True
    if STAY_PROFILE in profiles:
        return False
    for ident in as_list(resource.get("identifier")):
        ident = as_dict(ident)
        if text(ident.get("system")) == EVENT_IDENTIFIER_SYSTEM or any(
            c.get("code") == "VN" for c in codings(ident.get("type"))
        ):
            return True
    return bool(text(as_dict(resource.get("partOf")).get("reference")))


def _subject(entry: _Entry, rule_id: str, resolve: Resolve) -> list[Finding]:
    ref = text(as_dict(entry.resource.get("subject")).get("reference"))
    target = resolve(ref) if ref else None
    if target is not None and target.type == "Patient":
        return []
    return [
        Finding(
            rule_id,
            CONT,
            f"Encounter.subject (1..1) must reference the Patient of the bundle; found {ref or 'nothing'}",
            location=f"{entry.path}.subject",
        )
    ]


@rule("tddui.encounter", requirement=CONT, summary="TDDUIEncounterSejour: idStay, serviceProvider, subject")
def _stay(entry: _Entry, resolve: Resolve) -> list[Finding]:
    found = []
    stays = [
        i
        for i in as_list(entry.resource.get("identifier"))
        if any(c.get("code") == "SEJ" for c in codings(as_dict(i).get("type")))
    ]
    if (
        not stays
        or text(as_dict(stays[0]).get("system")) != STAY_IDENTIFIER_SYSTEM
        or not text(as_dict(stays[0]).get("value"))
    ):
        found.append(
            Finding(
                "tddui.encounter.idstay",
                CONT,
                "TDDUIEncounterSejour: identifier[idStay] 1..1 with "
                f"type SEJ, system {STAY_IDENTIFIER_SYSTEM} and a value",
                location=f"{entry.path}.identifier",
            )
        )
    found += _subject(entry, "tddui.encounter.subject", resolve)
    ref = text(as_dict(entry.resource.get("serviceProvider")).get("reference"))
    provider = resolve(ref) if ref else None
    if provider is None or provider.type != "Organization":
        found.append(
            Finding(
                "tddui.encounter.provider",
                CONT,
                "TDDUIEncounterSejour.serviceProvider 1..1 must reference the ESSMS Organization of the bundle",
                location=f"{entry.path}.serviceProvider",
            )
        )
    return found


@rule(
    "tddui.event",
    requirement=CONT,
    summary="TDDUIEncounterEvenement: identifier, subject, period start and end, partOf a stay",
)
def _event(entry: _Entry, resolve: Resolve) -> list[Finding]:
    resource, found = entry.resource, []
    identifiers = as_list(resource.get("identifier"))
    if len(identifiers) != 1 or not text(as_dict(identifiers[0]).get("value")):
        found.append(
            Finding(
                "tddui.event.identifier",
                CONT,
                f"TDDUIEncounterEvenement: identifier is 1..1 with a value (idEvenement); found {len(identifiers)}",
                location=f"{entry.path}.identifier",
            )
        )
    found += _subject(entry, "tddui.event.subject", resolve)
    period = as_dict(resource.get("period"))
    for bound in ("start", "end"):
        if not text(period.get(bound)):
            found.append(
                Finding(
                    "tddui.event.period",
                    CONT,
                    f"TDDUIEncounterEvenement: period.{bound} is 1..1 (dateDebutEvenement / dateFinEvenement)",
                    location=f"{entry.path}.period.{bound}",
                )
            )
    ref = text(as_dict(resource.get("partOf")).get("reference"))
    stay = resolve(ref) if ref else None
    if stay is not None and (stay.type != "Encounter" or is_event(stay.resource)):
        found.append(
            Finding(
                "tddui.event.partof",
                CONT,
                f"TDDUIEncounterEvenement.partOf only references a stay (TDDUIEncounterSejour); {ref} is not one",
                location=f"{entry.path}.partOf",
            )
        )
    return found


def check_encounter(entry: _Entry, resolve: Resolve) -> list[Finding]:
    """The findings of one Encounter entry, judged as an event or as a stay."""
    return _event(entry, resolve) if is_event(entry.resource) else _stay(entry, resolve)
