"""Judge the identity a PID segment carries: the INS in PID-3, the status in PID-32, the strict traits.

Facts (see ``fixtures/hl7v2/README.md`` for their public sources):

* PID-3 INS repetition (CI-SIS INS annex, IHE PAM France ≥ 2.10, CP-ITI-FR-2019-136):
  ``<15-character INS>^^^ASIP-SANTE-INS-NIR&<OID>&ISO^INS``; namespace ``ASIP-SANTE-INS-NIA``
  with the NIA OID ``1.2.250.1.213.1.4.9``; CX-5 identifier type ``INS``.
* PID-32 identity reliability code, French HL7 table 0445 (FR Core ``fr-core-cs-fiabilite-identite``):
  the RNIV statuses PROV, RECUP, VALI, QUAL, the legacy VIDE and attributes such as DOUT (douteuse),
  FICT (fictive), HOMD/HOMA (homonyme).
* strict traits: PID-5 repetition of type ``L`` (birth name in PID-5.1, first birth first name in
  PID-5.2, list of birth first names in PID-5.3), PID-7 birth date, PID-8 sex, PID-11 repetition of
  type ``BDL`` with the birth place INSEE (COG) code in PID-11.9.

Rules named in messages: RNIV ``EXI SI 07`` (one status), ``EXI SI 08`` (INS exchanged only for a
qualified identity), guide INS rules 6 (first names), 11–12 (no 00 day/month, no empty strict trait),
21/25 (douteuse/fictive forbid qualification); Ségur ``RI.INS/va1.64``, ``RI.INS/va1.66``,
``SC.INS/va1.16``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from harness.core.findings import Finding, Severity
from harness.core.ins import INS_OIDS, OID_INS_C, OID_INS_NIA, Traits
from harness.validators.hl7v2.er7 import Er7Message, Segment, location
from harness.validators.ins_value import validate_ins

__all__ = [
    "RELIABILITY_CODES",
    "REQ_INS_FORM",
    "REQ_INS_KEY",
    "REQ_INS_QUALIFIED",
    "REQ_STATUS",
    "REQ_TRAITS",
    "PatientIdentity",
    "check_pid",
]

REQ_INS_FORM = "HL7-INS-01"
REQ_INS_KEY = "HL7-INS-02"
REQ_INS_QUALIFIED = "HL7-INS-03"
REQ_STATUS = "HL7-INS-04"
REQ_TRAITS = "HL7-INS-05"

STATUSES = ("PROV", "RECUP", "VALI", "QUAL")
#: French HL7 table 0445 (FR Core fr-core-cs-fiabilite-identite)
RELIABILITY_CODES = frozenset(
    {
        "VIDE",
        "PROV",
        "VALI",
        "DOUB",
        "DESA",
        "DPOT",
        "DOUA",
        "COLP",
        "COLV",
        "FILI",
        "CACH",
        "ANOM",
        "IDVER",
        "RECD",
        "IDRA",
        "USUR",
        "HOMD",
        "HOMA",
        "INVA",
        "FICT",
        "DOUT",
        "RECUP",
        "QUAL",
    }
)
_SPELLINGS = {"DOUTE": "DOUT", "FICTI": "FICT", "FICTIVE": "FICT", "DOUTEUSE": "DOUT"}
_NAMESPACE_NIR = "ASIP-SANTE-INS-NIR"
_NAMESPACE_NIA = "ASIP-SANTE-INS-NIA"
_COG = re.compile(r"^[0-9][0-9AB][0-9]{3}$", re.ASCII)
_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})", re.ASCII)


@dataclass
class PatientIdentity:
    """What a PID segment says about the person (for exchanges' tags and the simulators)."""

    ins: str = ""
    ins_oid: str = ""
    statuses: tuple[str, ...] = ()
    traits: Traits | None = None
    identifiers: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        traits = self.traits
        return {
            "ins": self.ins,
            "ins_oid": self.ins_oid,
            "statuses": list(self.statuses),
            "identifiers": self.identifiers,
            "traits": None
            if traits is None
            else {
                "birth_name": traits.birth_name,
                "first_names": list(traits.first_names),
                "sex": traits.sex,
                "birth_date": traits.birth_date,
                "birth_place": traits.birth_place,
            },
        }


#: the official ids each requirement rests on, named in a message that cites none itself
OFFICIAL = {
    REQ_INS_FORM: "RI.INS/va1.66, SC.INS/va1.16",
    REQ_INS_KEY: "RI.INS/va1.66",
    REQ_INS_QUALIFIED: "RI.INS/va1.64, EXI SI 08",
    REQ_STATUS: "RI.INS/va1.66, EXI SI 07",
    REQ_TRAITS: "RI.INS/va1.66, SC.INS/va1.16",
}


def _finding(
    rule: str, requirement: str, text: str, found: str, expected: str, where: str, severity: Severity = Severity.ERROR
) -> Finding:
    if not any(ref in text for ref in ("RI.INS", "SC.INS", "EXI SI")):
        text = f"{text} [{OFFICIAL[requirement]}]"
    return Finding(
        rule=rule,
        requirement=requirement,
        severity=severity,
        location=where,
        message=f"{text}; trouvé / found: {found!r}; attendu / expected: {expected}",
    )


def _is_ins_repetition(message: Er7Message, value: str) -> bool:
    authority = message.component(value, 4)
    namespace = message.subcomponent(authority, 1)
    oid = message.subcomponent(authority, 2)
    return (
        namespace.upper().startswith("ASIP-SANTE-INS")
        or oid in INS_OIDS
        or oid == OID_INS_C
        or message.component(value, 5) == "INS"
    )


def check_ins_cx(message: Er7Message, segment: Segment, number: int, repetition: int, value: str) -> list[Finding]:
    """One CX repetition carrying an INS: value and key, namespace, OID, ``ISO``, type ``INS``."""
    where = location(segment, number, repetition)
    authority = message.component(value, 4)
    namespace, oid, oid_type = (message.subcomponent(authority, i) for i in (1, 2, 3))
    findings: list[Finding] = []
    ins_value = message.component(value, 1)
    if ins_value != ins_value.strip() or " " in ins_value:
        findings.append(
            _finding(
                "hl7.ins.spaces",
                REQ_INS_KEY,
                "CX-1 holds the 15 characters of the INS, without spaces",
                ins_value,
                "15 characters, e.g. '279035121518989'",
                location(segment, number, repetition, 1),
            )
        )
    for problem in validate_ins(ins_value, location=location(segment, number, repetition, 1)):
        findings.append(
            Finding(
                rule=problem.rule,
                requirement=REQ_INS_KEY,
                severity=problem.severity,
                location=problem.location,
                message=f"INS value in {segment.name}-{number} (INS key 97 − NIR mod 97, "
                f"RI.INS/va1.66): {problem.message}; trouvé / found: {ins_value!r}",
            )
        )
    if oid == OID_INS_C or oid not in INS_OIDS:
        known = ", ".join(f"{o} ({label})" for o, label in INS_OIDS.items())
        findings.append(
            _finding(
                "hl7.ins.oid",
                REQ_INS_FORM,
                "assigning authority OID of the INS in CX-4.2 (CI-SIS INS annex; INS-C is no longer used)",
                oid,
                known,
                location(segment, number, repetition, 4, 2),
            )
        )
    expected_namespace = _NAMESPACE_NIA if oid == OID_INS_NIA else _NAMESPACE_NIR
    if namespace != expected_namespace:
        findings.append(
            _finding(
                "hl7.ins.namespace",
                REQ_INS_FORM,
                f"CX-4.1 namespace of an INS under OID {oid or '?'} (CI-SIS INS annex, PAM.Fr)",
                namespace,
                repr(expected_namespace),
                location(segment, number, repetition, 4, 1),
            )
        )
    if oid_type != "ISO":
        findings.append(
            _finding(
                "hl7.ins.oid-type",
                REQ_INS_FORM,
                "CX-4.3 universal id type of the INS authority (HL7 table 0301)",
                oid_type,
                "'ISO'",
                location(segment, number, repetition, 4, 3),
            )
        )
    type_code = message.component(value, 5)
    if type_code != "INS":
        findings.append(
            _finding(
                "hl7.ins.type",
                REQ_INS_FORM,
                "CX-5 identifier type of an INS (PAM.Fr ≥ 2.10, CP-ITI-FR-2019-136; 'NH' was the pre-INS form)",
                type_code,
                "'INS'",
                location(segment, number, repetition, 5),
            )
        )
    if not findings:
        return []
    return [f if f.location else Finding(f.rule, f.requirement, f.message, f.severity, where) for f in findings]


def check_pid(message: Er7Message, *, emitted: bool) -> tuple[list[Finding], list[PatientIdentity]]:
    """Every PID segment of ``message``: INS form and key, PID-32, strict traits.

    Args:
        emitted: the message is one the DUI sent (then an INS with a non-qualified status is a
            failure of ``EXI SI 08`` / ``RI.INS/va1.64``); False for messages the DUI receives.
    """
    findings: list[Finding] = []
    identities = []
    for segment in message.segments_named("PID"):
        identity = PatientIdentity()
        ins_places: list[str] = []
        for index, value in enumerate(message.repetitions(segment.field(3)), start=1):
            if not value:
                continue
            if _is_ins_repetition(message, value):
                findings += check_ins_cx(message, segment, 3, index, value)
                ins_places.append(location(segment, 3, index))
                value_ins = message.component(value, 1)
                if not identity.ins:
                    identity.ins = value_ins
                    identity.ins_oid = message.subcomponent(message.component(value, 4), 2)
                elif value_ins != identity.ins:
                    findings.append(
                        _finding(
                            "hl7.ins.several",
                            REQ_INS_FORM,
                            "one identity has one INS; PID-3 carries two different values",
                            f"{identity.ins} / {value_ins}",
                            "one INS value",
                            location(segment, 3, index, 1),
                            Severity.WARNING,
                        )
                    )
            else:
                identity.identifiers.append(value)
        statuses, status_findings = _statuses(message, segment, has_ins=bool(ins_places))
        identity.statuses = statuses
        findings += status_findings
        if ins_places and emitted and "QUAL" not in statuses:
            findings.append(
                _finding(
                    "hl7.ins.not-qualified",
                    REQ_INS_QUALIFIED,
                    "an INS is sent only for a qualified identity (RNIV EXI SI 08, RI.INS/va1.64)",
                    "~".join(statuses) or "no PID-32",
                    "PID-32 'QUAL' or no INS in PID-3",
                    ins_places[0],
                )
            )
        trait_findings, identity.traits = _traits(message, segment, strict=bool(ins_places))
        findings += trait_findings
        identities.append(identity)
    for segment in message.segments_named("MRG"):
        for index, value in enumerate(message.repetitions(segment.field(1)), start=1):
            if value and _is_ins_repetition(message, value):
                findings += check_ins_cx(message, segment, 1, index, value)
    return findings, identities


def _statuses(message: Er7Message, segment: Segment, *, has_ins: bool) -> tuple[tuple[str, ...], list[Finding]]:
    """PID-32: known codes, exactly one RNIV status (EXI SI 07), no douteuse/fictive with VALI/QUAL."""
    codes = [c.strip() for c in message.repetitions(segment.field(32))]
    findings: list[Finding] = []
    where = location(segment, 32)
    if not any(codes):
        findings.append(
            _finding(
                "hl7.pid32.missing",
                REQ_STATUS,
                "PID-32 carries the identity status (RNIV EXI SI 07, PAM.Fr)",
                "",
                "one of PROV, RECUP, VALI, QUAL",
                where,
            )
        )
        return (), findings
    for index, code in enumerate(codes, start=1):
        if code not in RELIABILITY_CODES:
            hint = f" ('{_SPELLINGS[code]}' in the French table 0445)" if code in _SPELLINGS else ""
            findings.append(
                _finding(
                    "hl7.pid32.unknown",
                    REQ_STATUS,
                    f"PID-32 code not in the French HL7 table 0445{hint}",
                    code,
                    "PROV, RECUP, VALI, QUAL or an attribute (DOUT, FICT, HOMD…)",
                    location(segment, 32, index),
                )
            )
    statuses = [c for c in codes if c in STATUSES]
    if len(statuses) != 1:
        severity = Severity.WARNING if not statuses and "VIDE" in codes and not has_ins else Severity.ERROR
        findings.append(
            _finding(
                "hl7.pid32.status",
                REQ_STATUS,
                "exactly one RNIV status per identity (RNIV EXI SI 07; VIDE is the pre-INS code)",
                "~".join(codes),
                "exactly one of PROV, RECUP, VALI, QUAL",
                where,
                severity,
            )
        )
    doubtful = [c for c in codes if c in ("DOUT", "FICT")]
    if doubtful and any(s in ("VALI", "QUAL") for s in statuses):
        findings.append(
            _finding(
                "hl7.pid32.attribute",
                REQ_STATUS,
                "a douteuse or fictive identity cannot be validated or qualified (guide INS rules 21, 25)",
                "~".join(codes),
                "PROV or RECUP with DOUT/FICT, or no such attribute",
                where,
            )
        )
    return tuple(codes), findings


def _traits(message: Er7Message, segment: Segment, *, strict: bool) -> tuple[list[Finding], Traits | None]:
    """PID-5 type L, PID-7, PID-8, PID-11 type BDL; all mandatory and complete when an INS is present."""
    findings: list[Finding] = []
    required = Severity.ERROR if strict else Severity.WARNING
    why = "with an INS (guide INS rule 12, RI.INS/va1.66)" if strict else "(RNIV strict trait)"
    names = message.repetitions(segment.field(5))
    legal = next(((i, n) for i, n in enumerate(names, start=1) if message.component(n, 7) == "L"), None)
    birth_name, first_name, first_names = "", "", ""
    if legal is None:
        types = ",".join(message.component(n, 7) for n in names) or "no PID-5"
        findings.append(
            _finding(
                "hl7.pid5.birth-name",
                REQ_TRAITS,
                f"a PID-5 repetition of type L carries the birth name {why}",
                types,
                "PID-5.7 'L'",
                location(segment, 5),
                required,
            )
        )
    else:
        index, value = legal
        birth_name = message.subcomponent(message.component(value, 1), 1)
        first_name, first_names = message.component(value, 2), message.component(value, 3)
        for part, number, label in ((birth_name, 1, "birth name"), (first_name, 2, "first birth first name")):
            if not part.strip():
                findings.append(
                    _finding(
                        "hl7.pid5.empty",
                        REQ_TRAITS,
                        f"{label} in PID-5.{number} {why}",
                        part,
                        "a non-empty value",
                        location(segment, 5, index, number),
                        required,
                    )
                )
        if strict and not first_names.strip():
            findings.append(
                _finding(
                    "hl7.pid5.first-names",
                    REQ_TRAITS,
                    "list of birth first names in PID-5.3 with an INS (PAM.Fr, CP-ITI-FR-2019-136)",
                    first_names,
                    "the birth first names separated by spaces",
                    location(segment, 5, index, 3),
                )
            )
        elif (
            first_names.strip()
            and first_name.strip()
            and not (first_names == first_name or first_names.startswith(first_name + " "))
        ):
            findings.append(
                _finding(
                    "hl7.pid5.first-name-list",
                    REQ_TRAITS,
                    "the first birth first name is the first of the list (guide INS rule 6)",
                    f"{first_name} / {first_names}",
                    f"PID-5.3 starting with {first_name!r}",
                    location(segment, 5, index, 3),
                )
            )
    birth = message.component(segment.field(7), 1)
    match = _DATE.match(birth)
    if match is None:
        findings.append(
            _finding(
                "hl7.pid7.birth-date",
                REQ_TRAITS,
                f"full birth date in PID-7 {why}",
                birth,
                "YYYYMMDD",
                location(segment, 7),
                required,
            )
        )
    elif strict and ("00" in (match.group(2), match.group(3))):
        findings.append(
            _finding(
                "hl7.pid7.zero",
                REQ_TRAITS,
                "an INS is never kept with 00 as birth day or month (guide INS rule 11)",
                birth,
                "a real month and day",
                location(segment, 7),
            )
        )
    sex = segment.field(8)
    allowed = ("M", "F") if strict else ("M", "F", "U", "O", "A", "N")
    if sex not in allowed:
        findings.append(
            _finding(
                "hl7.pid8.sex",
                REQ_TRAITS,
                f"administrative sex in PID-8 {why} (HL7 table 0001; INSi knows M and F)",
                sex,
                " or ".join(allowed),
                location(segment, 8),
                required if sex in ("", "U") else Severity.ERROR,
            )
        )
    place, place_findings = _birth_place(message, segment, strict=strict)
    findings += place_findings
    traits = None
    if birth_name or first_name:
        date = f"{match.group(1)}-{match.group(2)}-{match.group(3)}" if match else ""
        listed = tuple(first_names.split()) if first_names.strip() else (first_name,)
        traits = Traits(birth_name=birth_name, first_names=listed, sex=sex, birth_date=date, birth_place=place)
    return findings, traits


def _birth_place(message: Er7Message, segment: Segment, *, strict: bool) -> tuple[str | None, list[Finding]]:
    addresses = message.repetitions(segment.field(11))
    place = next(((i, a) for i, a in enumerate(addresses, start=1) if message.component(a, 7) == "BDL"), None)
    if place is None:
        if not strict:
            return None, []
        return None, [
            _finding(
                "hl7.pid11.birth-place",
                REQ_TRAITS,
                "birth place: a PID-11 repetition of type BDL "
                "with the INSEE code in PID-11.9, with an INS (RI.INS/va1.66)",
                ",".join(message.component(a, 7) for a in addresses) or "no PID-11",
                "PID-11.7 'BDL' and PID-11.9 a 5-character COG",
                location(segment, 11),
            )
        ]
    index, value = place
    code = message.component(value, 9)
    if not _COG.match(code):
        severity = Severity.ERROR if strict or code else Severity.WARNING
        return code or None, [
            _finding(
                "hl7.pid11.cog",
                REQ_TRAITS,
                "birth place INSEE (COG) code in PID-11.9",
                code,
                "5 characters, e.g. '51215', '2B020', '99100' abroad",
                location(segment, 11, index, 9),
                severity,
            )
        ]
    return code, []
