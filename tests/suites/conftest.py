"""The sensitivity score is printed at the end of the session."""

from __future__ import annotations

import sys
from typing import Any


def pytest_terminal_summary(terminalreporter: Any) -> None:
    module = next((m for name, m in sys.modules.items() if name.endswith("test_sensitivity")), None)
    if module is None or not hasattr(module, "SCORE"):
        return
    EXPECTED, SCORE = module.EXPECTED, module.SCORE
    if not SCORE["caught"] and not SCORE["missed"]:
        return
    total = len(EXPECTED)
    terminalreporter.section("dui-harness sensitivity / sensibilité")
    clean = "passes" if SCORE["clean"] else "FAILS"
    terminalreporter.write_line(f"clean reference DUI: {clean} the full default profile")
    terminalreporter.write_line(f"defect switches caught on their requirement: {len(SCORE['caught'])}/{total}")
    for name in SCORE["missed"]:
        terminalreporter.write_line(f"  missed: {name}", red=True)
