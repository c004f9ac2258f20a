"""Usage indicators, run diff and the Allure history carried across runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import responses

from harness import services
from harness.cli.allure_report import find_allure, render_report, report_data
from harness.evidence import usage
from harness.evidence.diff import diff_runs
from harness.evidence.history import history_file, keep_history, seed_history
from harness.evidence.sources import RunSource, open_source
from harness.evidence.usage import compute_usage, usage_of
from harness.sut.http_trigger import HttpTriggerDriver
from tests.evidence.conftest import Run, cli, synthetic_reports


def exchange(service: str, transaction: str, http: str = "HTTP/1.1 200", **summary: Any) -> dict[str, Any]:
    return {
        "service": service,
        "transaction": transaction,
        "status": http,
        "summary": summary,
        "tags": {},
        "started": "2026-03-01T10:00:00+00:00",
    }


def values(report: usage.UsageReport) -> dict[str, Any]:
    return {i["key"]: (i["value"], i["status"]) for i in report.as_dict()["indicators"]}


def test_usage_of_a_real_run(clean_run: Run) -> None:
    # given the reference DUI's INS run, from its bundle (the same as from its reports folder)
    from_bundle = values(compute_usage(open_source(clean_run.bundle)))
    assert from_bundle == values(compute_usage(open_source(clean_run.reports))) | {}
    # then INS is observed from INSi traffic, the other services are 0 / not observed
    searched, status = from_bundle["ins_identities_searched"]
    assert searched >= 8 and status == "observed"
    assert 0 < from_bundle["ins_identities_with_ins"][0] < searched
    assert from_bundle["mss_messages_to_patients"] == (0, "not observed")
    assert from_bundle["dmp_documents_sent"] == (0, "not observed")
    # and the trigger API figures the reference DUI exposes (GET /indicators, read at the end of the run)
    share, exposed = from_bundle["ins_share_qualified"]
    assert exposed == "exposed" and 0 < share <= 1
    assert from_bundle["share_personalised_project"] == (None, "not exposed")
    assert from_bundle["agenda_updates_per_day"] == (None, "not exposed")


def test_counters_of_the_services_being_simulated() -> None:
    items = [
        exchange(
            "MSSante", "SMTP", "SMTP 250", envelope={"to": ["dr.x@hopital.mssante.fr"]}, recipient_kinds=["personal"]
        ),
        exchange(
            "MSSante",
            "SMTP",
            "SMTP 250",
            envelope={"to": ["1234567890123@patient.mssante.fr"]},
            recipient_kinds=["patient"],
        ),
        exchange("MSSante", "SMTP", "SMTP 554", envelope={"to": ["dr.y@hopital.mssante.fr"]}),  # refused
        exchange("MSSante", "IMAP FETCH", "IMAP OK"),  # reading is not sending
        exchange("DMP", "ITI-41", documents=2, status="Success"),
        exchange("DMP", "ITI-41", documents=1, status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure"),
        exchange("DMP", "ITI-18", documents=["a", "b", "c"]),  # a query, not a submission
        exchange("FHIR", "transaction", flow="tddui", entries=3),
        exchange("FHIR", "transaction", flow="epresc"),  # e-prescription is not e-parcours
        exchange("FHIR", "read"),
    ]
    got = values(usage_of(items, "synthetic", None))
    assert got["mss_messages_to_professionals"] == (1, "observed")
    assert got["mss_messages_to_patients"] == (1, "observed")
    assert got["dmp_documents_sent"] == (2, "observed")
    assert got["eparcours_documents_exchanged"] == (1, "observed")
    assert got["ins_identities_searched"] == (0, "not observed")
    assert got["ins_share_qualified"] == (None, "not exposed")


def count_creates(exchanges: list[dict[str, Any]]) -> dict[str, float]:
    return {"toy_creates": len(exchanges)}


def test_adding_a_counter_is_one_registration() -> None:
    # given a service declaring one indicator and its counter (on the "create" transaction only)
    toy = services.Service(
        "TOYUSAGE",
        "Service jouet",
        "Toy service",
        indicators=(services.Indicator("toy_creates", "Créations", "Creations"),),
        counters=(services.UsageCounter(f"{__name__}:count_creates", "create"),),
    )
    with services.registered(toy):
        got = values(usage_of([exchange("TOYUSAGE", "create"), exchange("TOYUSAGE", "read")], "x", None))
    # then the indicator is reported, counted and observed
    assert got["toy_creates"] == (1, "observed")


def test_recordings_of_earlier_versions_keep_counting() -> None:
    # exchanges recorded as "INSi" / "MSSante" before the service ids were unified are read as INS / MSS
    got = values(
        usage_of([exchange("INSi", "rechercherInsAvecTraitsIdentite", traits={"birth_name": "X"})], "old", None)
    )
    assert got["ins_identities_searched"] == (1, "observed")


def test_dui_figures_give_ratios_and_rates() -> None:
    figures = {
        "period_start": "2026-03-01T00:00:00+00:00",
        "period_end": "2026-03-11T00:00:00+00:00",
        "people_supported": 40,
        "records_updated": 30,
        "people_with_personalised_project": 10,
        "agenda_updates": 25,
        "identities_total": 40,
        "identities_qualified": 36,
    }
    got = values(usage_of([], "x", figures))
    assert got["records_updated_per_person"] == (0.75, "exposed")
    assert got["share_personalised_project"] == (0.25, "exposed")
    assert got["agenda_updates_per_day"] == (2.5, "exposed")
    assert got["ins_share_qualified"] == (0.9, "exposed")


@responses.activate
def test_indicators_not_exposed_by_a_dui_answering_404() -> None:
    responses.add(responses.GET, "http://127.0.0.1:9/harness/v1/indicators", status=404, body="<html>no</html>")
    driver = HttpTriggerDriver("http://127.0.0.1:9/harness/v1")
    assert driver.indicators() is None
    responses.replace(responses.GET, "http://127.0.0.1:9/harness/v1/indicators", json={"people_supported": 3})
    assert driver.indicators() == {"people_supported": 3}


def test_usage_cli(clean_run: Run, tmp_path: Path) -> None:
    result = cli("usage", str(clean_run.reports), "--json")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    # the ins profile logs a professional in with PSC for its PSC-backed INSi search (INS-PSC-01)
    assert data["services_observed"] == ["INS", "PSC"] and data["exchanges"] > 0
    # a `dui-harness serve` session's folder holds exchanges only: traffic indicators, DUI figures not exposed
    shutil.copytree(clean_run.reports / "exchanges", tmp_path / "serve" / "exchanges")
    served = cli("usage", str(tmp_path / "serve"))
    assert served.returncode == 0 and "[observed; exchanges]" in served.stdout
    assert "[not exposed; trigger API]" in served.stdout and "[exposed;" not in served.stdout


def test_diff_of_a_clean_and_a_defective_run(clean_run: Run, defect_run: Run) -> None:
    diff = diff_runs(open_source(clean_run.bundle), open_source(defect_run.reports))
    regressed = {item["id"] for item in diff.regressed}
    # wrong_ins_key fails INS-KEY-01; what the wrong key causes elsewhere (INS-RES-01...) is blocked by it
    assert {"INS-KEY-01"} <= regressed and not diff.fixed
    assert all(item["old"] == "pass" for item in diff.regressed)
    assert "NON-CONFORMITY" in next(i["reason"] for i in diff.regressed if i["id"] == "INS-KEY-01")
    back = diff_runs(open_source(defect_run.reports), open_source(clean_run.bundle))
    assert {item["id"] for item in back.fixed} >= {"INS-KEY-01"} and not back.regressed
    assert cli("diff", str(clean_run.bundle), str(defect_run.reports)).returncode == 1
    ok = cli("diff", str(defect_run.reports), str(clean_run.bundle), "--json")
    assert ok.returncode == 0 and json.loads(ok.stdout)["fixed"]


def test_diff_appeared_and_disappeared(socle_root: Path, tmp_path: Path) -> None:
    old = synthetic_reports(tmp_path / "old", socle_root, {})
    new = synthetic_reports(tmp_path / "new", socle_root, {"T-MSS-01": "fail"})
    matrix = json.loads((new / "coverage-matrix.json").read_text(encoding="utf-8"))
    gone = matrix["requirements"].pop(0)
    matrix["requirements"].append({**gone, "id": "T-NEW-01"})
    (new / "coverage-matrix.json").write_text(json.dumps(matrix), encoding="utf-8")
    diff = diff_runs(open_source(old), open_source(new))
    assert [i["id"] for i in diff.disappeared] == [gone["id"]] and [i["id"] for i in diff.appeared] == ["T-NEW-01"]
    assert [i["id"] for i in diff.regressed] == ["T-MSS-01"]


def test_history_is_seeded_from_a_report_folder_or_a_bundle(tmp_path: Path) -> None:
    # given a previous report with Allure 3 history and Allure 2 legacy files
    previous = tmp_path / "prev"
    (previous / "allure-report" / "history").mkdir(parents=True)
    (previous / "allure-report" / "history" / "history.jsonl").write_text('{"uuid": "1"}\n', encoding="utf-8")
    (previous / "allure-report" / "history" / "history-trend.json").write_text("[]", encoding="utf-8")
    (previous / "coverage-matrix.json").write_text("{}", encoding="utf-8")
    results = tmp_path / "results"
    written = seed_history(previous, results)
    # then Allure 3's file goes to results/history/, and the legacy files also to the top level it reads
    assert sorted(written) == ["history-trend.json", "history/history-trend.json", "history/history.jsonl"]
    assert history_file(results).read_text(encoding="utf-8") == '{"uuid": "1"}\n'
    assert seed_history(previous / "allure-report", tmp_path / "r2")  # an allure-report folder alone
    keep_history(results, tmp_path / "report")
    assert (tmp_path / "report" / "history" / "history.jsonl").is_file()


@pytest.mark.skipif(find_allure() is None, reason="Allure report generator not installed (python3 dev.py run)")
def test_allure_trend_is_carried_across_runs(clean_run: Run, tmp_path: Path) -> None:
    reports: list[Path] = []
    for n in (1, 2):
        results = tmp_path / f"run{n}" / "allure-results"
        shutil.copytree(clean_run.reports / "allure-results", results)
        shutil.rmtree(results / "history", ignore_errors=True)  # each run starts in a new reports folder
        if reports:
            assert seed_history(reports[-1], results)
        ok, message = render_report(
            results, tmp_path / f"run{n}" / "allure-report", title=f"run {n}", history=history_file(results)
        )
        assert ok, message
        keep_history(results, tmp_path / f"run{n}" / "allure-report")
        reports.append(tmp_path / f"run{n}" / "allure-report")
    trend = json.loads(report_data(reports[-1], "widgets/history-trend.json") or b"[]")  # one-file report
    assert len(trend) == 2 and [p["buildOrder"] for p in trend] == [2, 1]
    assert len((reports[-1] / "history" / "history.jsonl").read_text(encoding="utf-8").splitlines()) == 2


def test_sources_refuse_what_is_not_a_run(tmp_path: Path) -> None:
    from harness.errors import InputError

    (tmp_path / "x.zip").write_bytes(b"not a zip")
    with pytest.raises(InputError, match="not an evidence bundle"):
        open_source(tmp_path / "x.zip")
    with pytest.raises(InputError, match="no such"):
        open_source(tmp_path / "missing")
    with pytest.raises(InputError, match="coverage-matrix"):
        diff_runs(RunSource("a"), RunSource("b"))
