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
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from harness.core.dependencies import cached_dependencies
from harness.core.findings import Blocked, NonConformity, Severity
from harness.core.official import summary_line
from harness.core.recorder import Exchange
from harness.core.requirements import cached_catalog, load_profile
from harness.errors import ProfileError, SutUnreachable, UsageError
from harness.paths import profiles_dir
from harness.plugin import allure_bridge
from harness.plugin.evidence import attach_scenario, scenarios_in
from harness.plugin.fixtures import *  # noqa: F403 - every fixture of fixtures.__all__
from harness.plugin.fixtures import __all__ as FIXTURES
from harness.plugin.options import add_options, settings_from
from harness.plugin.run_record import RunResult, build_result, failure_reason
from harness.plugin.state import STATE, PluginState
from harness.plugin.verdicts import TestVerdict, classify
from harness.plugin.writers import STAGING_PREFIX, write_outputs

__all__ = [*FIXTURES, "RESULT"]
# attended mode: which test the operator is at; Ctrl-C ends the test under way, then the run
pytest_plugins = ["harness.plugin.attended_progress", "harness.plugin.interrupt"]

#: the :class:`RunResult` of the session, once it is finished (``dui-harness run`` reads it in-process)
RESULT = pytest.StashKey[RunResult]()

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
            raise pytest.UsageError(
                f"{item.nodeid}: @pytest.mark.requirement demande au moins un identifiant / needs at least one id"
            )
        ids.extend(str(a) for a in mark.args)
    return list(dict.fromkeys(ids))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> Generator[None, Any, Any]:
    """Record the PLANNED tests of the profile before any other plugin deselects (``-k``, ``-m``,
    ``--deselect`` are applied by pytest's own hooks, which run inside this wrapper), then which
    of them remain selected."""
    _plan(config, items)
    try:
        return (yield)
    finally:
        state = config.stash[STATE]
        if state.active:
            state.selected = {item.nodeid for item in items}
            state.selection = _selection(config)
            _describe(state, items)


def _selection(config: pytest.Config) -> str:
    """How the planned tests were filtered, in the words of the command line."""
    opt = config.option
    parts = []
    if getattr(opt, "keyword", ""):
        parts.append(f"-k {opt.keyword}")
    if getattr(opt, "markexpr", ""):
        parts.append(f"-m {opt.markexpr}")
    if getattr(opt, "deselect", None):
        parts.append(f"--deselect ×{len(opt.deselect)}")
    return ", ".join(parts)


def _describe(state: PluginState, items: list[pytest.Item]) -> None:
    """The Allure description of each selected conformance test (its docstrings and requirements)."""
    if state.catalog is None:
        return
    for item in items:
        verdict = state.verdicts.get(item.nodeid)
        if verdict is not None:
            allure_bridge.describe_item(item, [state.catalog[i] for i in verdict.requirements])


def _plan(config: pytest.Config, items: list[pytest.Item]) -> None:
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
        lines = "\n".join(f"  {nodeid}: exigence inconnue / unknown requirement id {req!r}" for nodeid, req in unknown)
        raise pytest.UsageError(
            "dui-harness: des tests citent des exigences qu'aucun catalogue ne définit / tests declare requirement ids "
            f"that no catalog under {profiles_dir() / 'catalog'} defines:\n{lines}"
        )
    try:
        state.dependencies = cached_dependencies(profiles_dir(), catalog)
    except ProfileError as exc:
        raise pytest.UsageError(f"dui-harness: {exc}") from None
    state.catalog, state.profile = catalog, profile
    # the CDA model versions the profile pins travel with the run's pack (RunSettings.cda)
    state.settings = replace(state.settings, cda_model_versions=profile.cda_model_versions)
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
    exc = call.excinfo.value if call.excinfo is not None else None
    if isinstance(exc, SutUnreachable):
        # one line, not a traceback through requests/urllib3 for every test of the run
        report.longrepr = str(exc)
    state = item.config.stash[STATE]
    verdict = state.verdicts.get(item.nodeid)
    if verdict is not None and (report.when == "call" or report.outcome != "passed"):
        outcome = classify(call.excinfo if report.outcome != "skipped" else None, report.outcome == "skipped")
        message = str(report.longrepr)[-2000:] if report.outcome != "passed" else ""
        if report.outcome == "skipped" and isinstance(report.longrepr, tuple):
            message = str(report.longrepr[2])
        blamed = None
        if isinstance(exc, NonConformity):
            blamed = tuple(r for r in exc.requirements if r in verdict.requirements) or None
        verdict.record(
            outcome,
            message,
            blamed,
            reason=failure_reason(exc, message),
            findings=[f.as_dict() for f in exc.findings] if isinstance(exc, NonConformity) else None,
            blocking=tuple(exc.blocking) if isinstance(exc, Blocked) else (),
        )
    if state.stopped and not item.session.shouldstop:
        item.session.shouldstop = state.stopped  # the run cannot go on (DUI unreachable, simulators down)
    return report


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Build the run's result after every teardown (session fixtures included), and write it.

    Ctrl-C (KeyboardInterrupt) ends the session here too: what was observed is kept, the tests
    that did not run make their requirements *not judged*, and the run is marked interrupted.
    """
    state = session.config.stash.get(STATE, None)
    if state is None or not state.active or state.profile is None:
        return
    if exitstatus == pytest.ExitCode.INTERRUPTED and not session.shouldstop:
        state.interrupted = True
    if session.shouldfail and not state.stopped:
        state.stopped = f"{session.shouldfail} (--maxfail / -x)"
    result = build_result(state, exitstatus)
    alluredir = getattr(session.config.option, "allure_report_dir", None)
    write_outputs(result, state.settings.reports, Path(alluredir) if alluredir else None)
    session.config.stash[RESULT] = result


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    result = config.stash.get(RESULT, None)
    if result is None:
        return
    tr = terminalreporter
    matrix = result.matrix
    tr.section("dui-harness: conformité par exigence / conformity per requirement")
    overall = result.overall
    tr.write_line(
        f"VERDICT DUI: {overall.label()}",
        bold=True,
        red=overall.verdict != "conforme",
        green=overall.verdict == "conforme",
    )
    width = max(len(r.id) for r in matrix.rows)
    for row in matrix.rows:
        why = f"  [{row.reason[:100]}]" if row.verdict in ("blocked", "not-judged") and row.reason else ""
        tr.write_line(
            f"{row.verdict.upper():<12} {row.id:<{width}}  {row.level:<6} {row.service:<5} {row.title_fr}{why}"
        )
    counts = ", ".join(f"{v} {k}" for k, v in sorted(matrix.counts().items()))
    tr.write_line(f"profile {matrix.profile.label}: {len(matrix.rows)} requirements: {counts}")
    done = result.completeness()
    tr.write_line(
        f"tests: {done['ran']} of {done['planned']} planned ran"
        + (" — PARTIAL / PARTIEL: " + "; ".join(matrix.partial_reasons) if result.partial else "")
    )
    official = summary_line(matrix.official())
    if official:
        tr.write_line(official)
    uncovered = matrix.uncovered_must()
    if uncovered:
        tr.write_line("MUST requirements covered by no test / exigences MUST non couvertes:", red=True)
        for row in uncovered:
            tr.write_line(f"  - {row.id}: {row.title_fr}", red=True)
    if result.mss_usage is not None:
        c = result.mss_usage
        tr.write_line(
            f"usage MSSanté: messages envoyés / messages sent: {c['messages_sent']} "
            f"(professionnels / professionals: {c['messages_to_professionals']}, "
            f"usagers / patients: {c['messages_to_patients']}); "
            f"accusés / acknowledgements: {c['acknowledgements_sent']}"
        )
    state = config.stash[STATE]
    ctx = state.context
    unclaimed = ctx.recorder.unclaimed() if ctx is not None else []
    _report_unclaimed(tr, unclaimed)
    note = ctx.recorder.truncation_note() if ctx is not None else None
    if note:
        tr.write_line(note, yellow=True)
    if not state.settings.reports.name.startswith(STAGING_PREFIX):  # dui-harness run prints the final place
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
