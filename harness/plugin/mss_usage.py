"""MSSanté usage counters of a run (ESMS numérique usage criteria), over the run's recorder.

The counting itself is :func:`harness.evidence.usage.mss_counters`, the same function
``dui-harness usage`` applies to the recorded exchanges of a reports folder or a bundle, so
that ``reports/usage.json`` and ``dui-harness usage`` always give the same figures.
"""

from __future__ import annotations

from harness.core.recorder import Recorder
from harness.evidence.usage import mss_counters

__all__ = ["mss_usage"]

SERVICE = "MSS"


def mss_usage(recorder: Recorder) -> dict[str, int]:
    """The counters over the MSSanté SMTP exchanges of ``recorder``."""
    return mss_counters(e.as_dict() for e in recorder.exchanges(service=SERVICE, transaction="SMTP"))
