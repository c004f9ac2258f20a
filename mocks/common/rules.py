"""The rules the simulators judge themselves (security layers, endpoints), beside the validators'.

:func:`load_rules` imports :data:`harness.validators.RULE_MODULES` and :data:`RULE_MODULES`, so that
the rule registry (:mod:`harness.core.rules`, ``dui-harness rules``) is complete.
"""

from __future__ import annotations

import importlib

from harness.validators import load_rules as load_validator_rules

__all__ = ["RULE_MODULES", "load_rules"]

#: simulator modules whose checks register their rules when imported
RULE_MODULES = (
    "mocks.dmp.app",
    "mocks.dmp.vihf",
    "mocks.dmp.webps",
    "mocks.fhir.epresc_shape",
    "mocks.mssante.recording",
    "mocks.mssante.auth_record",
    "mocks.psc.authorize",
    "mocks.psc.token_endpoint",
    "mocks.psc.ciba",
    "mocks.psc.session_endpoints",
    "mocks.dmp.access",
    "mocks.sdo.judge",
)


def load_rules() -> None:
    """Import every module registering rules: the validators' and the simulators'."""
    load_validator_rules()
    for name in RULE_MODULES:
        importlib.import_module(name)
