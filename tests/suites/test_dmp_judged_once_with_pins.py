"""The DMP suite reuses the simulator's judgement when both got the run's pack from the run settings — the same
folder and the same content-model pins — and judges again otherwise (issue 10 item 3)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from harness.core.recorder import Exchange, HttpMessage
from harness.plugin.options import RunSettings
from harness.suites.dmp.checks import report_of
from harness.validators.cda.pack import CdaPack
from harness.validators.xds import XdsReport


def _pack_folder(tmp_path: Path) -> Path:
    (tmp_path / "infrastructure" / "cda").mkdir(parents=True)
    (tmp_path / "infrastructure" / "cda" / "CDA_extended.xsd").write_text("<xs:schema/>")
    (tmp_path / "schematrons").mkdir()
    return tmp_path


def _judged(pack: CdaPack | None) -> tuple[Exchange, XdsReport]:
    exchange = Exchange("00001", "DMP", "ITI-41", datetime.now(UTC), HttpMessage("POST /dmp HTTP/1.1", [], b"<x/>"))
    report = XdsReport()
    exchange.judgements["xds"] = (pack, report)  # what the DMP simulator keeps (mocks/dmp/iti41.py)
    return exchange, report


def test_the_suite_reuses_the_judgement_made_with_the_runs_pack_and_pins(tmp_path: Path) -> None:
    # given the run settings of a profile pinning VSM 2023.01, handed to the simulator and to the suite
    settings = RunSettings(cda_pack=_pack_folder(tmp_path), cda_model_versions=(("VSM", "2023.01"),))
    exchange, report = _judged(settings.cda())
    # then the suite reads the simulator's judgement: one judgement per document
    assert report_of(exchange, settings.cda()) is report


def test_a_judgement_made_with_other_pins_or_without_the_pack_is_not_reused(tmp_path: Path) -> None:
    settings = RunSettings(cda_pack=_pack_folder(tmp_path), cda_model_versions=(("VSM", "2023.01"),))
    run_pack = settings.cda()
    assert run_pack is not None
    for used in (run_pack.pinned([("VSM", "1.4_2022.01")]), None):
        exchange, report = _judged(used)
        # the suite judges again with the run's pack (here a body that is no SOAP message: its own report)
        again = report_of(exchange, run_pack)
        assert again is not report and again.findings
        assert exchange.judgements["xds"] == (run_pack, again)
