"""``dui-harness pki``: writes the test PKI, lists each file's role and CN, reuses it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import CliRun

Cli = Callable[..., CliRun]


def test_pki_writes_files_and_explains_the_dui_setup(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "pki"
    run = cli("pki", "--out", str(out))
    assert run.code == 0, run.err
    assert run.out.startswith(f"Test PKI generated / générée: {out}")
    lines = run.out.splitlines()
    assert any(line.strip().startswith("client-insi-auto.pem") and line.endswith("CN=INSI-AUTO") for line in lines)
    assert any(line.strip().startswith("ca.pem") and "CN=AC IGC-SANTE" in line for line in lines)
    assert f"trust the CA / faire confiance à l'AC : {out / 'ca.pem'}" in run.out
    assert f"certificate {out / 'client-insi-auto.pem'}" in run.out
    assert f"key         {out / 'client-insi-auto.key'}" in run.out
    assert (out / "client-insi-auto.key").is_file()


def test_pki_reuses_then_force_regenerates(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "pki"
    cli("pki", "--out", str(out))
    ca = (out / "ca.pem").read_bytes()
    assert cli("pki", "--out", str(out)).out.startswith("Test PKI reused / réutilisée")
    assert (out / "ca.pem").read_bytes() == ca
    run = cli("pki", "--out", str(out), "--force")
    assert run.out.startswith("Test PKI generated")
    assert (out / "ca.pem").read_bytes() != ca


def test_pki_default_folder_is_reports_pki(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli("pki").code == 0
    assert (tmp_path / "reports" / "pki" / "ca.pem").is_file()


def test_pki_out_is_a_file(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x", encoding="utf-8")
    run = cli("pki", "--out", str(target))
    assert run.code == 2
    assert "is not a folder" in run.err and "Tip:" in run.err and "Traceback" not in run.err


def test_pki_lists_every_certificate_with_the_service_using_it(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "pki"
    run = cli("pki", "--out", str(out))
    lines = run.out.splitlines()
    for pem in sorted(p.name for p in out.glob("*.pem")):
        index = next(i for i, line in enumerate(lines) if line.strip().startswith(pem))
        assert "↳ service" in lines[index + 1], (pem, lines[index + 1])
    assert "client-mss-bal.pem" in run.out and "signing-vihf.pem" in run.out


def test_pki_writes_the_operator_certificates_a_dui_must_refuse(cli: Cli, tmp_path: Path) -> None:
    # given / when: the PKI is written
    out = tmp_path / "pki"
    run = cli("pki", "--out", str(out))
    # then the bad-server material is there, and listed
    bad = out / "bad-servers"
    for name in ("server-expired.pem", "server-revoked.pem", "server-other-ca.pem", "other-ca.pem", "crl.pem"):
        assert (bad / name).is_file(), name
        assert name in run.out
    assert "opérateurs que la DUI doit refuser" in run.out
