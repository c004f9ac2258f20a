"""Order of the project's tests: the longest set-ups first, so that parallel workers finish together.

With ``pytest-xdist`` (``python3 dev.py test``: ``-n 2 --dist loadfile``) whole files go to the
workers in collection order; the sensitivity runs (``tests/suites/test_sensitivity.py``, about a
hundred ``dui-harness run`` invocations behind one fixture) are the longest single file, so it
starts first instead of ending the session on one busy worker while the other waits.
"""

from __future__ import annotations

import pytest

#: test files that start first (their one fixture is most of the suite's CPU time)
FIRST = ("tests/suites/test_sensitivity.py",)


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return 0 if path in FIRST else 1

    items.sort(key=rank)  # stable: the rest keeps its order
