"""Build the ADT identity feeds the simulator sends to a DUI (IHE PAM France ITI-30), with hl7apy.

Scenarios and persons come from ``fixtures/hl7v2/feed-identities.json`` (test OID only): a known
person, a homonym, the known INS with other traits, a *qualifiée* identity from another domain, a
merge (A40) and an identifier change (A47). Messages follow the PAM.Fr facts the validator
checks (:mod:`harness.validators.hl7v2.pid`): INS in PID-3 with its OID, status in PID-32, birth
name in a PID-5 repetition of type L with the list of first names, birth place in PID-11 (BDL).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.core import Message
from hl7apy.parser import parse_segment

from harness.core.ins import OID_INS_NIA
from harness.paths import fixtures_dir
from mocks.hl7v2.ack import escape

__all__ = ["FEED_EVENTS", "Feed", "build_feed", "load_feeds", "scenario_names"]

#: event -> message structure (HL7 v2.5)
FEED_EVENTS = {
    "A28": "ADT_A05",
    "A31": "ADT_A05",
    "A40": "ADT_A39",
    "A47": "ADT_A30",
    "A01": "ADT_A01",
    "A04": "ADT_A01",
    "A08": "ADT_A01",
}


@dataclass(frozen=True)
class Feed:
    """One built message and what it is about."""

    scenario: str
    event: str
    control_id: str
    payload: bytes
    ins: str
    expected: str


@lru_cache(maxsize=4)
def load_feeds(path: Path | None = None) -> dict[str, Any]:
    """The feed identities file (default: the project's fixture)."""
    source = path or fixtures_dir() / "hl7v2" / "feed-identities.json"
    data: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    return data


def scenario_names() -> list[str]:
    return sorted(load_feeds()["scenarios"])


def _pid(person: dict[str, Any], status: list[str], authority: dict[str, str]) -> str:
    namespace = "ASIP-SANTE-INS-NIA" if person["oid"] == OID_INS_NIA else "ASIP-SANTE-INS-NIR"
    local = f"{escape(person['local_id'])}^^^{authority['namespace']}&{authority['oid']}&ISO^PI"
    ins = f"{person['ins']}^^^{namespace}&{person['oid']}&ISO^INS"
    first_names = [escape(n) for n in person["first_names"]]
    name = f"{escape(person['birth_name'])}^{first_names[0]}^{' '.join(first_names)}^^^^L"
    fields = {
        1: "1",
        3: f"{local}~{ins}",
        5: name,
        7: person["birth_date"].replace("-", ""),
        8: person["sex"],
        11: f"^^^^^FRA^BDL^^{person['birth_place']}",
        30: "N",
        32: "~".join(status),
    }
    return "PID" + "".join("|" + fields.get(i, "") for i in range(1, 33))


def build_feed(
    scenario: str,
    *,
    control_id: str,
    sending: str = "SIH-SIMULATEUR",
    facility: str = "DUI-HARNESS",
    receiving: str = "DUI",
    now: datetime | None = None,
    data: dict[str, Any] | None = None,
) -> Feed:
    """Build the ADT message of ``scenario``.

    Raises:
        KeyError: unknown scenario (the message names the known ones).
    """
    feeds = data or load_feeds()
    if scenario not in feeds["scenarios"]:
        raise KeyError(f"unknown HL7 v2 feed scenario {scenario!r}; known: {', '.join(sorted(feeds['scenarios']))}")
    spec = feeds["scenarios"][scenario]
    person = feeds["persons"][spec["person"]]
    event = spec["event"]
    structure = FEED_EVENTS[event]
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d%H%M%S")
    message = Message(structure, version="2.5", validation_level=VALIDATION_LEVEL.TOLERANT)
    message.msh.msh_3 = sending
    message.msh.msh_4 = facility
    message.msh.msh_5 = receiving
    message.msh.msh_7 = stamp
    message.msh.msh_9 = f"ADT^{event}^{structure}"
    message.msh.msh_10 = control_id
    message.msh.msh_11 = "P"
    message.msh.msh_12 = "2.5^FRA^2.11"
    message.msh.msh_15 = "AL"
    message.msh.msh_17 = "FRA"
    message.msh.msh_18 = "UNICODE UTF-8"
    message.add(parse_segment(f"EVN||{stamp}", version="2.5"))
    message.add(parse_segment(_pid(person, spec["status"], feeds["local_authority"]), version="2.5"))
    if event in ("A40", "A47"):
        authority = feeds["local_authority"]
        message.add(
            parse_segment(
                f"MRG|{escape(spec['merged_local_id'])}^^^{authority['namespace']}&{authority['oid']}&ISO^PI",
                version="2.5",
            )
        )
    else:
        message.add(parse_segment("PV1|1|N", version="2.5"))
    payload = str(message.to_er7()).encode("utf-8") + b"\r"
    return Feed(scenario, event, control_id, payload, person["ins"], spec["expected"])
