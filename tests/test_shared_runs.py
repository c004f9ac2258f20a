"""``tests/shared_runs.py``: an artefact is made once per session and read back; a failed attempt leaves nothing."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.shared_runs import shared_artefact


def test_an_artefact_is_made_once_and_read_back(tmp_path_factory: pytest.TempPathFactory) -> None:
    made: list[Path] = []

    def make(folder: Path) -> dict[str, int]:
        made.append(folder)
        (folder / "out.txt").write_text("fait / made", encoding="utf-8")
        return {"code": 0}

    # when several threads ask for it at once (the lock is per open file: as separate workers would)
    results: list[tuple[Path, object]] = []
    askers = [
        threading.Thread(target=lambda: results.append(shared_artefact(tmp_path_factory, "once", make)))
        for _ in range(4)
    ]
    for asker in askers:
        asker.start()
    for asker in askers:
        asker.join(timeout=60)
    # then it was made once, and each got the same folder and the same JSON answer
    assert len(made) == 1 and len(results) == 4
    assert all(folder == made[0] and value == {"code": 0} for folder, value in results)
    assert (made[0] / "out.txt").read_text(encoding="utf-8") == "fait / made"


def test_a_failed_attempt_leaves_nothing_and_the_next_asker_makes_it(tmp_path_factory: pytest.TempPathFactory) -> None:
    def broken(folder: Path) -> int:
        (folder / "half.txt").write_text("à moitié / half", encoding="utf-8")
        raise RuntimeError("the run timed out")

    with pytest.raises(RuntimeError, match="timed out"):
        shared_artefact(tmp_path_factory, "retry", broken)
    folder, value = shared_artefact(tmp_path_factory, "retry", lambda folder: 7)
    assert value == 7 and not (folder / "half.txt").exists()
