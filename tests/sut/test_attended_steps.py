"""Attended mode, step by step: numbered steps, live feedback, retry / skip / stop, the connection sheet,
the DUI identity questions and the journal carried by the bundle."""

from __future__ import annotations

import io
import json
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from harness.core.findings import Finding
from harness.core.recorder import Exchange, HttpMessage, Recorder
from harness.suites.ins.persons import person
from harness.sut.attended import AttendedDriver, Operator, OperatorNoAnswer, OperatorStopped
from harness.sut.attended_sheet import build_sheet, render_text, write_sheet
from harness.sut.driver import SutDriver

NOT_STEPS = {"info", "reset", "configure_endpoints", "mss_acknowledgements"}


def _exchange(
    recorder: Recorder,
    service: str = "INS",
    transaction: str = "rechercherInsAvecTraitsIdentite",
    findings: list[Finding] | None = None,
    **tags: str,
) -> Exchange:
    exchange = Exchange(
        recorder.new_id(),
        service,
        transaction,
        datetime.now(UTC),
        HttpMessage("POST /lps HTTP/1.1", [], b""),
        HttpMessage("HTTP/1.1 200", [], b""),
        tags=dict(tags),
        findings=findings or [],
    )
    return recorder.record(exchange)


def _later(seconds: float, action: object) -> threading.Timer:
    timer = threading.Timer(seconds, action)  # type: ignore[arg-type]
    timer.start()
    return timer


def _driver(tmp_path: Path, answers: str, timeout: float = 0.3) -> tuple[AttendedDriver, io.StringIO, Recorder]:
    out = io.StringIO()
    recorder = Recorder()
    operator = Operator(out=out, inp=io.StringIO(answers), timeout=1, journal=tmp_path / "attended" / "journal.jsonl")
    return AttendedDriver(recorder, operator, exchange_timeout=timeout, reports=tmp_path), out, recorder


def _journal(tmp_path: Path) -> list[dict[str, object]]:
    lines = (tmp_path / "attended" / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_every_action_of_the_driver_is_a_numbered_step() -> None:
    actions = {name for name in SutDriver.__abstractmethods__} - NOT_STEPS
    missing = [name for name in sorted(actions) if not hasattr(getattr(AttendedDriver, name), "__wrapped__")]
    assert not missing, f"not a numbered step in attended mode: {missing}"


def test_what_arrives_is_shown_live_and_satisfies_the_step(tmp_path: Path) -> None:
    driver, out, recorder = _driver(tmp_path, "p-1\n", timeout=10)
    driver.create_person(person("adrun-zoe").traits)
    # when the DUI's call arrives (with a finding) while the harness waits
    finding = Finding("insi.ctxlps.idam", "INS-INSI-02", "IDAM missing", location="/soap:Envelope/soap:Header")
    timer = _later(0.3, lambda: _exchange(recorder, findings=[finding], birth_name="Adrun", cr="00"))
    outcome = driver.lookup_ins("p-1")
    timer.join()
    # then the step says what arrived, its finding on one line, and that the step is satisfied
    text = out.getvalue()
    assert "── étape / step 2" in text
    assert "← INS rechercherInsAvecTraitsIdentite · 200 · 1 constat / finding" in text
    assert "✗ [INS-INSI-02] IDAM missing (/soap:Envelope/soap:Header)" in text
    assert "✓ échange attendu reçu / expected exchange received" in text
    assert outcome["outcome"] == "found"
    events = [e["event"] for e in _journal(tmp_path)]
    assert events.count("step") == 2 and "arrived" in events and "satisfied" in events


def test_nothing_arrived_and_the_operator_skips_the_step_is_not_judged(tmp_path: Path) -> None:
    driver, out, _ = _driver(tmp_path, "s\n")
    with pytest.raises(OperatorNoAnswer, match="skipped"):
        driver.dmp_publish("p-1", "DLU")
    assert "délai écoulé" in out.getvalue()
    assert _journal(tmp_path)[-1] == {**_journal(tmp_path)[-1], "event": "outcome", "outcome": "not-judged"}


def test_retry_waits_again_and_takes_what_arrives_then(tmp_path: Path) -> None:
    driver, out, recorder = _driver(tmp_path, "r\n2.25.17\n", timeout=0.5)
    # the exchange arrives during the second wait
    timer = _later(0.8, lambda: _exchange(recorder, "DMP", "ITI-41"))
    publication = driver.dmp_publish("p-1", "DLU")
    timer.join()
    # arrived (no "Success" in this stand-in's summary): the operator says which document the DUI kept
    assert publication["status"] == "refused" and publication["document_id"] == "2.25.17"
    assert "✓ échange attendu reçu" in out.getvalue()


def test_stop_leaves_every_later_step_not_judged_without_asking(tmp_path: Path) -> None:
    driver, out, _ = _driver(tmp_path, "q\n")
    with pytest.raises(OperatorStopped):
        driver.dmp_publish("p-1", "DLU")
    asked = out.getvalue().count("réponse / answer")
    with pytest.raises(OperatorStopped):
        driver.identity("p-1")
    assert out.getvalue().count("réponse / answer") == asked  # nothing more asked


def test_input_closed_means_no_operator_and_no_wait(tmp_path: Path) -> None:
    driver, _, _ = _driver(tmp_path, "", timeout=600)
    with pytest.raises(OperatorNoAnswer):
        driver.create_person(person("adrun-zoe").traits)
    with pytest.raises(OperatorNoAnswer, match="no operator"):
        driver.dmp_retry()  # returns at once although the timeout is 600 s


def test_identity_questions_go_to_the_run_record(tmp_path: Path) -> None:
    driver, _, _ = _driver(tmp_path, "Mon DUI\n4.2\nÉditeur Essai\nb-17\n")
    info = driver.info()
    assert (info.name, info.version, info.editor, info.build_id) == ("Mon DUI", "4.2", "Éditeur Essai", "b-17")
    assert info.extra["source"].startswith("déclaré par l'opérateur")
    assert driver.info() is info  # asked once
    assert any(e["event"] == "dui-identity" and e["name"] == "Mon DUI" for e in _journal(tmp_path))


ENDPOINTS = {
    "insi": {
        "url": "https://127.0.0.1:41001",
        "client_cert": "/p/client-insi-auto.pem",
        "client_key": "/p/client-insi-auto.key",
        "ca": "/p/ca.pem",
    },
    "dmp": {
        "url": "https://127.0.0.1:41002",
        "repository": "https://127.0.0.1:41002/dmp/repository",
        "registry": "https://127.0.0.1:41002/dmp/registry",
        "td02": "https://127.0.0.1:41002/dmp/td02",
        "signing_cert": "/p/signing-vihf.pem",
        "signing_key": "/p/signing-vihf.key",
        "ca": "/p/ca.pem",
    },
    "psc": {
        "url": "https://127.0.0.1:41006",
        "issuer": "https://127.0.0.1:41006/auth/realms/esante-wallet",
        "discovery": "https://127.0.0.1:41006/auth/realms/esante-wallet/.well-known/openid-configuration",
        "client_id": "dui-harness-dui",
        "client_secret": "s3cret",
    },
    "mssante": {
        "url": "https://127.0.0.1:41010",
        "host": "127.0.0.1",
        "smtp_port": 41587,
        "smtps_port": 41465,
        "imap_port": 41143,
        "imaps_port": 41993,
        "address": "dui@ehpad-essai.mssante.fr",
        "password": "pw",
        "client_cert": "/p/client-mss-bal.pem",
        "client_key": "/p/client-mss-bal.key",
    },
    "eparcours": {"url": "https://127.0.0.1:41007"},
    "epresc": {"url": "https://127.0.0.1:41008"},
}


def test_connection_sheet_gives_full_urls_files_and_credentials(tmp_path: Path) -> None:
    text = render_text(build_sheet(ENDPOINTS))
    # INSi with its path, DMP transactions, PSC discovery and client, mail listeners (not the control API)
    for expected in (
        "https://127.0.0.1:41001/lps",
        "https://127.0.0.1:41002/dmp/repository",
        "https://127.0.0.1:41002/dmp/td02",
        "/.well-known/openid-configuration",
        "client_id: dui-harness-dui",
        "client_secret: s3cret",
        "redirect URI: http://127.0.0.1/harness/v1",
        "127.0.0.1:41587",
        "127.0.0.1:41993",
        "dui@ehpad-essai.mssante.fr",
        "mot de passe / password: pw",
        "/p/client-mss-bal.pem",
        "/p/signing-vihf.key",
        "/p/ca.pem",
        "https://127.0.0.1:41007",
    ):
        assert expected in text, expected
    assert "41010" not in text  # the MSSanté control API is the harness's, not the DUI's
    _, page, body = write_sheet(tmp_path, ENDPOINTS)
    assert json.loads(body.read_text(encoding="utf-8")) == ENDPOINTS
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "https://127.0.0.1:41001/lps" in html
