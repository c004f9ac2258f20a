"""Order of the project's tests: the longest set-ups first, so that parallel workers finish together.

With ``pytest-xdist`` (``python3 dev.py test``: ``-n N --dist loadfile --no-loadscope-reorder``) whole
files go to the workers in collection order; the sensitivity runs (``tests/suites/test_sensitivity.py``, about a
hundred ``dui-harness run`` invocations behind one fixture) are the longest single file, so it
starts first instead of ending the session on one busy worker while the other waits.
"""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any

import pytest

#: test files that start first, the longest first (measured with ``--durations`` on 2 cores, 2026-12-06: each
#: takes 15-190 s, mostly one real run or one long fixture); ``dev.py test`` turns off pytest-xdist's own
#: reordering (by number of tests, ``--no-loadscope-reorder``), so each worker takes the next longest file
#: when it is free and the workers finish together. A file missing here only starts later.
FIRST = (
    "tests/suites/test_sensitivity.py",
    "tests/validators/cda/test_ans_route.py",
    "tests/test_packaging.py",
    "tests/sut/test_attended_terminal.py",
    "tests/cli/test_run.py",
    "tests/cli/test_run_partial.py",
    "tests/evidence/test_project_examples.py",
    "tests/evidence/test_tampering.py",
    "tests/validators/cda/test_strucmin_rules.py",
    "tests/validators/cda/test_header_value_sets.py",
    "tests/evidence/test_review.py",
    "tests/benchmarks/test_run_quick.py",
    "tests/validators/cda/test_pack_and_official.py",
    "tests/evidence/test_usage_diff_history.py",
    "tests/plugin/test_observed_verdicts.py",
    "tests/evidence/test_project.py",
    "tests/cli/test_serve_stores.py",
)
_RANK = {path: index for index, path in enumerate(FIRST)}

#: test files that judge with the official pack's structuration minimale (``ASIP-STRUCT-MIN-StrucMin.sch``): Saxon
#: compiles it once per process (~15 s of CPU, it cannot keep the result), so these files go to ONE worker
#: together (one xdist scope, :func:`pytest_xdist_make_scheduler`) instead of costing a compilation on each
STRUCTURATION_MINIMALE = frozenset(
    {
        "tests/validators/cda/test_ans_route.py",  # the harness's compilation; the ANS pipeline's is its own
        "tests/validators/cda/test_header_value_sets.py",
        "tests/validators/cda/test_pack_and_official.py",
        "tests/validators/cda/test_examples.py",
        "tests/validators/cda/test_cli_cda.py",
        "tests/validators/cda/test_self_presenting.py",
        "tests/validators/cda/test_warmup.py",
        "tests/mocks/dmp/test_dmp_policy.py",
        "tests/mocks/mssante/test_mss_pack_judgement.py",
    }
)


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        return _RANK.get(item.nodeid.split("::", 1)[0], len(FIRST))

    items.sort(key=rank)  # stable: the rest keeps its order


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadfile`` with the :data:`STRUCTURATION_MINIMALE` files as one scope (one worker, one Saxon
    compilation); every other file is its own scope, as with xdist's own ``loadfile``."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class SharedCompilation(LoadFileScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return "structuration-minimale" if path in STRUCTURATION_MINIMALE else path

    return SharedCompilation(config, log)


# -- the sensitivity score under pytest-xdist ---------------------------------------------------
# The score (tests/suites/conftest.py) is kept in the module of the sensitivity tests, which runs in
# a worker: each worker hands it to the controller, which prints it once at the end.

_SCORE_KEY = "dui_sensitivity_score"


def _sensitivity_module() -> Any:
    return next((m for name, m in list(sys.modules.items()) if name.endswith("test_sensitivity")), None)


def pytest_sessionfinish(session: pytest.Session) -> None:
    output = getattr(session.config, "workeroutput", None)  # set on xdist workers only
    module = _sensitivity_module()
    if output is None or module is None or not hasattr(module, "SCORE"):
        return
    score = module.SCORE
    output[_SCORE_KEY] = json.dumps(
        {"clean": score["clean"], "proven": sorted(score["proven"]), "missed": score["missed"]}
    )


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    data = getattr(node, "workeroutput", {}).get(_SCORE_KEY)
    if not data:
        return
    received = json.loads(data)
    module = importlib.import_module("tests.suites.test_sensitivity")
    score = module.SCORE
    if received["clean"] is not None:
        score["clean"] = received["clean"]
    score["proven"] |= set(received["proven"])
    score["missed"] += received["missed"]
    node.config.stash[_RECEIVED] = True


_RECEIVED = pytest.StashKey[bool]()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if config.stash.get(_RECEIVED, False):  # the controller: the workers' score, printed here
        importlib.import_module("tests.suites.conftest").pytest_terminal_summary(terminalreporter)
