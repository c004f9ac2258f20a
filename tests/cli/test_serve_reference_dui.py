"""``dui-harness serve --with-reference-dui``: the simulators and the bundled reference DUI, pointed at them.

A DUI editor starts this to see what a conformant DUI sends; tools read the reference DUI's trigger API
address from the ``ready`` event of ``--json``."""

from __future__ import annotations

from pathlib import Path

import requests

from tests.support import serve_json


def test_serve_with_the_reference_dui_names_its_trigger_api_and_it_answers(tmp_path: Path) -> None:
    # given serve on free ports with the reference DUI, JSON events for tools
    with serve_json(tmp_path, "--with-reference-dui") as (_, ready):
        # then the ready event names the reference DUI's trigger API, which answers and names itself
        assert ready["event"] == "ready" and ready["reference_dui"].startswith("http://127.0.0.1:")
        info = requests.get(ready["reference_dui"] + "/info", timeout=15)
        assert info.status_code == 200 and info.json()["name"] == "DUI de référence dui-harness"
