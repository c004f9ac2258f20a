"""Per-session plugin state, kept in ``config.stash``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from harness.core.dependencies import Dependency
from harness.core.requirements import Catalog, Profile
from harness.core.verdicts import NOT_RUN, UNREACHABLE
from harness.plugin.options import RunSettings
from harness.plugin.verdicts import TestVerdict

if TYPE_CHECKING:
    from harness.plugin.session import RunContext

__all__ = ["STATE", "PluginState"]


@dataclass
class PluginState:
    settings: RunSettings
    catalog: Catalog | None = None
    profile: Profile | None = None
    #: ``profiles/catalog/dependencies.csv``, loaded (and checked) at collection
    dependencies: list[Dependency] = field(default_factory=list)
    #: every PLANNED test of the profile (before -k / -m / --deselect), by node id, in collection order
    verdicts: dict[str, TestVerdict] = field(default_factory=dict)
    omitted: list[str] = field(default_factory=list)
    #: node ids left after every deselection (None until collection ends)
    selected: set[str] | None = None
    #: how the planned tests were filtered, e.g. ``-k td02``
    selection: str = ""
    #: Ctrl-C (KeyboardInterrupt, SIGINT) ended the session
    interrupted: bool = False
    #: why the session stopped early (the DUI unreachable at start, --maxfail / -x)
    stopped: str = ""
    #: the verdict of the tests not run because of ``stopped`` (unreachable), not-run otherwise
    stopped_verdict: str = NOT_RUN
    context: RunContext | None = None
    started: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def active(self) -> bool:
        """True when the session collected conformance tests (requirement markers)."""
        return self.profile is not None

    def why_not_run(self, nodeid: str) -> tuple[str, str]:
        """``(reason, verdict)`` for a planned test that has no outcome."""
        if self.selected is not None and nodeid not in self.selected:
            return f"désélectionné / deselected ({self.selection or 'filter'})", NOT_RUN
        if self.stopped:
            verdict = self.stopped_verdict if self.stopped_verdict == UNREACHABLE else NOT_RUN
            return f"exécution arrêtée / run stopped: {self.stopped}", verdict
        if self.interrupted:
            return "exécution interrompue / run interrupted (Ctrl-C)", NOT_RUN
        return "non exécuté / not run (session ended before it)", NOT_RUN


STATE = pytest.StashKey[PluginState]()
