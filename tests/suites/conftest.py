"""The sensitivity score is printed at the end of the session."""

from __future__ import annotations

import sys
from typing import Any


def pytest_terminal_summary(terminalreporter: Any) -> None:
    module = next((m for name, m in sys.modules.items() if name.endswith("test_sensitivity")), None)
    if module is None or not hasattr(module, "SCORE"):
        return
    score = module.SCORE
    if score["clean"] is None and not score["proven"] and not score["missed"]:
        return
    testable = score["testable"] or module.must_be_tested()
    exempt = score["exempt"] or module.exemptions()
    proven = score["proven"] & testable
    write = terminalreporter.write_line
    terminalreporter.section("dui-harness sensitivity / sensibilité")
    write(f"clean reference DUI: {'passes' if score['clean'] else 'FAILS'} the full default profile")
    write(f"testable MUST requirements with a proven defect switch: {len(proven)}/{len(testable)}")
    for req in sorted(testable - proven):
        reason = f"exempt: {exempt[req]}" if req in exempt else "no switch proven in this run"
        write(f"  without: {req} ({reason})", red=req not in exempt)
    for name in score["missed"]:
        write(f"  switch not exact: {name}", red=True)
    setup = score.get("setup") or {}
    if setup:
        how = "each switch on its scope" if setup["scoped"] else "each switch on its whole service profile"
        write(f"set-up: {setup['runs']} runs ({how}), {setup['wall']:.0f} s wall, {setup['cpu']:.0f} s CPU")
