"""The API LPS scenarios wait for what they need (issue 18): a DUI that said it sent and read is not watched
longer, the expiry is counted from the login's answer, and the per-org scenarios are played as far as asked."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest

from harness.core.recorder import Exchange, Recorder
from harness.errors import HarnessCheckError
from harness.plugin.evidence import Scenario
from harness.suites.mss_lps import scenarios
from harness.suites.mss_lps.scenarios import AFTER_EXPIRY, EXPIRING_LIFETIME, PerOrgRuns, per_org_steps
from harness.sut.driver import SutDriver


class WatchedRecorder(Recorder):
    """A recorder that notes each wait instead of waiting."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float] = []

    def wait_for(self, predicate: Any = None, /, *, timeout: float = 30.0, **kwargs: Any) -> list[Exchange]:
        self.waits.append(timeout)
        return []


@pytest.mark.parametrize(
    "answer",
    [
        {"outcome": "sent"},
        {"outcome": "read", "messages": 3, "unread": 1},
        {"status": "sent", "message_id": "<1@esms.mssante.fr>"},  # sendMssDocument
        {"messages": []},  # fetchMssMail: what it read, even nothing
    ],
)
def test_a_dui_that_said_it_sent_and_read_is_not_watched_longer(answer: dict[str, Any]) -> None:
    recorder = WatchedRecorder()
    scenario = scenarios._scenario("s", recorder, recorder.mark(), {"send": answer, "fetch": answer}, settle=2.0)
    assert recorder.waits == []
    assert scenario.data["send"] == answer


@pytest.mark.parametrize(
    "answer",
    [
        {"outcome": "not_connected"},
        {"outcome": "error", "error": "the operator ended the session"},
        {"status": "not_sent", "reason": "refusal"},
        {"status": "error"},
        {"outcome": "error", "trigger_error": True},
        {},
    ],
)
def test_a_dui_that_did_not_say_it_was_done_gets_the_whole_settle_window(answer: dict[str, Any]) -> None:
    recorder = WatchedRecorder()
    scenarios._scenario("s", recorder, recorder.mark(), {"send": answer, "fetch": {"messages": []}}, settle=2.0)
    assert recorder.waits == [2.0]


def test_the_scenarios_are_played_in_order_as_far_as_asked() -> None:
    played: list[str] = []

    def steps() -> Any:
        for name in ("nominal", "operator-ended", "auth-error", "expired"):
            played.append(name)
            yield name, Scenario(name=name)

    runs = PerOrgRuns(steps())
    assert runs.get("operator-ended") is not None
    assert played == ["nominal", "operator-ended"]
    assert runs.get("nominal") is not None and played == ["nominal", "operator-ended"]  # played once
    assert runs.get("logout") is None  # the play ended before it
    assert played == ["nominal", "operator-ended", "auth-error", "expired"]


def test_a_fault_while_playing_is_raised_to_every_later_test() -> None:
    def steps() -> Any:
        yield "nominal", Scenario(name="nominal")
        raise HarnessCheckError("simulator gone")

    runs = PerOrgRuns(steps())
    assert runs.get("nominal") is not None
    for _ in range(2):
        with pytest.raises(HarnessCheckError, match="simulator gone"):
            runs.get("expired")


class _Clock:
    """``time.monotonic`` and ``time.sleep`` of the scenarios: a slow PSC login moves it on."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_the_token_expiry_is_counted_from_the_logins_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = _Clock()
    monkeypatch.setattr(scenarios, "time", clock)

    def connect(professional: str, mailbox: str) -> dict[str, Any]:
        clock.now += 1.7  # a slow login: past the former 1.5 s margin, counted from the request
        return {"outcome": "connected"}

    sut = SimpleNamespace(
        mss_lps_connect=connect,
        mss_lps_send=lambda *a: {"outcome": "sent"},
        mss_lps_fetch=lambda: {"outcome": "read"},
        mss_lps_session=lambda: {"token": None},
        mss_lps_logout=lambda: {"outcome": "logged_out"},
        create_person=lambda *a: {"person_id": "p1"},
        lookup_ins=lambda pid: {"outcome": "found"},
        identity=lambda pid: {"status": "qualified"},
        info=lambda: SimpleNamespace(name="DUI"),
    )
    lifetimes: list[int] = []
    psc = SimpleNamespace(
        state=lambda: {"access_token_lifetime": 300},
        update_state=lambda data: lifetimes.append(data["access_token_lifetime"]),
    )
    mss = SimpleNamespace(faults=SimpleNamespace(add=lambda *a, **k: None, clear=lambda: None))
    steps = per_org_steps(
        cast(SutDriver, sut),
        WatchedRecorder(),
        mss,
        psc,
        professional="p",
        mailbox="m@x.mssante.fr",
        recipient="r",
        settle=2.0,
    )
    runs = PerOrgRuns(steps)
    expired = runs.get("expired")
    assert expired is not None and expired.data["lifetime"] == EXPIRING_LIFETIME
    assert lifetimes == [EXPIRING_LIFETIME, 300]  # the short lifetime for that login only
    assert clock.slept == [pytest.approx(EXPIRING_LIFETIME + AFTER_EXPIRY)]
