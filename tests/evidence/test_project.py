"""``check-project``: the ESMS numérique rules (data) applied to projects, with verified bundles."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from harness.errors import InputError
from harness.evidence.bundle import write_bundle
from harness.evidence.project import check_project, load_project, load_rules
from harness.evidence.project.render import render_html, render_text
from harness.evidence.signing import Signer
from harness.paths import fixtures_dir, profiles_dir
from tests.evidence.conftest import Run, cli, synthetic_reports

EXAMPLES = fixtures_dir() / "projects"


def test_shipped_rules_are_valid_data_with_sources() -> None:
    rules = load_rules(profiles_dir(), "esms-numerique@2026.1")
    assert rules.data["grouping"]["og_threshold"] == 15 and rules.data["grouping"]["reduced"]["og_threshold"] == 8
    assert rules.data["max_structures_funded"] == 30
    assert {a["id"] for a in rules.data["attestations"]} >= {"dpo", "anap-maturity", "anap-security"}
    schema = json.loads((profiles_dir() / "schema" / "esms-rules.schema.json").read_text(encoding="utf-8"))
    broken = copy.deepcopy(rules.data)
    del broken["funding"]["upgrade"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


@pytest.mark.parametrize("name", ["grouping-bretagne.yaml", "corse-small-og.yaml"])
def test_example_projects_are_valid(name: str) -> None:
    project = load_project(EXAMPLES / name, profiles_dir())
    assert "Synthetic" in project.data["project"]["provenance"]


def write_project(folder: Path, data: dict[str, Any]) -> Path:
    path = folder / "project.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_example_project_with_the_reference_dui_bundle(clean_run: Run, tmp_path: Path) -> None:
    # given the Brittany example, its bundle being the reference DUI's INS run
    data = yaml.safe_load((EXAMPLES / "grouping-bretagne.yaml").read_text(encoding="utf-8"))
    data["bundles"] = [{"path": str(clean_run.bundle), "trusted_key": str(clean_run.keys / "signing-key.pub.pem")}]
    project = load_project(write_project(tmp_path, data), profiles_dir())
    report = check_project(project, load_rules(profiles_dir(), "esms-numerique@2026.1"))
    # then INS is conformant for the reference DUI, but no other socle service is evidenced: nothing is funded
    rules = {r.id: r for r in report.rule_verdicts}
    assert rules["grouping"].verdict == "pass" and rules["evidence"].verdict == "pass"
    assert rules["attestations"].verdict == "fail" and "anap-security" in rules["attestations"].reason
    ref = [e for e in report.esms if e.software == "DUI de référence dui-harness"]
    assert ref and all(e.services["INS"]["status"] == "conformant" for e in ref)
    assert all(e.services["MSS"]["status"] == "not-evidenced" for e in report.esms)
    other = next(e for e in report.esms if e.software != "DUI de référence dui-harness")
    assert (
        other.services["INS"]["status"] == "not-evidenced"
        and "no valid evidence bundle" in other.services["INS"]["why"]
    )
    assert report.total == 0 and not report.ok
    assert any("already funded" in r for e in report.esms for r in e.reasons if e.finess == "351000002")


@pytest.fixture
def socle_bundles(socle_root: Path, tmp_path: Path) -> dict[str, Path]:
    """Bundles of synthetic runs over every socle service: one conformant DUI, one failing DMP."""
    good = synthetic_reports(tmp_path / "good", socle_root, {}, dui_name="DUI Synthèse", dui_version="3.2")
    bad = synthetic_reports(
        tmp_path / "bad",
        socle_root,
        {"T-DMP-01": "fail", "T-EPRESC-01": "blocked"},
        dui_name="DUI Bancal",
        dui_version="1.0",
    )
    return {
        name: write_bundle(folder, tmp_path / f"{name}.zip", Signer.one_time_key(), profiles_root=socle_root).path
        for name, folder in (("good", good), ("bad", bad))
    }


def project_data(
    ogs: list[tuple[str, int, list[tuple[str, bool, str, str]]]],
    region: str = "bretagne",
    bundles: list[str] | None = None,
) -> dict[str, Any]:
    attestations = {
        k: {"declared": True}
        for k in (
            "availability",
            "continuity",
            "access-rules",
            "user-information",
            "dpo",
            "anap-maturity",
            "anap-security",
        )
    }
    organisations: list[dict[str, Any]] = []
    counter = 0
    for name, total, items in ogs:
        esms = []
        for software, medicalised, operation, category in items:
            counter += 1
            esms.append(
                {
                    "finess": f"35{counter:07d}",
                    "name": f"ESMS {counter}",
                    "category": category,
                    "region": region,
                    "medicalised": medicalised,
                    "dui": {
                        "software": software,
                        "version": "3.2" if software == "DUI Synthèse" else "1.0",
                        "operation": operation,
                    },
                }
            )
        organisations.append(
            {"name": name, "finess_ej": f"35{len(organisations) + 1}900000", "structures_total": total, "esms": esms}
        )
    return {
        "project": {"name": "Projet de test", "region": region, "rules": "esms-numerique@2026.1"},
        "organismes_gestionnaires": organisations,
        "bundles": bundles or [],
        "attestations": attestations,
    }


def run_check(tmp_path: Path, root: Path, data: dict[str, Any]) -> Any:
    project = load_project(write_project(tmp_path, data), root)
    return check_project(project, load_rules(root, "esms-numerique@2026.1"), profiles_root=root)


def test_a_conformant_grouping_is_funded(socle_root: Path, socle_bundles: dict[str, Path], tmp_path: Path) -> None:
    items = [("DUI Synthèse", True, "acquisition", "EHPAD")] * 3 + [("DUI Synthèse", False, "upgrade", "ESAT")] * 2
    data = project_data(
        [("OG A", 5, items), ("OG B", 5, items), ("OG C", 20, items)], bundles=[str(socle_bundles["good"])]
    )
    report = run_check(tmp_path, socle_root, data)
    assert report.ok, render_text(report)
    assert all(e.funded for e in report.esms) and len(report.esms) == 15
    # 9 acquisitions, 6 upgrades; equipment for the 10 structures of the two OG under 15
    assert report.breakdown == {"acquisition": 9 * 25000, "upgrade": 6 * 10000, "equipment": 10 * 20000}
    assert report.total == 485000
    assert {r.id: r.verdict for r in report.rule_verdicts}["grouping"] == "pass"
    page = render_html(report)
    assert "<script" not in page and "485 000 €" in page and "non testé / not tested" in page


def test_socle_rules_per_kind_of_esms(socle_root: Path, socle_bundles: dict[str, Path], tmp_path: Path) -> None:
    # the failing DUI: DMP fails, e-prescription blocked; MSS, INS, e-parcours pass
    items = [("DUI Bancal", True, "acquisition", "EHPAD"), ("DUI Bancal", False, "acquisition", "SAVS")]
    data = project_data([("OG A", 20, items)], bundles=[str(socle_bundles["bad"]), str(socle_bundles["good"])])
    report = run_check(tmp_path, socle_root, data)
    medicalised, other = report.esms
    assert not medicalised.funded and medicalised.services["DMP"]["status"] == "not-conformant"
    assert "T-DMP-01" in medicalised.services["DMP"]["why"] and "T-DMP-02" not in medicalised.services["DMP"]["why"]
    assert any("1 conformant service(s) among MSS, DMP, EPRESC (MSS); 2 needed" in r for r in medicalised.reasons)
    # a non-medicalised ESMS needs MSS and e-parcours only: the DMP failure does not count against it
    assert other.funded and other.amount == 25000
    verdicts = {r.id: r.verdict for r in report.rule_verdicts}
    assert verdicts["socle-medicalised"] == "fail" and verdicts["socle-non-medicalised"] == "pass"
    assert verdicts["grouping"] == "not-applicable"


def test_grouping_thresholds_and_overseas(socle_root: Path, socle_bundles: dict[str, Path], tmp_path: Path) -> None:
    item = [("DUI Synthèse", False, "upgrade", "SAVS")]
    small = project_data([("OG A", 10, item * 5), ("OG B", 10, item * 5)], bundles=[str(socle_bundles["good"])])
    report = run_check(tmp_path, socle_root, small)
    grouping = next(r for r in report.rule_verdicts if r.id == "grouping")
    assert grouping.verdict == "fail" and "≥ 3 OG" in grouping.reason and not any(e.funded for e in report.esms)
    # in Corsica the threshold is 8: an OG of 10 structures needs no grouping
    corse = project_data([("OG A", 10, item * 5)], region="corse", bundles=[str(socle_bundles["good"])])
    report = run_check(tmp_path, socle_root, corse)
    assert next(r for r in report.rule_verdicts if r.id == "grouping").verdict == "not-applicable"
    assert all(e.funded for e in report.esms)
    # and in Corsica three OG of 3 structures need 8 structures in all: 9 is enough
    corse3 = project_data(
        [("OG A", 3, item * 3), ("OG B", 3, item * 3), ("OG C", 3, item * 3)],
        region="corse",
        bundles=[str(socle_bundles["good"])],
    )
    assert (
        next(r for r in run_check(tmp_path, socle_root, corse3).rule_verdicts if r.id == "grouping").verdict == "pass"
    )


def test_cap_duplicates_and_previous_funding(socle_root: Path, socle_bundles: dict[str, Path], tmp_path: Path) -> None:
    item = [("DUI Synthèse", False, "upgrade", "SAVS")]
    data = project_data([("OG A", 40, item * 34)], bundles=[str(socle_bundles["good"])])
    organisation = data["organismes_gestionnaires"][0]
    organisation["esms"][1]["finess"] = organisation["esms"][0]["finess"]  # listed twice
    data["already_funded"] = [
        {"finess": organisation["esms"][2]["finess"], "software": "DUI Synthèse"},
        {"finess": organisation["esms"][3]["finess"], "software": "Autre DUI"},
    ]
    report = run_check(tmp_path, socle_root, data)
    reasons = {e.finess: " ".join(e.reasons) for e in report.esms}
    assert "listed twice" in reasons[organisation["esms"][1]["finess"]]
    assert "already funded for DUI Synthèse" in reasons[organisation["esms"][2]["finess"]]
    assert "already funded for another DUI (Autre DUI)" in reasons[organisation["esms"][3]["finess"]]
    verdicts = {r.id: r for r in report.rule_verdicts}
    assert verdicts["funded-once"].verdict == "fail"
    assert (
        verdicts["max-structures"].verdict == "capped" and "31 eligible, 30 funded" in verdicts["max-structures"].reason
    )
    assert sum(e.funded for e in report.esms) == 30 and report.total == 30 * 10000


def test_a_tampered_bundle_is_not_evidence(socle_root: Path, socle_bundles: dict[str, Path], tmp_path: Path) -> None:
    data = socle_bundles["good"].read_bytes()
    tampered = tmp_path / "tampered.zip"
    tampered.write_bytes(data[:1000] + bytes([data[1000] ^ 1]) + data[1001:])
    report = run_check(
        tmp_path,
        socle_root,
        project_data([("OG A", 20, [("DUI Synthèse", False, "upgrade", "SAVS")])], bundles=[str(tampered)]),
    )
    assert next(r for r in report.rule_verdicts if r.id == "evidence").verdict == "fail"
    assert report.esms[0].services["MSS"]["status"] == "not-evidenced" and report.total == 0


def test_cli_text_json_html_and_errors(socle_root: Path, socle_bundles: dict[str, Path], tmp_path: Path) -> None:
    items = [("DUI Synthèse", False, "upgrade", "SAVS")]
    path = write_project(tmp_path, project_data([("OG A", 20, items)], bundles=[str(socle_bundles["good"])]))
    html = tmp_path / "out" / "project.html"
    ok = cli("check-project", str(path), "--profiles-dir", str(socle_root), "--json", "--html", str(html))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert json.loads(ok.stdout)["fundable_total_eur"] == 10000 and html.is_file()
    text = cli("check-project", str(path), "--profiles-dir", str(socle_root))
    assert "montant finançable / fundable total: 10 000 €" in text.stdout and "Attestations" in text.stdout
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "project: {name: x, region: bretagne, rules: esms-numerique@2026.1}\n"
        "organismes_gestionnaires: [{name: A, finess_ej: '12', esms: []}]\nbundles: []\n",
        encoding="utf-8",
    )
    bad = cli("check-project", str(broken))
    assert bad.returncode == 2 and "finess_ej" in bad.stderr and "Traceback" not in bad.stderr
    with pytest.raises(InputError, match="no such project"):
        load_project(tmp_path / "none.yaml", profiles_dir())
