"""Attended mode for the HL7 v2 identity feeds: the operator configures, emits and reads, the harness watches.

What reaches the HL7 v2 simulator (the ADT messages the DUI emits, the ACKs it answers to the
feeds) is read from the recorder; what only the DUI's screens show (its MLLP address, the
identities it stored from the feeds and their status) is typed back by the operator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from harness.sut.attended_operator import step
from harness.sut.parts.hl7v2 import Hl7v2Driver

if TYPE_CHECKING:
    from harness.core.recorder import Recorder
    from harness.sut.attended_operator import Operator

__all__ = ["AttendedHl7v2", "identities_typed"]

_STATUSES = ("PROV", "RECUP", "VALI", "QUAL")


def identities_typed(answer: str) -> list[dict[str, Any]]:
    """The identities the operator read, one per ``|``: ``local id; status; INS or -; birth name; first names;
    sex; birth date (YYYY-MM-DD); COG``. Incomplete entries are kept with what was given."""
    out = []
    for number, entry in enumerate((e.strip() for e in answer.split("|") if e.strip()), start=1):
        parts = [p.strip() for p in entry.split(";")] + [""] * 8
        status = parts[1].upper() if parts[1].upper() in _STATUSES else "PROV"
        ins = parts[2] if parts[2] not in ("", "-") else ""
        out.append(
            {
                "identity_id": f"attended-{number}",
                "local_ids": [parts[0]] if parts[0] else [],
                "traits": {
                    "birth_name": parts[3],
                    "first_names": parts[4].split(),
                    "sex": parts[5] or "U",
                    "birth_date": parts[6],
                    "birth_place": parts[7] or None,
                },
                "ins": {"value": ins, "oid": "1.2.250.1.213.1.4.10"} if ins else None,
                "status": status,
                "received_status": None,
                "declared_by_operator": True,
            }
        )
    return out


class AttendedHl7v2(Hl7v2Driver):
    """Mixin of :class:`~harness.sut.attended.AttendedDriver` for the HL7 v2 identity feeds."""

    recorder: Recorder
    operator: Operator
    exchange_timeout: float

    @step("hl7v2_endpoint")
    def hl7v2_endpoint(self) -> dict[str, Any] | None:
        shown = self.operator.ask(
            "Adresse MLLP (hôte:port) où la DUI reçoit les flux d'identité HL7 v2 (IHE PAM "
            "France) ; ajoutez « tls » si elle attend MLLP sur TLS ; vide si la DUI n'échange "
            "pas en HL7 v2 :",
            "MLLP address (host:port) where the DUI receives HL7 v2 identity feeds (IHE PAM "
            "France); add 'tls' if it expects MLLP over TLS; empty if the DUI exchanges no "
            "HL7 v2:",
        ).strip()
        address, _, flag = shown.partition(" ")
        host, _, port = address.rpartition(":")
        if not port.isdigit():
            return None
        return {"host": host or "127.0.0.1", "port": int(port), "tls": flag.strip().lower() == "tls"}

    @step("hl7v2_emit")
    def hl7v2_emit(self, person_id: str, event: str) -> dict[str, Any]:
        since = self.recorder.mark()
        what = "création (A28)" if event == "A28" else "mise à jour (A31)"
        self.operator.say(
            f"Faites émettre par la DUI le message d'identité HL7 v2 de {what} de l'usager {person_id} "
            "vers le simulateur HL7 v2 (adresse MLLP de la fiche de connexion).",
            f"Have the DUI send the HL7 v2 identity message ({event}) of person {person_id} to the "
            "HL7 v2 simulator (MLLP address on the connection sheet).",
        )
        found = self.operator.watch(
            self.recorder, service="HL7V2", since=since, timeout=self.exchange_timeout, direction="from-dui"
        )
        if not found:
            return {
                "event": event,
                "control_id": "",
                "ack_code": None,
                "message": "aucun message reçu par le simulateur / no message reached the simulator",
            }
        last = found[-1]
        return {
            "event": event,
            "control_id": str(last.tags.get("control_id", "")),
            "ack_code": last.summary.get("ack"),
            "message": "déduit des échanges / from the exchanges",
        }

    @step("hl7v2_identities")
    def hl7v2_identities(self) -> list[dict[str, Any]]:
        shown = self.operator.ask(
            "Identités que la DUI a enregistrées à partir des flux HL7 v2, séparées par « | », "
            "chacune : identifiant local; statut (PROV, RECUP, VALI, QUAL); INS ou -; nom de "
            "naissance; prénoms; sexe; date de naissance AAAA-MM-JJ; code COG :",
            "Identities the DUI stored from the HL7 v2 feeds, separated by '|', each: local id; "
            "status (PROV, RECUP, VALI, QUAL); INS or -; birth name; first names; sex; birth "
            "date YYYY-MM-DD; COG code:",
        )
        return identities_typed(shown)
