"""Per-session plugin state, kept in ``config.stash``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from harness.core.requirements import Catalog, Profile
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
    verdicts: dict[str, TestVerdict] = field(default_factory=dict)
    omitted: list[str] = field(default_factory=list)
    context: RunContext | None = None
    started: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def active(self) -> bool:
        """True when the session collected conformance tests (requirement markers)."""
        return self.profile is not None


STATE = pytest.StashKey[PluginState]()
