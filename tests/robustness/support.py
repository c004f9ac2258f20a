"""Shared helpers of the robustness campaign: resident memory, hypothesis settings, a normal request."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, settings

#: modest example counts, no deadline (2 shared cores): the whole campaign stays within a minute or two
FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
#: for cases that cross a real socket
FUZZ_NET = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def rss_mb() -> float:
    """Current resident memory of this process (VmRSS), in MB (0 where /proc is absent)."""
    status = Path("/proc/self/status")
    if not status.exists():
        return 0.0
    for line in status.read_text(encoding="ascii", errors="replace").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
