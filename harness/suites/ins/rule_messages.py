"""Identity failure messages that name their rule: guide rule number, official ids, stored vs expected.

Every finding of the INS lifecycle scenarios reads, for example::

    Règle 27 du guide INS (SC.INS/va1.60, SC.INS.15B) / INS guide rule 27: a strict trait changed ...
    — stocké / stored: INS 190077505631274 (1.2.250.1.213.1.4.10), statut QUAL ; attendu / expected: no INS, VALI

so that an editor can fix the DUI from the report alone (issue 12 item 5). The official ids come
from the requirement's catalog row (``official_ids``).
"""

from __future__ import annotations

from typing import Any

from harness.core.findings import Finding
from harness.core.requirements import cached_catalog
from harness.paths import profiles_dir

__all__ = ["GUIDE_RULES", "OTHER_SOURCES", "rule_finding", "shown"]

#: requirement -> the rule number(s) of the Guide d'implémentation de l'INS it judges
GUIDE_RULES = {
    "INS-REG-05": "5",
    "INS-REG-05B": "5",
    "INS-REG-06": "6",
    "INS-REG-11": "11",
    "INS-REG-12": "12",
    "INS-REG-16": "16",
    "INS-REG-17": "17",
    "INS-REG-19": "19",
    "INS-REG-25": "21, 25",
    "INS-REG-26": "26",
    "INS-REG-27": "27",
    "INS-REG-30": "30",
    "INS-VERIF-01": "52",
    "INS-VERIF-02": "49",
    "INS-VERIF-03": "51, 55",
    "INS-VERIF-04": "48, 53",
    # the older INS requirements (issue 12 item 5): the guide rule each one judges
    "INS-RES-01": "6",
    "INS-RES-02": "6",
    "INS-RES-05": "6",
    "INS-HIST-01": "6",
    "INS-OID-01": "1",
    "INS-RES-03": "20",
    "EXI SI 07": "20",
    "EXI SI 08": "28",
}

#: requirements that judge no guide rule: the source their messages name instead, « français / English »
OTHER_SOURCES = {
    "INS-KEY-01": ("Annexe INS du CI-SIS, clé de l'INS", "CI-SIS INS annex, INS key"),
    "INS-RES-04": ("Guide d'intégration du téléservice INSi", "INSi integration guide"),
    "INS-INSI-06": ("Guide INS, algorithme d'interrogation INSi", "INS guide, INSi search algorithm"),
}


def _official(requirement: str) -> str:
    entry = cached_catalog(profiles_dir()).get(requirement)
    return ", ".join(entry.official) if entry is not None and entry.official else requirement


def _source(requirement: str) -> str:
    """« Règle 6 du guide INS (SC.INS/va1.52, …) / INS guide rule 6 », or the requirement's other source."""
    if requirement in OTHER_SOURCES:
        fr, en = OTHER_SOURCES[requirement]
        return f"{fr} ({_official(requirement)}) / {en}"
    rule = GUIDE_RULES.get(requirement, "?")
    label = "Règles" if "," in rule else "Règle"
    return f"{label} {rule} du guide INS ({_official(requirement)}) / INS guide rule {rule}"


def shown(identity: dict[str, Any] | None) -> str:
    """An identity as the messages show it: INS (OID) and status."""
    if not identity:
        return "aucune identité / no identity"
    ins = identity.get("ins") or {}
    value = f"INS {ins.get('value')} ({ins.get('oid')})" if ins.get("value") else "sans INS / no INS"
    return f"{value}, statut / status {identity.get('status')}"


def rule_finding(
    check: str,
    requirement: str,
    what: str,
    *,
    stored: str,
    expected: str,
    location: str,
    evidence: tuple[str, ...] = (),
) -> Finding:
    """A finding on ``requirement`` whose message names the guide rule, the official ids, stored and expected."""
    message = f"{_source(requirement)}: {what} — stocké / stored: {stored} ; attendu / expected: {expected}"
    return Finding(check, requirement, message, location=location, evidence=evidence)
