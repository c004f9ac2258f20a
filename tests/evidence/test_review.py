"""Official ids in a real run, attestation files, the reviewer's countersignature and the proof export.

Built on the session's clean INS run against the reference DUI (``clean_run``): its reports
are copied, bundled again with the editor's attestations, countersigned by a reviewer, then
altered one way at a time; ``verify`` must name what changed.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from harness.core.official import load_account
from harness.evidence.attestations import DECLARATIONS
from harness.evidence.countersign import COUNTERSIGNATURE
from harness.evidence.signing import load_trust_anchors
from harness.evidence.verify import VerifyReport, verify_bytes
from harness.evidence.ziparchive import ArchiveMember, build_zip, dos_timestamp, read_zip
from harness.paths import profiles_dir
from tests.evidence.conftest import Run, cli, harness

ATTESTATIONS = """editor: Éditeur Exemple SAS
attestations:
  - id: SC.SSI/GEN.08
    kind: attestation
    statement: Les fichiers importés sont analysés par l'antivirus du poste avant intégration.
    files: [pssi-antivirus.pdf]
    by: Jeanne Essai, RSSI
  - id: SC.DMP/UX.11
    kind: demonstration
    statement: Le statut de l'identité est affiché sans clic dans le dossier de l'usager.
    files: [statut.png, statut.png]
"""


@pytest.fixture(scope="module")
def reviewed(clean_run: Run, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    # given the reports of a real run, the editor's attestations and a reviewer's key
    base = tmp_path_factory.mktemp("review")
    reports = base / "reports"
    shutil.copytree(clean_run.reports, reports)
    (reports / "evidence-bundle.zip").unlink()
    (base / "pssi-antivirus.pdf").write_bytes(b"%PDF-1.4\n% PSSI de test\n")
    (base / "statut.png").write_bytes(b"\x89PNG\r\n\x1a\n capture de test")
    (base / "attestations.yaml").write_text(ATTESTATIONS, encoding="utf-8")
    (base / "decisions.yaml").write_text(
        "SC.MSS/CONF.25: accepted\nSC.SSI/GEN.08: {decision: to-complete, comment: PSSI à dater}\n", encoding="utf-8"
    )
    reviewer = base / "reviewer"
    assert cli("keys", "--out", str(reviewer), "--editor", "Relecteur ARS Essai").returncode == 0
    # when the editor bundles with the attestations and the reviewer countersigns
    bundle = base / "bundle.zip"
    made = cli(
        "bundle",
        "--reports",
        str(reports),
        "--out",
        str(bundle),
        "--attestations",
        str(base / "attestations.yaml"),
        "--key",
        str(clean_run.keys / "signing-key.pem"),
    )
    assert made.returncode == 0, made.stderr
    signed = cli(
        "countersign",
        str(bundle),
        "--key",
        str(reviewer / "signing-key.pem"),
        "--decisions",
        str(base / "decisions.yaml"),
        "--trusted-key",
        str(clean_run.keys / "signing-key.pub.pem"),
    )
    assert signed.returncode == 0, signed.stdout + signed.stderr
    return {"bundle": bundle, "reviewer": reviewer, "base": base, "reports": reports}


def _verify(data: bytes, run: Run, reviewer: Path) -> VerifyReport:
    anchors = load_trust_anchors([run.keys / "signing-key.pub.pem", reviewer / "signing-key.pub.pem"])
    return verify_bytes(data, "bundle", anchors)


def _errors(report: VerifyReport) -> str:
    return " | ".join(f"{i.where}: {i.message}" for i in report.issues if i.severity == "error")


def _replace(data: bytes, name: str, content: bytes) -> bytes:
    archive = read_zip(data)
    members = [archive.members[n] if n != name else ArchiveMember.pack(n, content) for n in archive.order]
    created = json.loads(archive.contents["MANIFEST.json"])["created"]
    return build_zip(members, dos_timestamp(datetime.fromisoformat(created)))


def test_a_run_writes_the_official_list_with_every_id_of_the_account(clean_run: Run) -> None:
    matrix = json.loads((clean_run.reports / "coverage-matrix.json").read_text(encoding="utf-8"))
    account = load_account(profiles_dir())
    assert [o["id"] for o in matrix["official"]] == [e.id for e in account]
    assert {"id", "disposition", "requirements", "verdict"} <= set(matrix["official"][0])
    by_id = {o["id"]: o for o in matrix["official"]}
    assert by_id["SC.INS/va1.40"]["verdict"] == "pass"  # EXI SI 07, judged by the INS profile
    assert by_id["SC.INS/va1.53"]["verdict"] == "not-judged"  # also DMP-PUB-04: outside the INS profile
    assert by_id["SC.MSS/CONF.25"]["verdict"] == "not-judged"  # MSS is outside the INS profile
    rows = list(csv.DictReader(io.StringIO((clean_run.reports / "official-coverage.csv").read_text(encoding="utf-8"))))
    assert len(rows) == len(account)
    header = (clean_run.reports / "coverage-matrix.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.endswith("official_ids")


def test_attestations_and_countersignature_round_trip(reviewed: dict[str, Path], clean_run: Run) -> None:
    report = _verify(reviewed["bundle"].read_bytes(), clean_run, reviewed["reviewer"])
    assert report.valid, _errors(report)
    assert report.review is not None and report.review.attestation_files == 3
    sig = report.review.countersignature
    assert sig is not None and sig.valid and sig.trusted
    assert sig.decisions["SC.SSI/GEN.08"] == {"decision": "to-complete", "comment": "PSSI à dater"}
    text = cli("verify", str(reviewed["bundle"]), "--trusted-key", str(clean_run.keys / "signing-key.pub.pem"))
    assert "signature: valid" in text.stdout and "countersignature: valid" in text.stdout
    tested = (report.review.official_counts.get("disposition") or {}).get("tested", 0)
    assert tested >= 26  # the account's tested rows in the profile's scope, as the bundle states them
    assert "attestations: 3" in text.stdout and f"official requirements: {tested} tested" in text.stdout
    declared = json.loads(read_zip(reviewed["bundle"].read_bytes()).contents[DECLARATIONS])
    assert [a["id"] for a in declared["attestations"]] == ["SC.SSI/GEN.08", "SC.DMP/UX.11"]


def test_a_changed_attestation_file_is_named(reviewed: dict[str, Path], clean_run: Run) -> None:
    data = reviewed["bundle"].read_bytes()
    member = "attestations/files/SC.SSI_GEN.08/pssi-antivirus.pdf"
    report = _verify(_replace(data, member, b"%PDF-1.4\n% autre PSSI\n"), clean_run, reviewed["reviewer"])
    assert not report.valid and member in _errors(report)


def test_a_changed_countersignature_is_named(reviewed: dict[str, Path], clean_run: Run) -> None:
    data = reviewed["bundle"].read_bytes()
    doc = json.loads(read_zip(data).contents[COUNTERSIGNATURE])
    doc["signed"]["decisions"]["SC.MSS/CONF.25"]["decision"] = "refused"
    altered = (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
    report = _verify(_replace(data, COUNTERSIGNATURE, altered), clean_run, reviewed["reviewer"])
    assert not report.valid
    assert "COUNTERSIGNATURE.json: the reviewer's signature does not match" in _errors(report)


def test_a_countersignature_moved_to_another_bundle_is_named(reviewed: dict[str, Path], clean_run: Run) -> None:
    countersignature = read_zip(reviewed["bundle"].read_bytes()).contents[COUNTERSIGNATURE]
    other = read_zip(clean_run.bundle.read_bytes())
    members = [other.members[n] for n in other.order] + [
        ArchiveMember.pack(COUNTERSIGNATURE, countersignature, compress=False)
    ]
    created = json.loads(other.contents["MANIFEST.json"])["created"]
    report = _verify(
        build_zip(members, dos_timestamp(datetime.fromisoformat(created))), clean_run, reviewed["reviewer"]
    )
    assert "names another MANIFEST.json" in _errors(report)


def test_the_proof_export_has_one_entry_per_tested_official_requirement(
    reviewed: dict[str, Path], clean_run: Run
) -> None:
    out = reviewed["base"] / "proofs"
    made = cli("proofs", str(reviewed["bundle"]), "--out", str(out))
    assert made.returncode == 0, made.stdout + made.stderr
    rows = list(csv.DictReader(io.StringIO((out / "index.csv").read_text(encoding="utf-8"))))
    account = load_account(profiles_dir())
    tested = {e.id for e in account if e.disposition in ("tested", "partly")}
    assert {r["official_id"] for r in rows} == tested | {"SC.SSI/GEN.08", "SC.DMP/UX.11"}
    verdicts = [r for r in rows if r["kind"] == "verdict"]
    assert {r["official_id"] for r in verdicts} >= tested
    first = next(r for r in rows if r["official_id"] == "SC.INS/va1.53" and r["kind"] == "exchange")
    assert first["sha256"] == first["bundle_sha256"] and (out / first["file"]).is_file()
    assert any(r["kind"] == "attestation" and r["official_id"] == "SC.SSI/GEN.08" for r in rows)
    assert "<script" not in (out / "index.html").read_text(encoding="utf-8")
    assert cli("proofs", str(reviewed["bundle"]), "--check", str(out)).returncode == 0
    (out / first["file"]).write_bytes(b"changed")
    checked = cli("proofs", str(reviewed["bundle"]), "--check", str(out))
    assert checked.returncode == 1 and first["file"] in checked.stdout


def test_no_proof_from_a_bundle_that_does_not_verify(reviewed: dict[str, Path], clean_run: Run, tmp_path: Path) -> None:
    data = reviewed["bundle"].read_bytes()
    broken = tmp_path / "broken.zip"
    broken.write_bytes(_replace(data, "coverage-matrix.json", b"{}"))
    result = cli("proofs", str(broken), "--out", str(tmp_path / "out"))
    assert result.returncode == 1 and not (tmp_path / "out").exists()


def test_an_unknown_official_id_in_the_attestations_is_refused(tmp_path: Path, clean_run: Run) -> None:
    (tmp_path / "a.yaml").write_text(
        "attestations:\n  - {id: SC.XYZ.01, kind: attestation, statement: un texte assez long}\n", encoding="utf-8"
    )
    result = cli(
        "bundle",
        "--reports",
        str(clean_run.reports),
        "--out",
        str(tmp_path / "b.zip"),
        "--attestations",
        str(tmp_path / "a.yaml"),
    )
    assert result.returncode == 2 and "SC.XYZ.01" in result.stderr


def test_reports_show_the_official_ids_beside_the_project_ids(clean_run: Run) -> None:
    page = (clean_run.reports / "conformity-matrix.html").read_text(encoding="utf-8")
    assert "SC.INS/va1.53" in page and "Exigences officielles Ségur" in page
    assert page.count("<td class='id'>SC.") + page.count("<td class='id'>RI.") == len(load_account(profiles_dir()))
    labels = [
        label
        for result in (clean_run.reports / "allure-results").glob("*-result.json")
        for label in json.loads(result.read_text(encoding="utf-8")).get("labels", [])
    ]
    assert {"name": "official", "value": "SC.INS/va1.53"} in labels
    assert {"name": "tag", "value": "SC.INS/va1.53"} in labels


def test_a_bundle_that_does_not_verify_is_not_countersigned(
    reviewed: dict[str, Path], clean_run: Run, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.zip"
    broken.write_bytes(_replace(reviewed["bundle"].read_bytes(), "run.json", b"{}"))
    before = broken.read_bytes()
    result = cli("countersign", str(broken), "--key", str(reviewed["reviewer"] / "signing-key.pem"))
    assert result.returncode == 1 and "not countersigned" in result.stderr
    assert broken.read_bytes() == before


def test_run_with_attestations_shows_them_as_declared_and_bundles_their_files(tmp_path: Path, clean_run: Run) -> None:
    # given an editor's declaration with one file
    (tmp_path / "cgu.pdf").write_bytes(b"%PDF-1.4\n% CGU PSC acceptees\n")
    (tmp_path / "att.yaml").write_text(
        "attestations:\n  - id: SC.PSC.07@v1\n    kind: attestation\n"
        "    statement: Conditions générales de PSC acceptées.\n    files: [cgu.pdf]\n",
        encoding="utf-8",
    )
    # when the PSC profile runs with it
    reports = tmp_path / "reports"
    result = harness(
        "run",
        "--profile",
        "psc",
        "--reports",
        str(reports),
        "--no-report",
        "-q",
        "--attestations",
        str(tmp_path / "att.yaml"),
        "--key",
        str(clean_run.keys / "signing-key.pem"),
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    # then the official list shows it as declared, and the signed bundle carries the file
    matrix = json.loads((reports / "coverage-matrix.json").read_text(encoding="utf-8"))
    item = next(o for o in matrix["official"] if o["id"] == "SC.PSC.07@v1")
    assert item["verdict"] == "attestation" and item["declared"]["files"] == ["attestations/files/SC.PSC.07@v1/cgu.pdf"]
    report = verify_bytes(
        (reports / "evidence-bundle.zip").read_bytes(),
        "bundle",
        load_trust_anchors([clean_run.keys / "signing-key.pub.pem"]),
    )
    assert report.valid and report.review is not None and report.review.attestation_files == 1
    assert "official coverage" in result.stdout


def test_a_failed_official_requirement_carries_its_findings_into_the_proofs(tmp_path: Path) -> None:
    # given the signed bundle of a run where the reference DUI accepts an ID token issued to another client
    # (PSC-IDT-03 fails: it answers official ids; the wrong INS key of ``defect_run`` fails INS-KEY-01 alone,
    # which no official id names, the requirements it blocks being not judged)
    reports = tmp_path / "reports"
    bundle = tmp_path / "defect.zip"
    result = harness(
        "run",
        "--profile",
        "psc",
        "--reports",
        str(reports),
        "--no-report",
        "-q",
        "--no-bundle",
        "--defect",
        "psc_accept_wrong_audience",
    )
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]
    assert cli("bundle", "--reports", str(reports), "--out", str(bundle)).returncode == 0
    matrix = json.loads((reports / "coverage-matrix.json").read_text(encoding="utf-8"))
    failed = [o for o in matrix["official"] if o["verdict"] == "fail"]
    assert failed, "a failing project requirement must fail the official requirements it tests"
    # when its proofs are exported
    out = tmp_path / "proofs"
    assert cli("proofs", str(bundle), "--out", str(out)).returncode == 0
    rows = list(csv.DictReader(io.StringIO((out / "index.csv").read_text(encoding="utf-8"))))
    page = next(r for r in rows if r["official_id"] == failed[0]["id"] and r["kind"] == "verdict")
    # then its verdict page says fail and shows the findings
    text = (out / page["file"]).read_text(encoding="utf-8")
    assert page["verdict"] == "fail" and "✘" in text
