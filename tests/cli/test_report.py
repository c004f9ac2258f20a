"""``dui-harness report``: a one-file report opens from disk; a multi-file one is served on loopback."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from harness.cli.allure_report import find_allure, render_report, report_data
from harness.cli.report import is_single_file, serve_folder
from tests.cli.conftest import CliRun

Cli = Callable[..., CliRun]


def test_one_file_report_is_opened_from_disk(cli: Cli, tmp_path: Path) -> None:
    report = tmp_path / "allure-report"
    report.mkdir()
    (report / "index.html").write_text("<html>report</html>", encoding="utf-8")
    run = cli("report", str(tmp_path), "--no-open")
    assert run.code == 0, run.err
    assert (report / "index.html").as_uri() in run.out and "opens offline" in run.out


def test_multi_file_report_is_served_on_loopback(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "index.html").write_text("<html>report</html>", encoding="utf-8")
    (tmp_path / "data" / "behaviors.json").write_text("{}", encoding="utf-8")
    assert not is_single_file(tmp_path)
    server, url = serve_folder(tmp_path)
    try:
        assert url.startswith("http://127.0.0.1:")
        assert requests.get(url, timeout=5).text == "<html>report</html>"
        assert requests.get(url.replace("index.html", "data/behaviors.json"), timeout=5).status_code == 200
    finally:
        server.shutdown()
        server.server_close()


def test_no_report_and_no_results_is_a_clear_usage_error(cli: Cli, tmp_path: Path) -> None:
    run = cli("report", str(tmp_path), "--no-open")
    assert run.code == 2 and "ni rapport Allure ni résultats / neither an Allure report nor results" in run.err
    assert "Conseil / Tip:" in run.err and "Traceback" not in run.err


@pytest.mark.skipif(find_allure() is None, reason="Allure generator not installed (python3 dev.py run installs it)")
def test_rendered_report_is_one_file_without_analytics(tmp_path: Path) -> None:
    results = tmp_path / "allure-results"
    results.mkdir()
    result = {
        "uuid": str(uuid.uuid4()),
        "historyId": "h1",
        "name": "test_x",
        "fullName": "t.test_x",
        "status": "passed",
        "start": 1,
        "stop": 2,
        "labels": [{"name": "story", "value": "REQ-1"}, {"name": "story", "value": "REQ-2"}],
    }
    (results / f"{result['uuid']}-result.json").write_text(json.dumps(result), encoding="utf-8")
    ok, message = render_report(results, tmp_path / "allure-report", title="t")
    assert ok, message
    assert is_single_file(tmp_path / "allure-report")
    page = (tmp_path / "allure-report" / "index.html").read_text(encoding="utf-8")
    assert "googletagmanager" not in page and "gtag(" not in page
    assert json.loads(report_data(tmp_path / "allure-report", "widgets/summary.json") or b"{}")  # embedded data
