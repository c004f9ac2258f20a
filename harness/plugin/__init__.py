"""The dui-harness pytest plugin (entry point ``pytest11: dui_harness``).

* registers ``@pytest.mark.requirement("ID", ...)`` and fails collection on unknown ids;
* deselects tests outside the chosen profile (*omit*);
* labels each test for Allure (epic = service, feature = profile, story = requirement);
* attaches the exchanges of each scenario as evidence;
* classifies outcomes (fail / unreachable / error / skip) and writes the coverage matrix,
  reporting every MUST requirement of the profile that no test covered.

It stays inert in sessions without requirement-marked tests.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from harness.core.findings import NonConformity, Severity
from harness.core.recorder import Exchange
from harness.core.requirements import cached_catalog, load_profile
from harness.errors import ProfileError, SutUnreachable, UsageError
from harness.paths import profiles_dir
from harness.plugin import allure_bridge
from harness.plugin.evidence import attach_scenario, scenarios_in
from harness.plugin.fixtures import *  # noqa: F403 - every fixture of fixtures.__all__
from harness.plugin.fixtures import __all__ as FIXTURES
from harness.plugin.options import add_options, settings_from
from harness.plugin.run_record import failure_reason, write_run_record
from harness.plugin.state import STATE, PluginState
from harness.plugin.verdicts import CoverageMatrix, TestVerdict, classify

__all__ = list(FIXTURES)
pytest_plugins = ["harness.plugin.mss_usage"]  # MSSanté usage counters (reports/usage.json)

MARKER = "requirement"


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(*ids): the requirement ids (from profiles/catalog) this test proves or disproves",
    )
    config.stash[STATE] = PluginState(settings=settings_from(config))


def _requirement_ids(item: pytest.Item) -> list[str]:
    ids: list[str] = []
    for mark in item.iter_markers(name=MARKER):
        if not mark.args:
            raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.requirement needs at least one id")
        ids.extend(str(a) for a in mark.args)
    return list(dict.fromkeys(ids))


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    marked = [(item, _requirement_ids(item)) for item in items]
    marked = [(item, ids) for item, ids in marked if ids]
    if not marked:
        return
    state = config.stash[STATE]
    try:
        catalog = cached_catalog(profiles_dir())
        profile = load_profile(profiles_dir(), state.settings.profile, catalog)
    except (ProfileError, UsageError) as exc:
        raise pytest.UsageError(f"dui-harness: {exc}") from None
    unknown = [(item.nodeid, req) for item, ids in marked for req in ids if req not in catalog]
    if unknown:
        lines = "\n".join(f"  {nodeid}: unknown requirement id {req!r}" for nodeid, req in unknown)
        raise pytest.UsageError(
            "dui-harness: tests declare requirement ids that no catalog under "
            f"{profiles_dir() / 'catalog'} defines:\n{lines}"
        )
    state.catalog, state.profile = catalog, profile
    in_profile = profile.ids()
    keep: list[pytest.Item] = []
    omitted: list[pytest.Item] = []
    for item in items:
        ids = _requirement_ids(item)
        selected = [i for i in ids if i in in_profile]
        if ids and not selected:
            omitted.append(item)
            continue
        keep.append(item)
        if selected:
            state.verdicts[item.nodeid] = TestVerdict(item.nodeid, tuple(selected))
            allure_bridge.label_item(item, [catalog[i] for i in selected], profile)
    if omitted:
        state.omitted = [i.nodeid for i in omitted]
        config.hook.pytest_deselected(items=omitted)
        items[:] = keep


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    try:
        return (yield)
    finally:
        funcargs = getattr(item, "funcargs", {})
        verdict = item.config.stash[STATE].verdicts.get(item.nodeid)
        for scenario in scenarios_in(funcargs.values()):
            attach_scenario(scenario)
            if verdict is not None:
                verdict.exchanges += [e.id for e in scenario.exchanges]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    if call.excinfo is not None and isinstance(call.excinfo.value, SutUnreachable):
        # one line, not a traceback through requests/urllib3 for every test of the run
        report.longrepr = str(call.excinfo.value)
    state = item.config.stash[STATE]
    verdict = state.verdicts.get(item.nodeid)
    if verdict is not None and (report.when == "call" or report.outcome != "passed"):
        outcome = classify(call.excinfo if report.outcome != "skipped" else None, report.outcome == "skipped")
        message = str(report.longrepr)[-2000:] if report.outcome != "passed" else ""
        if report.outcome == "skipped" and isinstance(report.longrepr, tuple):
            message = str(report.longrepr[2])
        exc = call.excinfo.value if call.excinfo is not None else None
        blamed = None
        if isinstance(exc, NonConformity):
            blamed = tuple(r for r in exc.requirements if r in verdict.requirements) or None
        verdict.worsen(outcome, message, blamed, reason=failure_reason(exc, message),
                       findings=[f.as_dict() for f in exc.findings] if isinstance(exc, NonConformity) else None)
    return report


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    state = session.config.stash.get(STATE, None)
    if state is None or not state.active or state.profile is None:
        return
    settings = state.settings
    matrix = CoverageMatrix(state.profile, state.verdicts.values())
    matrix.write(settings.reports)
    write_run_record(settings.reports, state, matrix, exitstatus)
    alluredir = getattr(session.config.option, "allure_report_dir", None)
    if alluredir:
        ctx = state.context
        mode = "attended" if settings.attended else ("trigger" if settings.sut_url else "reference-dui")
        allure_bridge.write_environment(Path(alluredir), state.profile, ctx.sut_info if ctx else None, mode)
    session.config.stash[MATRIX] = matrix


MATRIX = pytest.StashKey[CoverageMatrix]()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    matrix = config.stash.get(MATRIX, None)
    if matrix is None:
        return
    tr = terminalreporter
    tr.section("dui-harness: conformité par exigence / conformity per requirement")
    width = max(len(r.id) for r in matrix.rows)
    for row in matrix.rows:
        tr.write_line(
            f"{row.verdict.upper():<12} {row.id:<{width}}  {row.level:<6} {row.service:<5} {row.title_fr[:80]}"
        )
    counts = ", ".join(f"{v} {k}" for k, v in sorted(matrix.counts().items()))
    tr.write_line(f"profile {matrix.profile.label}: {len(matrix.rows)} requirements: {counts}")
    uncovered = matrix.uncovered_must()
    if uncovered:
        tr.write_line("MUST requirements covered by no test / exigences MUST non couvertes:", red=True)
        for row in uncovered:
            tr.write_line(f"  - {row.id}: {row.title_fr}", red=True)
    state = config.stash[STATE]
    ctx = state.context
    unclaimed = ctx.recorder.unclaimed() if ctx is not None else []
    _report_unclaimed(tr, unclaimed)
    note = ctx.recorder.truncation_note() if ctx is not None else None
    if note:
        tr.write_line(note, yellow=True)
    tr.write_line(f"coverage matrix: {state.settings.reports / 'coverage-matrix.json'}")


def _report_unclaimed(tr: Any, unclaimed: list[Exchange]) -> None:
    """Exchanges no test attached as evidence (e.g. INSi calls made to prepare other scenarios).

    They are counted per service; those whose simulator recorded an ERROR finding are listed,
    because something went wrong there that no test judged.
    """
    if not unclaimed:
        return
    counts: dict[str, int] = {}
    for exchange in unclaimed:
        counts[exchange.service] = counts.get(exchange.service, 0) + 1
    summary = ", ".join(f"{service} {count}" for service, count in sorted(counts.items()))
    tr.write_line(f"exchanges not attached to any test (preparation, not judged): {summary}")
    faulty = [e for e in unclaimed if any(f.severity is Severity.ERROR for f in e.findings)]
    if faulty:
        tr.write_line("of which with findings no test judged (see reports/exchanges):", yellow=True)
        for exchange in faulty[:20]:
            first = next(f for f in exchange.findings if f.severity is Severity.ERROR)
            tr.write_line(f"  - {exchange.title}: {first}")
        if len(faulty) > 20:
            tr.write_line(f"  … and {len(faulty) - 20} more")
