"""The project's own test scheduling (``tests/conftest.py``): the longest files first, the files that need the
official structuration minimale on one pytest-xdist worker."""

from __future__ import annotations

from typing import Any

import pytest

from tests import conftest
from tests.support import REPO_ROOT


def test_the_listed_files_exist() -> None:
    # a renamed or removed file would silently lose its place (FIRST) or its shared compilation
    for path in (*conftest.FIRST, *conftest.STRUCTURATION_MINIMALE):
        assert (REPO_ROOT / path).is_file(), path


def test_the_structuration_minimale_files_are_one_scope_and_the_others_one_scope_each(
    pytestconfig: pytest.Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("xdist")

    class Config:  # what xdist's scheduler reads of the configuration
        def __init__(self, dist: str) -> None:
            self.dist = dist

        def getvalue(self, name: str) -> Any:
            return {"dist": self.dist, "tx": ["3*popen"]}.get(name, pytestconfig.getvalue(name))

        def getoption(self, name: str, default: Any = None) -> Any:
            return self.getvalue(name)

    assert conftest.pytest_xdist_make_scheduler(Config("load"), None) is None  # type: ignore[arg-type]  # other modes: xdist's own
    scheduler = conftest.pytest_xdist_make_scheduler(Config("loadfile"), None)  # type: ignore[arg-type]
    one, other = sorted(conftest.STRUCTURATION_MINIMALE)[:2]
    assert scheduler._split_scope(f"{one}::test_a") == scheduler._split_scope(f"{other}::test_b[x]")
    assert scheduler._split_scope("tests/test_services.py::test_c") == "tests/test_services.py"
    assert scheduler._split_scope("tests/test_services.py::test_c") != scheduler._split_scope(f"{one}::test_a")
