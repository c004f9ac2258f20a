"""Check one INS value (15 characters) and its assigning authority OID.

Rules and sources (``shared/research/french-specs.md`` §1.1–1.2 unless noted):

==================  ==========  ========  ===================================================
rule                requirement severity  what
==================  ==========  ========  ===================================================
``ins.length``      INS-KEY-01  error     15 characters once spaces are removed [V]
``ins.pattern``     INS-KEY-01  error     NIR ``\\d{6}[A-Za-z0-9]\\d{6}`` (INSi XSD), key two
                                          digits, a letter only as Corsica's 2A/2B [V]
``ins.key``         INS-KEY-01  error     key = 97 − (NIR mod 97), 2A→19, 2B→18 [V]
``ins.sex``         INS-KEY-01  error     first digit 0, 5, 6 or 9: no NIR nor NIA starts so
``ins.sex``         INS-KEY-01  warning   first digit 3, 4, 7 or 8 under a NIR OID
``ins.month``       INS-KEY-01  error     month 00 or 13–19
``ins.oid.missing`` INS-OID-01  error     an OID was expected (e.g. an INSi ``OID`` element)
``ins.oid.ins-c``   INS-OID-01  error     the old INS-C OID ``1.2.250.1.213.1.4.2`` [V]
``ins.oid.unknown`` INS-OID-01  error     not one of ``.8`` NIR, ``.9`` NIA, ``.10`` test,
                                          ``.11`` demonstration [V]
==================  ==========  ========  ===================================================

Sex digit and month: french-specs §1.2 gives the layout (sex, year, month, department,
commune, order) as *not re-verified*, and the INSi XSD accepts any digit. The public NIR
definition (service-public.fr, DILA, "Que signifie le numéro de sécurité sociale ?") gives
sex 1 (man) / 2 (woman) and the birth month. The values 3, 4, 7 and 8 are the INSEE/CNAV
convention for NIA and temporary numbers, which ``harness.core.ins.NIR_STRICT_PATTERN``
(``[1-478]``) already encodes; no primary ANS artefact in our corpus confirms them, so they are
a *warning* under a NIR OID and accepted under the NIA OID ``.9``. A NIA may also look exactly
like a NIR: the verified INSi fixture ``TEST_2.05.xml`` returns ``1090763220888`` under ``.9``.
Months 20 and above are accepted: INSEE gives "fictitious" months to people whose birth month
is unknown (20–42, and higher values in some series); refusing them would fail real INS.
No description uses 00 or 13–19, so those are errors.
"""

from __future__ import annotations

import re

from harness.core.findings import Finding, Severity
from harness.core.ins import INS_OIDS, NIR_PATTERN, OID_INS_C, OID_INS_NIA, ins_key

__all__ = ["REQ_KEY", "REQ_OID", "normalize_oid", "validate_ins", "validate_oid"]

REQ_KEY = "INS-KEY-01"
REQ_OID = "INS-OID-01"

_KEY = re.compile(r"^[0-9]{2}$")
_NIR_SEX = "12"
_NIA_SEX = "3478"


def validate_ins(value: str, oid: str | None = None, location: str = "") -> list[Finding]:
    """Check an INS value and, when given, its assigning authority OID.

    Args:
        value: the 15-character INS (13 of NIR or NIA, 2 of key); spaces are ignored.
        oid: the assigning authority OID stored or sent with it (``urn:oid:`` prefix allowed).
            ``None`` skips the OID checks; an empty string means "expected but missing".
        location: where the value was read (``file:line``, an XPath), copied into findings.

    Returns:
        The findings, empty when the value and its OID are valid.

    Example:
        >>> validate_ins("2751263220749 74", "1.2.250.1.213.1.4.8")
        []
        >>> [f.rule for f in validate_ins("181036322045660")]
        ['ins.key']
    """
    findings = _value_findings(value, normalize_oid(oid) if oid is not None else None, location)
    if oid is not None:
        findings += validate_oid(oid, location)
    return findings


def normalize_oid(oid: str) -> str:
    """Strip spaces and a ``urn:oid:`` prefix (FHIR ``system`` form)."""
    oid = oid.strip()
    return oid[len("urn:oid:") :] if oid.lower().startswith("urn:oid:") else oid


def validate_oid(oid: str, location: str = "") -> list[Finding]:
    """Check that ``oid`` is one of the four INS assigning authorities (requirement INS-OID-01)."""
    norm = normalize_oid(oid)
    if not norm:
        return [_oid_finding("ins.oid.missing", "the INS has no assigning authority OID", location)]
    if norm == OID_INS_C:
        return [
            _oid_finding(
                "ins.oid.ins-c",
                f"OID {norm} is the old calculated INS (INS-C), which must no longer be stored or sent",
                location,
            )
        ]
    if norm not in INS_OIDS:
        known = ", ".join(f"{o} ({label})" for o, label in INS_OIDS.items())
        return [_oid_finding("ins.oid.unknown", f"OID {norm!r} is not an INS authority; expected {known}", location)]
    return []


def _value_findings(value: str, oid: str | None, location: str) -> list[Finding]:
    compact = re.sub(r"\s+", "", value)
    if len(compact) != 15:
        return [
            _key_finding(
                "ins.length",
                f"an INS has 15 characters (13 of NIR or NIA, 2 of key); {compact!r} has {len(compact)}",
                location,
            )
        ]
    nir, key = compact[:13].upper(), compact[13:]
    if not NIR_PATTERN.match(nir) or not _KEY.match(key):
        return [
            _key_finding(
                "ins.pattern",
                f"{compact!r} is not 13 characters \\d{{6}}[A-Za-z0-9]\\d{{6}} followed by a 2-digit key",
                location,
            )
        ]
    try:
        expected = ins_key(nir)
    except ValueError:
        return [
            _key_finding(
                "ins.pattern",
                f"NIR {nir!r} has a letter outside Corsica's department codes 2A/2B (characters 6–7)",
                location,
            )
        ]
    findings = []
    if expected != int(key):
        findings.append(
            _key_finding(
                "ins.key",
                f"key {key} does not match NIR {nir}: 97 − (NIR mod 97) = {expected:02d}"
                + (" (Corsica: 2A read as 19, 2B as 18)" if nir[5:7] in ("2A", "2B") else ""),
                location,
            )
        )
    findings += _layout_findings(nir, oid, location)
    return findings


def _layout_findings(nir: str, oid: str | None, location: str) -> list[Finding]:
    findings = []
    sex = nir[0]
    if sex not in _NIR_SEX + _NIA_SEX:
        findings.append(
            _key_finding(
                "ins.sex",
                f"NIR {nir} starts with {sex}: a NIR starts with 1 or 2 (3, 4, 7, 8 for a NIA)",
                location,
            )
        )
    elif sex in _NIA_SEX and oid != OID_INS_NIA:
        findings.append(
            _key_finding(
                "ins.sex",
                f"NIR {nir} starts with {sex}, the layout of a NIA or temporary number, but it is not "
                f"under the INS-NIA OID {OID_INS_NIA}",
                location,
                Severity.WARNING,
            )
        )
    month = int(nir[3:5])
    if month == 0 or 13 <= month <= 19:
        findings.append(
            _key_finding(
                "ins.month",
                f"NIR {nir} has birth month {nir[3:5]}: expected 01–12, or 20 and above for a fictitious month",
                location,
            )
        )
    return findings


def _key_finding(rule: str, message: str, location: str, severity: Severity = Severity.ERROR) -> Finding:
    return Finding(rule=rule, requirement=REQ_KEY, message=message, severity=severity, location=location)


def _oid_finding(rule: str, message: str, location: str) -> Finding:
    return Finding(rule=rule, requirement=REQ_OID, message=message, location=location)
