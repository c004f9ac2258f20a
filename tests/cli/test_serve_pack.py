"""``serve --cda-pack`` hands the official pack (compiled once, before any simulator serves) to every simulator
that judges CDA documents, as ``run`` does; ``--schematron-engine`` chooses how its schematrons are compiled and
travels with the pack, never through an environment variable read by the validators (issue 10 item 3)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from harness.cli import serve
from harness.plugin.options import RunSettings
from harness.validators.cda.pack import ENGINE_ENV, CdaPack, CdaPackError, load_pack, resolve_pack
from mocks.common.setup import SimulatorSetup
from tests.cli.conftest import CliRun

XSD = b'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="ClinicalDocument"/></xs:schema>'


def _pack(root: Path) -> Path:
    """A pack folder with the TestContenuCDA layout and nothing to compile but its schema."""
    (root / "infrastructure" / "cda").mkdir(parents=True)
    (root / "infrastructure" / "cda" / "CDA_extended.xsd").write_bytes(XSD)
    (root / "schematrons").mkdir()
    return root


def test_serve_hands_the_prepared_pack_and_its_engine_to_every_simulator(
    tmp_path: Path, cli: Callable[..., CliRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given serve asked for a pack compiled by the ANS route, and the XDS schemas
    pack_dir, schemas = _pack(tmp_path / "pack"), tmp_path / "xds"
    schemas.mkdir()
    setups: list[SimulatorSetup] = []

    class Spy:
        def __init__(self, setup: SimulatorSetup) -> None:
            setups.append(setup)

        def start(self) -> Spy:
            return self

        def stop(self) -> None:
            pass

        def serve_lines(self) -> list[str]:
            return []

    monkeypatch.setattr(serve, "resolve", lambda name: Spy)
    monkeypatch.setattr(serve, "_follow", lambda recorder, args: None)
    reports = tmp_path / "reports"
    args = ["serve", "--free-ports", "--no-tls", "--reports", str(reports), "--cda-pack", str(pack_dir)]
    run = cli(*args, "--schematron-engine", "ans", "--xds-schemas", str(schemas))
    # then the pack was compiled before the simulators were made, and each got it with its engine
    assert run.code == 0, run.err
    assert "CDA pack prepared" in run.out
    assert setups and all(isinstance(s.cda_pack, CdaPack) for s in setups)
    assert {(s.cda_pack.root, s.cda_pack.route) for s in setups if s.cda_pack} == {(pack_dir.resolve(), "ans")}
    assert all(s.cda_warmup is not None and s.cda_warmup.done for s in setups)
    assert all(s.options.get("xds_schemas") == schemas.resolve() for s in setups)


def test_serve_refuses_a_folder_that_is_no_pack(tmp_path: Path, cli: Callable[..., CliRun]) -> None:
    run = cli("serve", "--free-ports", "--reports", str(tmp_path), "--cda-pack", str(tmp_path / "absent"))
    assert run.code != 0 and "dossier introuvable / CDA artefact pack" in run.err


def test_the_engine_travels_with_the_runs_pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pack_dir = _pack(tmp_path / "pack")
    # the run's settings hand the pack with its engine and pins (what simulators and suites receive)
    settings = RunSettings(
        cda_pack=pack_dir, schematron_engine="ans", cda_model_versions=(("DLU-EHPAD-DLU", "2022.01"),)
    )
    pack = settings.cda()
    assert pack is not None and pack.route == "ans" and pack.model_versions == (("DLU-EHPAD-DLU", "2022.01"),)
    # a judgement made with another engine is not the same pack's (the suites then judge again)
    assert pack != load_pack(pack_dir, model_versions=pack.model_versions)
    # the environment variable is only the commands' default, read when the pack is resolved
    monkeypatch.setenv(ENGINE_ENV, "ans")
    resolved = resolve_pack(pack_dir)
    assert resolved is not None and resolved.route == "ans"
    assert load_pack(pack_dir).route == "harness"  # the library never reads it
    with pytest.raises(CdaPackError, match="unknown schematron engine"):
        load_pack(pack_dir, route="saxon")
