"""``dui-harness validate mail FILE.eml...``: the JSON contract, exit codes and unreadable input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.cli.conftest import CliRun
from tests.mocks.mssante.conftest import vsm_message

Cli = Callable[..., CliRun]
SENDER = "dui.reference@ehpad-essai.mssante.fr"


def _eml(tmp_path: Path, name: str, raw: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(raw)
    return str(path)


def test_valid_and_invalid_messages_in_one_call(cli: Cli, tmp_path: Path) -> None:
    # given a conformant document message and the same without X-MSS-NIL
    good = vsm_message(SENDER, "jean.medecin-essai@chu-essai.mssante.fr").raw
    bad = good.replace(b"X-MSS-NIL:", b"X-Other:")
    run = cli("validate", "mail", _eml(tmp_path, "good.eml", good), _eml(tmp_path, "bad.eml", bad), "--json")
    # then the JSON contract lists both, the second with its requirement, and the exit code is 1
    assert run.code == 1
    results = json.loads(run.out)["results"]
    assert [(r["kind"], r["valid"]) for r in results] == [("mail", True), ("mail", False)]
    assert {f["requirement"] for f in results[1]["findings"]} == {"SC.MSS/CONF.16"}
    assert set(results[1]["findings"][0]) == {"rule", "requirement", "severity", "location", "message"}


def test_a_valid_message_exits_0_in_text(cli: Cli, tmp_path: Path) -> None:
    raw = vsm_message(SENDER, "secretariat.geriatrie@chu-essai.mssante.fr", ack=True).raw
    run = cli("validate", "mail", _eml(tmp_path, "ok.eml", raw))
    assert run.code == 0 and run.out.startswith("VALID    mail")


def test_missing_file_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    run = cli("validate", "mail", str(tmp_path / "absent.eml"))
    assert run.code == 2 and "no such file" in run.err
