"""How the reference DUI integrates the identity feeds it receives (IHE PAM France ITI-30) and acknowledges them.

The rules it applies (guide d'implémentation de l'INS, RNIV; official ids in ``profiles/catalog/hl7v2.csv``):

* a feed for a person it knows (same sender identifier, or same INS with the same strict traits)
  updates that identity: no duplicate;
* a homonym (same names, other INS or other strict traits) is another person: never merged;
* a known INS arriving with other strict traits is not integrated as is: answered AE, the stored
  identity unchanged, until the INS is verified with INSi;
* a *qualifiée* status received from another domain is not kept as qualified (rule 30): the
  identity is stored *provisoire*, the INS it carried kept apart until the DUI's own procedure;
* A40 merges the MRG-1 identity into the PID-3 one, A47 replaces the MRG-1 identifier;
* every message gets an ACK (original mode): AA, AE (content refused, ERR says why) or AR
  (unreadable, unsupported), MSA-2 echoing MSH-10; nothing is integrated from an AE/AR message.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from reference_dui.hl7v2.er7 import Er7Error, Message, components, escape, parse, repetitions
from reference_dui.identity import INS_OIDS, key_is_valid

__all__ = ["FeedIdentity", "FeedStore", "Refused"]

_ids = itertools.count(1)
_EVENTS = ("A28", "A31", "A40", "A47", "A01", "A04", "A08")


class Refused(Exception):
    """A message not integrated: ``ack`` AE or AR, ``code`` HL7 table 0357, ``location`` ERR-2."""

    def __init__(self, ack: str, code: int, text: str, location: str = "") -> None:
        super().__init__(text)
        self.ack, self.code, self.text, self.location = ack, code, text, location


@dataclass
class FeedIdentity:
    """An identity the DUI holds from the feeds."""

    identity_id: str
    local_ids: list[str]
    traits: dict[str, Any]
    status: str = "PROV"
    ins: dict[str, str] | None = None
    received_ins: dict[str, str] | None = None
    received_status: str | None = None
    messages: int = 1
    history: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "identity_id": self.identity_id,
            "local_ids": list(self.local_ids),
            "traits": dict(self.traits),
            "ins": self.ins,
            "received_ins": self.received_ins,
            "status": self.status,
            "received_status": self.received_status,
            "messages": self.messages,
        }


def _strict(traits: dict[str, Any]) -> tuple[Any, ...]:
    return (
        traits["birth_name"],
        tuple(traits["first_names"]),
        traits["sex"],
        traits["birth_date"],
        traits.get("birth_place"),
    )


def _read_pid(message: Message) -> tuple[list[str], dict[str, str] | None, dict[str, Any], str]:
    """``(local ids, INS, traits, PID-32 status)`` of the message's PID (``Refused`` when unusable)."""
    pid = message.first("PID")
    if pid is None:
        raise Refused("AR", 100, "no PID segment", "PID")

    def field_of(number: int) -> str:
        return pid[number] if number < len(pid) else ""

    local_ids, ins = [], None
    for cx in repetitions(field_of(3)):
        parts = components(cx)
        kind = parts[4] if len(parts) > 4 else ""
        authority = parts[3].split("&") if len(parts) > 3 else []
        if kind == "PI" and parts[0]:
            local_ids.append(parts[0])
        elif kind == "INS":
            oid = authority[1] if len(authority) > 1 else ""
            value = parts[0]
            if oid not in INS_OIDS or len(value) != 15 or not key_is_valid(value[:13], value[13:]):
                raise Refused("AE", 102, f"INS {value!r} (OID {oid!r}) is not a valid INS", "PID^1^3")
            ins = {"value": value, "oid": oid}
    if not local_ids and ins is None:
        raise Refused("AE", 101, "PID-3 holds no identifier of type PI or INS", "PID^1^3")
    names = [components(r) for r in repetitions(field_of(5))]
    legal = next((n for n in names if len(n) > 6 and n[6] == "L"), names[0] if names else [])
    if not legal or not legal[0]:
        raise Refused("AE", 101, "PID-5 holds no birth name (type L)", "PID^1^5")
    first_names = (legal[2].split() if len(legal) > 2 and legal[2] else []) or ([legal[1]] if len(legal) > 1 else [])
    birth = field_of(7)[:8]
    if len(birth) != 8 or not birth.isdigit():
        raise Refused("AE", 102, f"PID-7 birth date {field_of(7)!r} is not YYYYMMDD", "PID^1^7")
    place = next(
        (components(r)[8] for r in repetitions(field_of(11)) if len(components(r)) > 8 and components(r)[6] == "BDL"),
        None,
    )
    traits = {
        "birth_name": legal[0],
        "first_names": first_names,
        "sex": field_of(8) or "U",
        "birth_date": f"{birth[:4]}-{birth[4:6]}-{birth[6:]}",
        "birth_place": place or None,
        "used_name": None,
        "used_first_name": None,
    }
    statuses = [s for s in repetitions(field_of(32)) if s in ("PROV", "RECUP", "VALI", "QUAL")]
    return local_ids, ins, traits, statuses[0] if statuses else ""


class FeedStore:
    """The identities received through HL7 v2 and the rules that integrate a feed (thread-safe)."""

    def __init__(self, defects: frozenset[str] = frozenset()) -> None:
        self.defects = defects
        self._lock = threading.Lock()
        self.identities: list[FeedIdentity] = []

    def reset(self) -> None:
        with self._lock:
            self.identities.clear()

    def as_json(self) -> list[dict[str, Any]]:
        with self._lock:
            return [i.to_json() for i in self.identities]

    # -- one message ------------------------------------------------------------------------
    def receive(self, payload: bytes, oversized: bool) -> bytes:
        """Integrate one MLLP payload; the ACK to answer."""
        message: Message | None = None
        try:
            if oversized:
                message = parse(payload.split(b"\r", 1)[0])  # its MSH, to echo MSH-10
                raise Refused("AR", 100, "message larger than this DUI accepts (1 MiB)")
            message = parse(payload)
            self._integrate(message)
        except Er7Error as exc:
            return self._ack(message, "AR", [(exc.code, str(exc), "")])
        except Refused as exc:
            return self._ack(message, exc.ack, [(exc.code, exc.text, exc.location)])
        return self._ack(message, "AA", [])

    def _integrate(self, message: Message) -> None:
        code, event = message.field("MSH", 9).split("^")[0], message.event
        if code != "ADT" or event not in _EVENTS:
            raise Refused(
                "AR", 200 if code != "ADT" else 201, f"unsupported message type {message.field('MSH', 9)!r}", "MSH^1^9"
            )
        if not message.field("MSH", 12).startswith("2.5"):
            raise Refused("AR", 203, f"unsupported version {message.field('MSH', 12)!r}", "MSH^1^12")
        local_ids, ins, traits, status = _read_pid(message)
        with self._lock:
            if event == "A40":
                self._merge(message, local_ids)
            elif event == "A47":
                self._change_identifier(message, local_ids)
            self._identity(local_ids, ins, traits, status)

    def _identity(self, local_ids: list[str], ins: dict[str, str] | None, traits: dict[str, Any], status: str) -> None:
        same_ins = [
            i
            for i in self.identities
            if ins and ins["value"] in {(x or {}).get("value") for x in (i.ins, i.received_ins)}
        ]
        for known in same_ins:
            if _strict(known.traits) != _strict(traits):
                if "hl7_overwrite_traits" in self.defects:
                    known.traits = traits  # the sender is trusted: its traits replace the stored ones
                    known.messages += 1
                    return
                raise Refused(
                    "AE",
                    207,
                    "the INS of a known identity arrives with other strict traits: not "
                    "integrated, to be verified with INSi (SC.INS.26.MS1)",
                    "PID^1^5",
                )
        known_ids = [i for i in self.identities if set(i.local_ids) & set(local_ids)]
        match = (same_ins or known_ids or self._homonyms(traits))[:1]
        if match:
            identity = match[0]
            if _strict(identity.traits) != _strict(traits) and "hl7_merge_homonyms" not in self.defects:
                raise Refused(
                    "AE", 207, "this sender identifier belongs to an identity with other strict traits", "PID^1^3"
                )
            identity.local_ids += [i for i in local_ids if i not in identity.local_ids]
            identity.messages += 1
            identity.received_status = status or identity.received_status
            return
        keep = "hl7_keep_qualified" in self.defects and status == "QUAL"
        self.identities.append(
            FeedIdentity(
                f"hl7-{next(_ids):05d}",
                list(local_ids),
                traits,
                status="QUAL" if keep else "PROV",
                ins=ins if keep else None,
                received_ins=ins,
                received_status=status or None,
            )
        )

    def _homonyms(self, traits: dict[str, Any]) -> list[FeedIdentity]:
        """Only the defect matches on names: a clean DUI never takes a homonym for the person."""
        if "hl7_merge_homonyms" not in self.defects:
            return []
        return [
            i
            for i in self.identities
            if i.traits["birth_name"] == traits["birth_name"]
            and i.traits["first_names"][:1] == traits["first_names"][:1]
            and i.traits["sex"] == traits["sex"]
        ]

    def _merged_id(self, message: Message) -> str:
        mrg = message.first("MRG")
        if mrg is None or len(mrg) < 2 or not components(mrg[1])[0]:
            raise Refused("AE", 101, "A40/A47 without MRG-1 (the identifier merged or changed)", "MRG^1^1")
        return components(repetitions(mrg[1])[0])[0]

    def _merge(self, message: Message, local_ids: list[str]) -> None:
        merged = self._merged_id(message)
        for identity in [i for i in self.identities if merged in i.local_ids and not set(i.local_ids) & set(local_ids)]:
            self.identities.remove(identity)
            survivor = next((i for i in self.identities if set(i.local_ids) & set(local_ids)), None)
            if survivor is not None:
                survivor.history.append(f"merged {identity.identity_id}")

    def _change_identifier(self, message: Message, local_ids: list[str]) -> None:
        old = self._merged_id(message)
        for identity in self.identities:
            if old in identity.local_ids:
                identity.local_ids = [i for i in identity.local_ids if i != old] + [
                    i for i in local_ids if i not in identity.local_ids
                ]

    # -- the acknowledgment -----------------------------------------------------------------
    def _ack(self, message: Message | None, code: str, errors: list[tuple[int, str, str]]) -> bytes:
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        received = message.control_id if message is not None else ""
        if "hl7_ack_always_aa" in self.defects:
            code, errors = "AA", []
        own = f"DUIREFACK{next(_ids):06d}"
        echoed = own if "hl7_ack_own_control_id" in self.defects else received
        sender = (message.field("MSH", 3), message.field("MSH", 4)) if message is not None else ("", "")
        event = message.event if message is not None else ""
        segments = [
            f"MSH|^~\\&|DUI-REFERENCE|EHPAD-REFERENCE|{sender[0]}|{sender[1]}|{stamp}||"
            f"ACK^{event}^ACK|{own}|P|2.5^FRA^2.11||||||UNICODE UTF-8",
            f"MSA|{code}|{escape(echoed)}",
        ]
        for number, text, location in errors:
            segments.append(f"ERR||{location}|{number}|E||||{escape(text)}")
        return ("\r".join(segments) + "\r").encode("utf-8")
