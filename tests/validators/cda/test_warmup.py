"""The run compiles its CDA pack's artefacts before the DUI is triggered (issue 10 item 3): a judgement
with the pack afterwards compiles nothing; what cannot be compiled is said, never raised."""

from __future__ import annotations

from pathlib import Path

from harness.validators.cda import CdaPack, validate_cda
from harness.validators.cda.schematron_run import SCHEMATRON_STATS
from harness.validators.cda.warmup import warm_up, warmed_files
from tests.validators.cda.conftest import example


def test_a_warmed_pack_judges_without_compiling(pack: CdaPack) -> None:
    # given the run's pack with a pinned content model, compiled in the background
    pinned = pack.pinned([("DLU-EHPAD-DLU", "2022.01")])
    warmup = warm_up(pinned)
    # when the run waits for it
    assert warmup.wait(900)
    # then the XSD, the structuration minimale, the cross-cutting profiles and the pinned model are compiled
    assert "infrastructure/cda/CDA_extended.xsd" in warmup.compiled
    assert "schematrons/profils/structurationMinimale/ASIP-STRUCT-MIN-StrucMin.sch" in warmup.compiled
    assert "schematrons/CI-SIS_DLU-EHPAD-DLU_2022.01.sch" in warmup.compiled
    assert len(warmup.compiled) == len(warmed_files(pinned)) + 1 - len(warmup.not_compiled)
    assert "compiled in" in warmup.describe()
    # and a DLU judged with the pack afterwards compiles nothing more
    before = dict(SCHEMATRON_STATS)
    report = validate_cda(example("DLU-EHPAD-DLU_2022.01.xml"), pack=pinned)
    assert SCHEMATRON_STATS["xslt_compiled"] == before["xslt_compiled"]
    assert SCHEMATRON_STATS["sch_compiled"] == before["sch_compiled"]
    assert any(layer.ran and "StrucMin" in layer.name for layer in report.layers)


def test_what_cannot_be_compiled_is_said_never_raised(tmp_path: Path) -> None:
    # given a folder with the pack's layout but no schematron and a broken schema
    (tmp_path / "infrastructure" / "cda").mkdir(parents=True)
    (tmp_path / "infrastructure" / "cda" / "CDA_extended.xsd").write_text("<not a schema/>")
    (tmp_path / "schematrons").mkdir()
    warmup = warm_up(CdaPack(tmp_path), background=False)
    # then nothing is compiled, and each artefact says why
    assert warmup.done and warmup.compiled == []
    assert len(warmup.not_compiled) == 1 + len(warmed_files(CdaPack(tmp_path)))
    assert "not compiled" in warmup.describe()
