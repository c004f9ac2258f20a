"""Pure checks: bytes or values in, findings out (``harness.validators.<kind>``).

Checks register their rules (:mod:`harness.core.rules`) when their module is imported;
:func:`load_rules` imports every module of :data:`RULE_MODULES` (``dui-harness rules``; the simulators'
own rules: :mod:`mocks.common.rules`).
"""

from __future__ import annotations

import importlib

__all__ = ["RULE_MODULES", "load_rules"]

#: modules whose checks register their rules when imported
RULE_MODULES = (
    "harness.validators.insi_request",
    "harness.validators.insi_headers",
    "harness.validators.psc_request",
    "harness.validators.xds",
    "harness.validators.xds.rules",
    "harness.validators.xds.consistency",
    "harness.validators.xds.vihf",
    "harness.validators.xds.admission",
    "harness.validators.xds.dsg",
    "harness.validators.mail.mime",
    "harness.validators.mail.headers",
    "harness.validators.mail.mdn",
    "harness.validators.mail.xdm",
    "harness.validators.mail.ziparchive",
    "harness.validators.mail.pdfcopy",
    "harness.validators.mail.sender",
    "harness.validators.mail.scenario",
    "harness.validators.pdf",
    "harness.validators.pdf.pdfa",
    "harness.validators.pdf.ins_datamatrix",
    "harness.validators.fhir",
    "harness.validators.fhir.structure",
    "harness.validators.fhir.tddui",
    "harness.validators.fhir.tddui_cda",
    "harness.validators.fhir.tddui_encounter",
    "harness.validators.fhir.patient",
    "harness.validators.fhir.epresc",
    "harness.validators.fhir.sdo",
    "harness.validators.cda",
    "harness.validators.cda.self_presenting",
)


def load_rules() -> None:
    """Import every module of :data:`RULE_MODULES`, so that the rule registry is complete."""
    for name in RULE_MODULES:
        importlib.import_module(name)
