"""``verify`` states trust and bounds its manifest parser (issue 17, defect 10 and defect 7)."""

from __future__ import annotations

import io
import json
import stat
import zipfile

from harness.evidence.bundle import MANIFEST
from harness.evidence.verify import INTACT_UNVERIFIED, verify_bytes
from tests.evidence.conftest import Run, cli


def test_bundle_and_exchanges_are_private(clean_run: Run) -> None:
    assert stat.S_IMODE(clean_run.bundle.stat().st_mode) == 0o600
    exchanges = clean_run.reports / "exchanges"
    assert stat.S_IMODE(exchanges.stat().st_mode) == 0o700
    assert {stat.S_IMODE(f.stat().st_mode) for f in exchanges.iterdir()} == {0o600}


def test_without_a_trusted_key_an_intact_bundle_is_never_valid(clean_run: Run) -> None:
    # when the bundle is verified without --trusted-key (anyone could have re-signed it)
    text = cli("verify", str(clean_run.bundle))
    data = cli("verify", str(clean_run.bundle), "--json")
    # then the verdict says intact but signer not verified, with its own exit code
    assert text.returncode == 5 and "INTACT, SIGNATAIRE NON VÉRIFIÉ / INTACT, SIGNER NOT VERIFIED" in text.stdout
    assert "VALIDE / VALID" not in text.stdout
    report = json.loads(data.stdout)
    assert data.returncode == 5 and report["verdict"] == INTACT_UNVERIFIED
    assert report["intact"] is True and report["valid"] is False
    # and with the editor's key it is VALID, exit 0
    trusted = cli("verify", str(clean_run.bundle), "--trusted-key", str(clean_run.keys / "signing-key.pub.pem"))
    assert trusted.returncode == 0 and "VALIDE / VALID" in trusted.stdout


def test_a_manifest_nested_100k_deep_is_a_clear_error() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(MANIFEST, b"[" * 100_000 + b"]" * 100_000)
    report = verify_bytes(buffer.getvalue(), "deep.zip", [])
    assert not report.valid
    assert any(i.where == MANIFEST and "nested deeper" in i.message for i in report.issues), report.issues
