"""Any change of any byte of a bundle is detected and named: proven on a bundle of a real run.

The bundle comes from ``python -m harness run --profile ins`` against the reference DUI
(signed with a key from ``dui-harness keys``). Each test alters it one way and expects
``verify`` to call it invalid and to name the member (or the manifest, the signature, the
ZIP part) that changed.
"""

from __future__ import annotations

import io
import json
import shutil
import struct
import zipfile
from pathlib import Path

import pytest

from harness.evidence.bundle import MANIFEST, SIGNATURE, make_bundle
from harness.evidence.signing import Signer, load_signer, load_trust_anchors
from harness.evidence.sources import open_source
from harness.evidence.verify import VerifyReport, verify_bytes
from harness.paths import profiles_dir
from tests.evidence.conftest import Run, cli


def verify(data: bytes, run: Run) -> VerifyReport:
    return verify_bytes(data, "bundle", load_trust_anchors([run.keys / "signing-key.pub.pem"]))


def flip(data: bytes, offset: int) -> bytes:
    return data[:offset] + bytes([data[offset] ^ 0x01]) + data[offset + 1 :]


def named(report: VerifyReport, *names: str) -> bool:
    text = " | ".join(f"{i.where}: {i.message}" for i in report.issues if i.severity == "error")
    return any(name in text for name in names)


@pytest.fixture(scope="module")
def original(clean_run: Run) -> bytes:
    return clean_run.bundle.read_bytes()


def test_the_untouched_bundle_is_valid_and_trusted(original: bytes, clean_run: Run) -> None:
    report = verify(original, clean_run)
    assert report.valid, report.issues
    assert report.signature is not None and report.signature.trusted and not report.signature.one_time_key
    assert report.profile_status == "known"
    assert "Éditeur Exemple SAS" in str(report.signature.subject)
    assert len(report.contents) > 100  # results, exchanges, profile, matrix…


def test_a_flipped_byte_in_every_member_is_named(original: bytes, clean_run: Run) -> None:
    archive = zipfile.ZipFile(io.BytesIO(original))
    missed = []
    for info in archive.infolist():
        start = info.header_offset + 30 + len(info.filename.encode("utf-8"))
        # the middle of the stored data, or the member's name in its local header when it is empty
        offset = start + info.compress_size // 2 if info.compress_size else start - 1
        report = verify(flip(original, offset), clean_run)
        expected = (MANIFEST, SIGNATURE) if info.filename == MANIFEST else (info.filename,)
        if report.valid or not named(report, *expected):
            missed.append(info.filename)
    assert not missed, f"{len(missed)} altered member(s) not detected or not named: {missed[:10]}"
    assert len(archive.infolist()) > 100


def _central_entries(data: bytes) -> list[tuple[int, str]]:
    count, _, offset = struct.unpack_from("<HII", data, len(data) - 22 + 10)
    entries, pos = [], offset
    for _ in range(count):
        name_len, extra, comment = struct.unpack_from("<HHH", data, pos + 28)
        entries.append((pos, data[pos + 46 : pos + 46 + name_len].decode("utf-8")))
        pos += 46 + name_len + extra + comment
    return entries


@pytest.mark.parametrize(
    ("field", "delta"),
    [
        ("version made by", 4),
        ("flags", 8),
        ("method", 10),
        ("time", 12),
        ("date", 14),
        ("crc", 16),
        ("compressed size", 20),
        ("size", 24),
        ("name length", 28),
        ("external attributes", 38),
        ("local header offset", 42),
        ("name", 46),
    ],
)
def test_central_directory_fields_and_names(original: bytes, clean_run: Run, field: str, delta: int) -> None:
    entries = _central_entries(original)
    picked = [*entries[:: max(1, len(entries) // 12)], entries[-1]]
    for pos, name in picked:
        report = verify(flip(original, pos + delta), clean_run)
        assert not report.valid, f"{field} of {name}"
        assert named(report, name, "zip"), (field, name, report.issues[:3])


def test_local_header_names_and_end_record(original: bytes, clean_run: Run) -> None:
    archive = zipfile.ZipFile(io.BytesIO(original))
    for info in archive.infolist()[::40]:
        report = verify(flip(original, info.header_offset + 30), clean_run)  # first byte of the local name
        assert not report.valid and named(report, info.filename), info.filename
    for back in range(1, 23):  # every byte of the end-of-central-directory record
        report = verify(flip(original, len(original) - back), clean_run)
        assert not report.valid and named(report, "zip"), back


def test_trailing_and_leading_bytes(original: bytes, clean_run: Run) -> None:
    assert named(verify(original + b"\0", clean_run), "zip")
    assert named(verify(b"PK" + original, clean_run), "zip")
    assert named(verify(original[:-30], clean_run), "zip")


def test_members_removed_added_renamed_or_rezipped(original: bytes, clean_run: Run) -> None:
    source = zipfile.ZipFile(io.BytesIO(original))
    victim = next(n for n in source.namelist() if n.startswith("exchanges/"))

    def rezip(skip: str | None = None, extra: tuple[str, bytes] | None = None, rename: str | None = None) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                if info.filename == skip:
                    continue
                name = rename if info.filename == victim and rename else info.filename
                target.writestr(name, source.read(info.filename))
            if extra:
                target.writestr(*extra)
        return out.getvalue()

    removed = verify(rezip(skip=victim), clean_run)
    assert named(removed, victim) and any("missing" in i.message for i in removed.issues)
    added = verify(rezip(extra=("exchanges/99999-INSi-forged.json", b"{}")), clean_run)
    assert any(i.where == "exchanges/99999-INSi-forged.json" and "extra member" in i.message for i in added.issues)
    renamed = verify(rezip(rename=victim + ".bak"), clean_run)
    assert named(renamed, victim) and named(renamed, victim + ".bak")
    rezipped = verify(rezip(), clean_run)  # same contents, another ZIP writer: the structure is not the signed one
    assert not rezipped.valid and named(rezipped, "zip entry")


def test_resigned_with_another_key_is_not_trusted(clean_run: Run) -> None:
    # given an attacker who rebuilds the bundle with changed verdicts and signs it with their own key
    data, _, _ = make_bundle(open_source(clean_run.reports), Signer.one_time_key())
    report = verify(data, clean_run)
    # then everything is consistent but the signer is not the trusted editor
    assert not report.valid
    assert any(i.where == SIGNATURE and "not trusted" in i.message for i in report.issues)


def test_altered_profile_is_named_even_when_resigned(clean_run: Run, tmp_path: Path) -> None:
    # given a run whose profile file was changed after the run, then bundled by the editor's own key
    data, _, _ = make_bundle(open_source(clean_run.reports), load_signer(clean_run.keys / "signing-key.pem"))
    archive = zipfile.ZipFile(io.BytesIO(data))
    profile = archive.read("profile/profile.toml") + b'\n# exclude = ["INS-KEY-01"]\n'
    fake_root = tmp_path / "profiles"
    shutil.copytree(profiles_dir(), fake_root)
    (fake_root / "ins" / "2026.1" / "profile.toml").write_bytes(profile)
    # when it is verified against a harness whose shipped profile differs
    report = verify_bytes(
        data, "b", load_trust_anchors([clean_run.keys / "signing-key.pub.pem"]), profiles_root=fake_root
    )
    # then the profile is reported altered (the bundle itself is intact)
    assert report.profile_status == "altered" and named(report, "profile/profile.toml")
    shutil.rmtree(fake_root / "ins")
    unknown = verify_bytes(data, "b", [], profiles_root=fake_root)
    assert unknown.profile_status == "unknown" and not unknown.valid


def test_cli_exit_codes_and_json(clean_run: Run, tmp_path: Path) -> None:
    pub = str(clean_run.keys / "signing-key.pub.pem")
    ok = cli("verify", str(clean_run.bundle), "--trusted-key", pub, "--json")
    assert ok.returncode == 0, ok.stdout[-2000:]
    data = json.loads(ok.stdout)
    assert data["valid"] and data["signature"]["trusted"] and data["profile"]["status"] == "known"
    assert data["services"]["INS"]["pass"] >= 10 and data["dui"]["name"] == "DUI de référence dui-harness"
    tampered = tmp_path / "tampered.zip"
    original = clean_run.bundle.read_bytes()
    tampered.write_bytes(flip(original, len(original) // 2))
    bad = cli("verify", str(tampered), "--trusted-key", pub)
    assert bad.returncode == 1 and "INVALIDE / INVALID" in bad.stdout
    missing = cli("verify", str(tmp_path / "nope.zip"))
    assert missing.returncode == 2 and "no such bundle" in missing.stderr
    not_zip = tmp_path / "text.zip"
    not_zip.write_text("hello", encoding="utf-8")
    assert cli("verify", str(not_zip)).returncode == 1
