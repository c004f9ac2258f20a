"""The DMP feature's defect switches that change what it sends, kept out of the main flow.

Each function returns what the conformant DUI uses unless its ``dmp_*`` switch is on (see
:mod:`reference_dui.defects`); the service calls them at the one place the value is chosen.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import replace
from pathlib import Path

from reference_dui.dmp.cda import KINDS, ORGANISATION, Kind, Patient
from reference_dui.dmp.client import DmpEndpoint
from reference_dui.store import PersonRecord

__all__ = [
    "endpoint_for",
    "kind_for",
    "left_pending",
    "resource_id",
    "unqualified_patient",
    "vihf_signing",
    "vihf_without",
]


def endpoint_for(endpoint: DmpEndpoint, defects: Set[str]) -> DmpEndpoint:
    """``dmp_no_client_cert``: calls the DMP over TLS without the organisation's certificate."""
    if "dmp_no_client_cert" in defects:
        return replace(endpoint, client_cert=None, client_key=None)
    return endpoint


def vihf_signing(endpoint: DmpEndpoint, defects: Set[str]) -> tuple[Path, Path] | None:
    """``dmp_vihf_unsigned``: the VIHF assertion goes out without its XML-DSIG signature."""
    return None if "dmp_vihf_unsigned" in defects else endpoint.signing


def vihf_without(defects: Set[str]) -> tuple[str, ...]:
    """``dmp_vihf_no_role``: the VIHF lacks the professional's role attribute."""
    return ("urn:oasis:names:tc:xacml:2.0:subject:role",) if "dmp_vihf_no_role" in defects else ()


def resource_id(patient: Patient, defects: Set[str]) -> str:
    """``dmp_vihf_resource_local_id``: the VIHF resource-id carries the local IPP, not the INS."""
    return patient.local_id if "dmp_vihf_resource_local_id" in defects else patient.ins


def kind_for(name: str, defects: Set[str]) -> Kind:
    """``dmp_ppa_wrong_code``: the PPA is written (CDA and metadata) with the LOINC code of a synthesis."""
    kind = KINDS[name]
    if name == "PPA" and "dmp_ppa_wrong_code" in defects:
        return replace(kind, code="34133-9", display="Synthèse")
    return kind


def unqualified_patient(record: PersonRecord, person_id: str) -> Patient:
    """``dmp_publish_unqualified``: feeds the DMP for an identity that is not qualified (its INS or local IPP)."""
    t = record.traits
    ins, oid = (
        (record.ins.value, record.ins.oid)
        if record.ins is not None
        else (record.local_id or person_id, f"1.2.250.1.213.1.1.9.{ORGANISATION['struct']}")
    )
    return Patient(
        ins, oid, t.birth_name, tuple(t.first_names), t.sex, t.birth_date, t.birth_place, record.local_id or person_id
    )


def left_pending(kind: str, defects: Set[str]) -> bool:
    """``dmp_dlu_status_not_updated`` / ``dmp_n1_status_not_updated``: an accepted document stays 'pending'."""
    return (kind == "DLU" and "dmp_dlu_status_not_updated" in defects) or (
        kind == "N1" and "dmp_n1_status_not_updated" in defects
    )
