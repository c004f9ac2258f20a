"""Embedded rules on the patient's INS in ``recordTarget`` (requirement CDA-INS-01).

From the volet Structuration minimale (rule ``SMDS_CDAClinicalDocument``: "Dans le cadre de
l'INS, les traits de l'INS … sont obligatoires"; rule ``CI-SISRecordTarget``: the ``qualifier``
of ``family`` and ``given`` is ``BR`` (birth) or ``CL`` (used, RNIV)) and the Référentiel INS
(OIDs ``1.2.250.1.213.1.4.8``/``.9``/``.10``/``.11``, key = 97 − NIR mod 97).
"""

from __future__ import annotations

from lxml import etree

from harness.core.findings import Finding
from harness.core.ins import INS_OIDS, parse_ins
from harness.core.rules import rule
from harness.validators.cda.common import xp

__all__ = ["REQ_INS", "check_ins"]

REQ_INS = "CDA-INS-01"
PATIENT_ROLE = "/ClinicalDocument/recordTarget/patientRole"
_TRAITS_MESSAGE = (
    "Dans le cadre de l'INS, les traits de l'INS (Nom de naissance, premier prénom, prénoms, date de "
    "naissance, lieu de naissance (COG) et sexe) sont obligatoires"
)


def _ins_ids(root: etree._Element) -> list[etree._Element]:
    return [i for i in xp(root, "cda:recordTarget/cda:patientRole/cda:id") if i.get("root") in INS_OIDS]


@rule("cda.ins.format", requirement=REQ_INS, summary="the INS of recordTarget has an extension of the INS format")
@rule("cda.ins.key", requirement=REQ_INS, summary="the INS key is 97 − NIR mod 97")
def _key(identifier: etree._Element) -> list[Finding]:
    value, oid = identifier.get("extension", ""), identifier.get("root", "")
    where = f"{PATIENT_ROLE}/id"
    if identifier.get("nullFlavor") or not value:
        return [
            Finding(
                "cda.ins.format",
                REQ_INS,
                f"the INS id (root {oid}) has no extension (nullFlavor forbidden)",
                location=where,
            )
        ]
    try:
        if not parse_ins(value, oid).key_is_valid:
            return [Finding("cda.ins.key", REQ_INS, f"INS {value} has a wrong key (97 − NIR mod 97)", location=where)]
    except ValueError as exc:
        return [Finding("cda.ins.format", REQ_INS, f"INS {value!r}: {exc}", location=where)]
    return []


@rule("cda.ins.traits", requirement=REQ_INS, summary="the strict identity traits go with the INS")
def _traits(patient: etree._Element) -> list[Finding]:
    traits = {
        "name/family[@qualifier='BR'] (nom de naissance)": "cda:name/cda:family[@qualifier='BR'][normalize-space()]",
        "name/given[@qualifier='BR'] (premier prénom de naissance)": "cda:name/cda:given[@qualifier='BR'][normalize-space()]",  # noqa: E501
        "name/given (prénoms de naissance)": "cda:name/cda:given[not(@qualifier)][normalize-space()]",
        "administrativeGenderCode": "cda:administrativeGenderCode[@code]",
        "birthTime": "cda:birthTime[@value]",
        "birthplace/place/addr/county (lieu de naissance, COG)": "cda:birthplace/cda:place/cda:addr/cda:county[normalize-space()]",  # noqa: E501
    }
    return [
        Finding(
            "cda.ins.traits",
            REQ_INS,
            f"{_TRAITS_MESSAGE}: {label} is missing",
            location=f"{PATIENT_ROLE}/patient/{label.split(' ')[0]}",
        )
        for label, path in traits.items()
        if not xp(patient, path)
    ]


@rule("cda.ins.qualifier", requirement=REQ_INS, summary="family and given qualifiers are BR or CL")
def _qualifiers(root: etree._Element) -> list[Finding]:
    names = "cda:recordTarget/cda:patientRole/cda:patient/cda:name"
    wrong = xp(
        root,
        f"{names}/cda:given[@qualifier and not(@qualifier='BR' or @qualifier='CL')]"
        f" | {names}/cda:family[@qualifier and not(@qualifier='BR' or @qualifier='CL')]",
    )
    return [
        Finding(
            "cda.ins.qualifier",
            REQ_INS,
            f"{etree.QName(e).localname}@qualifier={e.get('qualifier')!r}: "
            "only 'BR' (acte de naissance) or 'CL' (nom / prénom utilisé) are allowed (RNIV)",
            location=f"{PATIENT_ROLE}/patient/name/{etree.QName(e).localname}",
        )
        for e in wrong
    ]


def check_ins(root: etree._Element) -> list[Finding]:
    """INS rules: valid key and OID; when an INS is present the five strict traits are mandatory."""
    found = _qualifiers(root)
    identifiers = _ins_ids(root)
    if not identifiers:
        return found
    for identifier in identifiers:
        found += _key(identifier)
    patient = xp(root, "cda:recordTarget/cda:patientRole/cda:patient")
    if patient:
        found += _traits(patient[0])
    return found
