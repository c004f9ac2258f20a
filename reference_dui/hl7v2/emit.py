"""The ADT identity messages the reference DUI emits (IHE PAM France ITI-30, HL7 v2.5), written by hand.

PID as the CI-SIS INS annex asks: the local identifier (PI) and, for a qualified identity only
(RNIV EXI SI 08, ``RI.INS/va1.64``), the INS ``<value>^^^ASIP-SANTE-INS-NIR&<OID>&ISO^INS``
(``ASIP-SANTE-INS-NIA`` for the NIA OID); the birth name and first names in a PID-5 repetition of
type L, the birth date in PID-7, the sex in PID-8, the birth place (COG) in a PID-11 repetition
of type BDL, the identity reliability status in PID-32.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from reference_dui.hl7v2.er7 import escape
from reference_dui.identity import OID_NIA, ins_key, may_exchange_ins
from reference_dui.store import PersonRecord

__all__ = ["STRUCTURES", "adt_message"]

STRUCTURES = {"A28": "ADT_A05", "A31": "ADT_A05"}
LOCAL_AUTHORITY = "DUI-REFERENCE&1.2.250.1.999.1.2&ISO"
_ids = itertools.count(1)


def _ins_field(record: PersonRecord, defects: frozenset[str]) -> str:
    if record.ins is None or not (may_exchange_ins(record.status) or "hl7_ins_unqualified" in defects):
        return ""
    value, oid = record.ins.value, record.ins.oid
    if "hl7_ins_key_off_by_one" in defects:
        value = value[:13] + f"{(ins_key(value[:13]) + 1) % 100:02d}"  # the key recomputed off by one
    namespace = "ASIP-SANTE-INS-NIA" if oid == OID_NIA else "ASIP-SANTE-INS-NIR"
    kind = "NH" if "hl7_ins_type_nh" in defects else "INS"
    return f"~{value}^^^{namespace}&{oid}&ISO^{kind}"


def _status(record: PersonRecord, defects: frozenset[str]) -> str:
    if "hl7_pid32_history" in defects and record.status in ("RECUP", "QUAL"):
        return "RECUP~QUAL" if record.status == "QUAL" else "PROV~RECUP"  # the status history, not the status
    return record.status


def adt_message(
    record: PersonRecord,
    event: str,
    defects: frozenset[str],
    *,
    sending: str = "DUI-REFERENCE",
    facility: str = "EHPAD-REFERENCE",
) -> tuple[str, bytes]:
    """``(control id, ER7 bytes)`` of the ADT ``event`` (A28, A31) for ``record``."""
    control_id = f"DUIREF{next(_ids):06d}"
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    traits = record.traits
    first_names = [escape(n) for n in traits.first_names]
    local = escape(record.local_id or record.person_id)
    pid = {
        1: "1",
        3: f"{local}^^^{LOCAL_AUTHORITY}^PI" + _ins_field(record, defects),
        5: f"{escape(traits.birth_name)}^{first_names[0]}^{' '.join(first_names)}^^^^L",
        7: traits.birth_date.replace("-", ""),
        8: traits.sex,
        30: "N",
        32: _status(record, defects),
    }
    if traits.used_name:
        pid[5] += f"~{escape(traits.used_name)}^{escape(traits.used_first_name or traits.first_names[0])}^^^^^D"
    if traits.birth_place and "hl7_no_birth_place" not in defects:
        pid[11] = f"^^^^^FRA^BDL^^{traits.birth_place}"
    version = "2.3" if "hl7_msh_version_23" in defects else "2.5^FRA^2.11"
    segments = [
        f"MSH|^~\\&|{sending}|{facility}|HL7-PARTNER|HL7-PARTNER|{stamp}||ADT^{event}^{STRUCTURES[event]}|"
        f"{control_id}|P|{version}||||AL|FRA|UNICODE UTF-8",
        "PID" + "".join("|" + pid.get(i, "") for i in range(1, 33)),
        "PV1||N",
    ]
    if "hl7_no_evn" not in defects:
        segments.insert(1, f"EVN||{stamp}")
    separator = "\n" if "hl7_lf_segments" in defects else "\r"
    return control_id, (separator.join(segments) + separator).encode("utf-8")
