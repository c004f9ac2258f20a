"""The reference DUI of dui-harness: a small but real DUI implementing the trigger API.

It keeps persons in SQLite and calls the INSi teleservice (simulator) over the network with its
own SOAP client. Named defect switches (:data:`DEFECTS`) make it non-conformant on purpose, so
that the harness can show that each of its checks catches the fault it targets.

It never imports ``harness.core``, ``harness.validators`` or ``mocks.insi``: a bug there cannot
hide itself by being shared with the system under test.
"""

from __future__ import annotations

from reference_dui.config import VERSION, ReferenceDuiConfig
from reference_dui.defects import DEFECTS
from reference_dui.server import ReferenceDui

__all__ = ["DEFECTS", "VERSION", "ReferenceDui", "ReferenceDuiConfig"]
__version__ = VERSION
