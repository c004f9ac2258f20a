"""The evidence bundle of a real run: what it holds, its manifest, its identity, its conformity matrix."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import struct
import zipfile
from html.parser import HTMLParser
from pathlib import Path

from harness.evidence.bundle import make_bundle
from harness.evidence.signing import Signer
from harness.evidence.sources import open_source
from harness.evidence.verify import verify_bytes
from tests.evidence.conftest import Run, cli, synthetic_reports


def members(bundle: Path) -> dict[str, bytes]:
    archive = zipfile.ZipFile(bundle)
    return {name: archive.read(name) for name in archive.namelist()}


def test_the_bundle_holds_every_output_of_the_run_and_no_secret(clean_run: Run) -> None:
    files = members(clean_run.bundle)
    names = list(files)
    assert names[:2] == ["MANIFEST.json", "MANIFEST.sig"]
    for required in (
        "run.json",
        "junit.xml",
        "coverage-matrix.json",
        "coverage-matrix.csv",
        "usage.json",
        "conformity-matrix.html",
        "README.txt",
        "profile/profile.toml",
        "profile/requirements.json",
        "profile/catalog/ins.csv",
        "allure-results/environment.properties",
        "allure-results/categories.json",
    ):
        assert required in files, required
    assert any(n.startswith("exchanges/") and n.endswith(".request") for n in names)
    assert any(n.endswith("-result.json") for n in names)
    assert not any(n.startswith("pki/") or n.endswith((".key", ".sqlite3")) for n in names)
    # every exchange file of the run is there, byte for byte
    for path in (clean_run.reports / "exchanges").iterdir():
        assert files[f"exchanges/{path.name}"] == path.read_bytes()


def test_manifest_hashes_identity_and_profile(clean_run: Run) -> None:
    files = members(clean_run.bundle)
    manifest = json.loads(files["MANIFEST.json"])
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) == set(files) - {"MANIFEST.json", "MANIFEST.sig"}
    for name, entry in listed.items():
        assert entry["sha256"] == hashlib.sha256(files[name]).hexdigest() and entry["size"] == len(files[name])
    run = json.loads(files["run.json"])
    env = files["allure-results/environment.properties"].decode()
    # the DUI identity is the trigger API's info, as the Allure environment records it
    for key, prop in (
        ("name", "DUI.name"),
        ("version", "DUI.version"),
        ("editor", "DUI.editor"),
        ("build_id", "DUI.build"),
    ):
        assert f"{prop}={run['dui'][key]}" in env
        assert manifest["dui"][key] == run["dui"][key]
    assert manifest["profile"]["sha256"] == hashlib.sha256(files["profile/profile.toml"]).hexdigest()
    assert run["harness_version"] == manifest["harness_version"] and run["environment"]["python"]
    assert manifest["signer"]["subject"] and not manifest["signer"]["one_time_key"]


def test_bundle_verb_with_declared_identity(defect_run: Run, tmp_path: Path) -> None:
    # given a run made with --no-bundle (a copy of its reports: ``bundle`` writes the conformity matrix there)
    reports = shutil.copytree(defect_run.reports, tmp_path / "reports")
    assert not (reports / "evidence-bundle.zip").exists()
    out = tmp_path / "editor-bundle.zip"
    # when the editor bundles it, declaring the DUI's identity
    result = cli(
        "bundle",
        "--reports",
        str(reports),
        "--out",
        str(out),
        "--key",
        str(defect_run.keys / "signing-key.pem"),
        "--dui-name",
        "MonDUI",
        "--dui-version",
        "4.2.0",
        "--dui-editor",
        "Éditeur Exemple SAS",
        "--dui-build",
        "2026.03.14-b17",
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads(members(out)["MANIFEST.json"])
    assert manifest["dui"]["name"] == "MonDUI" and manifest["dui"]["build_id"] == "2026.03.14-b17"
    assert "declared on the command line" in manifest["dui"]["source"]
    assert (reports / "conformity-matrix.html").is_file()
    verified = cli("verify", str(out), "--trusted-key", str(defect_run.keys / "signing-cert.pem"))
    assert verified.returncode == 0 and "MonDUI 4.2.0" in verified.stdout and "✘ Non conforme" in verified.stdout


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.links += [v for k, v in attrs if k in ("href", "src") and v]


def test_conformity_matrix_names_reason_location_and_exchange(defect_run: Run, tmp_path: Path) -> None:
    _, _, files = make_bundle(open_source(defect_run.reports), Signer.one_time_key())
    page_text = files["conformity-matrix.html"].decode("utf-8")
    page = _Page()
    page.feed(page_text)
    # one self-contained file: no script, nothing loaded from elsewhere
    assert "script" not in page.tags and "link" not in page.tags and "img" not in page.tags
    assert all(not link.startswith(("http://127", "file:")) for link in page.links)
    # French first, English labels, verdict in words (not only colour)
    assert 'lang="fr"' in page_text and "Matrice de conformité" in page_text and "Conformity matrix" in page_text
    assert "✘ Non conforme / Fail" in page_text and "✔ Conforme / Pass" in page_text
    assert "Déclaré par l'éditeur, non testé / Declared by the editor, not tested" in page_text
    # the failed requirement shows the reason, the location and the exchange, whose file is in the bundle
    row = page_text[page_text.index('<td class="id">INS-KEY-01') :]
    row = row[: row.index("</tr>")]
    assert "Motif / Reason" in row and "NON-CONFORMITY" in row
    assert "Emplacement / Location" in row and "ins.value" in row
    exchange_links = re.findall(r'href="(exchanges/[^"]+)"', row)
    assert exchange_links and all(link in files for link in exchange_links)
    assert "DUI de référence dui-harness" in page_text and "wrong_ins_key" in page_text


def _structure_offsets(data: bytes) -> list[int]:
    """Every byte of every local header (with its name), of the central directory and of the end record."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    offsets: list[int] = []
    for info in archive.infolist():
        offsets += range(info.header_offset, info.header_offset + 30 + len(info.filename.encode()))
    cd_offset = struct.unpack_from("<I", data, len(data) - 6)[0]
    return offsets + list(range(cd_offset, len(data)))


def test_every_structural_byte_of_a_bundle_is_checked(socle_root: Path, tmp_path: Path) -> None:
    # given a small bundle (synthetic run of a synthetic profile)
    reports = synthetic_reports(tmp_path / "run", socle_root, {"T-DMP-02": "fail"})
    data, _, _ = make_bundle(open_source(reports), Signer.one_time_key(), profiles_root=socle_root)
    assert verify_bytes(data, "b", [], profiles_root=socle_root).valid
    # when any byte of its ZIP structure is flipped, then verify calls it invalid
    missed = [
        offset
        for offset in _structure_offsets(data)
        if verify_bytes(
            data[:offset] + bytes([data[offset] ^ 0x10]) + data[offset + 1 :], "b", [], profiles_root=socle_root
        ).valid
    ]
    assert not missed, missed[:20]
