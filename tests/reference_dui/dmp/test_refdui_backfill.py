"""The reference DUI's historical catch-up (SC.DMP/HISTO.06) against the DMP simulator, end to end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.pki import TestPki
from harness.suites.ins.persons import person
from mocks.dmp import DmpSimulator
from mocks.insi import InsiSimulator
from tests.reference_dui.dmp.test_refdui_dmp import Dui, pki, sims

__all__ = ["pki", "sims"]  # the module fixtures shared with test_refdui_dmp


def _dui(pki: TestPki, sims: tuple[DmpSimulator, InsiSimulator], *defects: str) -> Dui:
    return Dui(pki, *sims, defects=defects)


@pytest.fixture
def dui(pki: TestPki, sims: tuple[DmpSimulator, InsiSimulator]) -> Iterator[Dui]:
    client = _dui(pki, sims)
    yield client
    client.close()


def _prepare(dui: Dui) -> tuple[dict[str, str], str, dict[str, str]]:
    ids = {
        key: dui.qualified(who)
        for key, who in (("eligible", "adrun-zoe"), ("opposed", "corse-anthony"), ("deceased", "tchitchi-catarina"))
    }
    fed = dui.publish(ids["eligible"], "DLU")["document_id"]
    held = {}
    for key, pid in ids.items():
        answer = dui.call("POST", f"/persons/{pid}/documents/historical", {"kind": "PPA", "act_date": "2019-05-14"})
        assert answer.status_code == 201 and answer.json()["status"] == "historical", answer.text
        held[key] = answer.json()["document_id"]
    assert dui.call("PUT", f"/persons/{ids['opposed']}/dmp/opposition", {"opposed": True}).status_code == 200
    death = dui.call("PUT", f"/persons/{ids['deceased']}/death", {"deceased": True, "date": "2025-01-02"}).json()
    assert death == {"person_id": ids["deceased"], "deceased": True, "date": "2025-01-02"}
    return ids, fed, held


def _sent(dui: Dui, since: str) -> list[tuple[str, set[str]]]:
    return [
        (e.tags["ins"], {str(x.get("unique_id")) for x in e.summary.get("entries") or []})
        for e in dui.dmp.recorder.exchanges(service="DMP", transaction="ITI-41", since=since)
    ]


def test_the_catch_up_feeds_the_eligible_history_only(dui: Dui) -> None:
    # given three persons with a historical document each: eligible, opposed to feeding, deceased
    ids, fed, held = _prepare(dui)
    since = dui.dmp.recorder.mark()
    # when the catch-up runs
    done = dui.call("POST", "/dmp/history/backfill", {}).json()
    # then only the eligible person's historical document is sent, and accepted
    assert _sent(dui, since) == [(person("adrun-zoe").ins, {held["eligible"]})]
    assert {d["document_id"] for d in done["sent"] if d["status"] == "published"} == {held["eligible"]}
    assert {d["person_id"] for d in done["skipped"]} == {ids["deceased"]}
    assert fed not in {d["document_id"] for d in done["sent"]}
    # and running it again sends nothing more
    again = dui.dmp.recorder.mark()
    dui.call("POST", "/dmp/history/backfill", {})
    assert _sent(dui, again) == []


@pytest.mark.parametrize(
    ("defect", "extra"),
    [("dmp_histo_feed_deceased", "tchitchi-catarina"), ("dmp_histo_refeed", "adrun-zoe")],
)
def test_defects(pki: TestPki, sims: tuple[DmpSimulator, InsiSimulator], defect: str, extra: str) -> None:
    client = _dui(pki, sims, defect)
    try:
        _, fed, held = _prepare(client)
        since = client.dmp.recorder.mark()
        client.call("POST", "/dmp/history/backfill", {})
        sent = _sent(client, since)
        if defect == "dmp_histo_feed_deceased":
            assert (person(extra).ins, {held["deceased"]}) in sent
        else:
            assert any(fed in ids for _, ids in sent)
    finally:
        client.close()


def test_input_errors(dui: Dui) -> None:
    pid = dui.qualified("adrun-zoe")
    assert dui.call("POST", f"/persons/{pid}/documents/historical", {"kind": "PPA"}).status_code == 400
    bad_date = {"kind": "PPA", "act_date": "14/05/2019"}
    assert dui.call("POST", f"/persons/{pid}/documents/historical", bad_date).status_code == 400
    assert dui.call("PUT", f"/persons/{pid}/death", {"deceased": "yes"}).status_code == 400
    assert dui.call("PUT", f"/persons/{pid}/death", {"deceased": True, "date": "tomorrow"}).status_code == 400
    assert dui.call("PUT", "/persons/nobody/death", {"deceased": True}).status_code == 404
    assert dui.call("PUT", f"/persons/{pid}/death", {"deceased": False}).json() == {"person_id": pid, "deceased": False}
