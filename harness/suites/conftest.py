"""Collect only the suites of the services the run's profile selects.

A run of the ``psc`` profile needs the ``psc`` folder only: collecting (importing, rewriting)
the other suites costs about a second per run and selects nothing, since the plugin then
deselects every test whose requirements are outside the profile. Folders not listed here are
always collected, and a profile that cannot be read is left to the plugin to report.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.core.requirements import cached_catalog, load_profile
from harness.errors import HarnessError
from harness.paths import profiles_dir

HERE = Path(__file__).resolve().parent
#: suite folder -> the catalog services its tests judge (``tests/suites/test_suite_judging.py`` checks it)
SERVICES_OF: dict[str, frozenset[str]] = {
    "ins": frozenset({"INS"}),
    "psc": frozenset({"PSC"}),
    "mss": frozenset({"MSS"}),
    "mss_security": frozenset({"MSS"}),
    "mss_lps": frozenset({"MSS"}),
    "dmp": frozenset({"DMP", "CDA"}),
    "dmp_auto": frozenset({"DMP"}),
    "dmp_psc": frozenset({"DMP", "PSC"}),
    "dmp_consent": frozenset({"DMP"}),
    "doc": frozenset({"DMP", "CDA"}),
    "eparcours": frozenset({"EPARCOURS"}),
    "epresc": frozenset({"EPRESC"}),
    "hl7v2": frozenset({"HL7V2"}),
    "sdo": frozenset({"SDO"}),
}
_SERVICES = pytest.StashKey[frozenset[str] | None]()


def _profile_services(config: pytest.Config) -> frozenset[str] | None:
    if _SERVICES not in config.stash:
        spec = config.getoption("dui_profile", default=None)
        services = None
        if spec:
            try:
                profile = load_profile(profiles_dir(), str(spec), cached_catalog(profiles_dir()))
                services = frozenset(r.service for r in profile.requirements)
            except (HarnessError, OSError):
                services = None  # the plugin reports a bad profile with its own message
        config.stash[_SERVICES] = services
    return config.stash[_SERVICES]


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path.parent != HERE or collection_path.name not in SERVICES_OF:
        return None
    services = _profile_services(config)
    if services is None:
        return None
    return not (SERVICES_OF[collection_path.name] & services) or None
