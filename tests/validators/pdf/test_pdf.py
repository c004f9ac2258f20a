"""harness.validators.pdf and ``dui-harness validate pdf``: PDF/A-1, identity block, INS datamatrix."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pikepdf
import pytest

import reference_dui.mssante.pdf as reference_pdf
from harness.validators.pdf import InsIdentity, validate_pdf
from harness.validators.pdf import render as pdf_render
from harness.validators.pdf.ins_datamatrix import parse_2ddoc
from reference_dui.mssante.pdf import PrintedIdentity, build_pdf, datamatrix_content
from tests.cli.conftest import CliRun

INS, OID = "244037505690173", "1.2.250.1.213.1.4.10"
PRINTED = PrintedIdentity("ROUX-MSSESSAI", ("HELENE", "MARIE"), "F", "1944-03-09", "75056", INS, OID)
CDA = InsIdentity(INS, OID, "ROUX-MSSESSAI", "HELENE MARIE", "HELENE", "F", "19440309", "75056")
UNQUALIFIED = InsIdentity("", "", "ROUX-MSSESSAI", "HELENE MARIE", "HELENE", "F", "19440309", "75056")


def _requirements(data: bytes, identity: InsIdentity | None = CDA) -> set[str]:
    return {f.requirement for f in validate_pdf(data, identity=identity).findings}


def _rules(data: bytes) -> set[str]:
    return {f.rule for f in validate_pdf(data, identity=CDA).findings}


def _edited(edit: Callable[[pikepdf.Pdf], None], **save: object) -> bytes:
    with pikepdf.open(io.BytesIO(build_pdf(PRINTED, "Note", "Corps"))) as pdf:
        edit(pdf)
        out = io.BytesIO()
        pdf.save(out, **save)  # type: ignore[arg-type]
        return out.getvalue()


def test_the_reference_pdf_a1_copy_passes_every_check() -> None:
    # given the reference DUI's PDF/A-1 copy of a qualified person's document
    report = validate_pdf(build_pdf(PRINTED, "Note", "Corps"), identity=CDA)
    # then it is PDF/A-1b, its identity block and its datamatrix match the CDA
    assert report.findings == [] and report.not_judged == {}
    assert (report.pdfa.part, report.pdfa.conformance) == ("1", "B")
    assert report.datamatrix[0].fields["S8"] == INS and report.datamatrix[0].fields["S9"] == OID


@pytest.mark.parametrize(
    ("defect", "requirement"),
    [
        ("mss_pdf_not_pdfa", "MSS-PDF-02"),
        ("mss_pdf_no_identity_block", "MSS-PDF-03"),
        ("mss_pdf_datamatrix_mismatch", "MSS-PDF-04"),
    ],
)
def test_each_defect_breaks_exactly_its_requirement(defect: str, requirement: str) -> None:
    assert _requirements(build_pdf(PRINTED, "Note", "Corps", {defect})) == {requirement}


def test_a_datamatrix_for_an_identity_that_is_not_qualified_is_a_finding() -> None:
    # given a PDF with an INS datamatrix, when its CDA carries no qualified INS
    found = validate_pdf(build_pdf(PRINTED, "Note", "Corps"), identity=UNQUALIFIED).findings
    assert [f.rule for f in found] == ["pdf.datamatrix.unqualified"]


def test_no_datamatrix_for_a_qualified_identity_is_a_finding() -> None:
    plain = PrintedIdentity("ROUX-MSSESSAI", ("HELENE", "MARIE"), "F", "1944-03-09", "75056")
    assert "pdf.datamatrix.missing" in _rules(build_pdf(plain, "Note", "Corps"))


def test_missing_decoder_leaves_the_datamatrix_not_judged(monkeypatch: pytest.MonkeyPatch) -> None:
    # given a machine without a Data Matrix decoder (no zxing-cpp, no libdmtx)
    monkeypatch.setattr(pdf_render, "decoder", lambda: pdf_render.Unavailable("no decoder here"))
    report = validate_pdf(build_pdf(PRINTED, "Note", "Corps", {"mss_pdf_datamatrix_mismatch"}), identity=CDA)
    # then the datamatrix is not judged (neither failed nor passed) and the rest still is
    assert report.not_judged == {"MSS-PDF-04": "no decoder here"}
    assert report.findings == []


def test_missing_renderer_leaves_identity_and_datamatrix_not_judged(monkeypatch: pytest.MonkeyPatch) -> None:
    def absent() -> object:
        raise ImportError("No module named 'pypdfium2'")

    monkeypatch.setattr(pdf_render, "_pdfium", absent)
    report = validate_pdf(build_pdf(PRINTED, "Note", "Corps"), identity=CDA)
    assert set(report.not_judged) == {"MSS-PDF-03", "MSS-PDF-04"} and report.findings == []


def test_encryption_javascript_and_transparency_are_findings() -> None:
    encrypted = _edited(lambda pdf: None, encryption=pikepdf.Encryption(owner="o", user="", R=4))
    assert "pdf.file.encrypted" in _rules(encrypted)

    def javascript(pdf: pikepdf.Pdf) -> None:
        action = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)"))
        pdf.Root.OpenAction = action

    assert "pdf.action.forbidden" in _rules(_edited(javascript))

    def transparency(pdf: pikepdf.Pdf) -> None:
        state = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.ExtGState, ca=0.5))
        pdf.pages[0].Resources.ExtGState = pikepdf.Dictionary(GS9=state)

    assert "pdf.transparency.alpha" in _rules(_edited(transparency))


def test_a_pdf_of_another_pdfa_part_is_not_pdf_a1() -> None:
    def part2(pdf: pikepdf.Pdf) -> None:
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["pdfaid:part"] = "2"

    assert "pdf.pdfa.part" in _rules(_edited(part2))


def test_the_datamatrix_content_is_a_2ddoc_with_the_ins_fields() -> None:
    content = parse_2ddoc(datamatrix_content(PRINTED).encode("latin-1"))
    assert content.version == "04" and content.fields["S3"] == "ROUX-MSSESSAI" and content.fields["S6"] == "09031944"


def test_garbage_is_a_broken_document_not_a_crash() -> None:
    report = validate_pdf(b"%PDF-1.4\n garbage \x00\xff" * 10)
    assert not report.pdfa.opened and {f.requirement for f in report.findings} == {"MSS-PDF-02"}


# -- dui-harness validate pdf --------------------------------------------------------------------


def test_validate_pdf_exit_codes(cli: Callable[..., CliRun], tmp_path: Path) -> None:
    # given a good copy, a plain PDF and a file that is not a PDF
    good, plain, broken = tmp_path / "good.pdf", tmp_path / "plain.pdf", tmp_path / "broken.pdf"
    good.write_bytes(build_pdf(PRINTED, "Note", "Corps"))
    plain.write_bytes(build_pdf(PRINTED, "Note", "Corps", {"mss_pdf_not_pdfa"}))
    broken.write_bytes(b"not a pdf at all")
    # then: valid 0, non-conformity 1, broken document 1 with one finding, missing file 2
    assert cli("validate", "pdf", str(good)).code == 0
    run = cli("validate", "pdf", "--json", str(plain))
    assert run.code == 1 and {f["requirement"] for f in json.loads(run.out)["results"][0]["findings"]} == {"MSS-PDF-02"}
    run = cli("validate", "pdf", "--json", str(broken))
    findings = json.loads(run.out)["results"][0]["findings"]
    assert run.code == 1 and [f["rule"] for f in findings] == ["pdf.file.header"]
    assert "unusable document" in findings[0]["message"]
    assert cli("validate", "pdf", str(tmp_path / "absent.pdf")).code == 2


def test_a_huge_page_is_rendered_within_the_pixel_bound() -> None:
    # given a 5 m x 5 m page (a 3x rendering would need 2.6 gigapixels)
    def huge(pdf: pikepdf.Pdf) -> None:
        pdf.pages[0].MediaBox = pikepdf.Array([0, 0, 14400, 14400])

    report = validate_pdf(_edited(huge), identity=CDA)
    # then it is judged (rendered at a lower scale), with no harness fault
    assert report.not_judged == {} and "pdf.file.unreadable" not in {f.rule for f in report.findings}


def test_a_copy_is_the_same_bytes_for_the_same_inputs_and_its_cache_key_holds_every_pdf_switch() -> None:
    # the copies are kept by their inputs: only the switches that change a copy are part of the key
    source = Path(reference_pdf.__file__).read_text(encoding="utf-8")
    assert set(re.findall(r'"(mss_pdf_[a-z_]+)"', source)) == reference_pdf.PDF_DEFECTS
    first = build_pdf(PRINTED, "Note", "Corps", {"mss_no_nil"})
    reference_pdf._build.cache_clear()
    assert build_pdf(PRINTED, "Note", "Corps") == first  # rebuilt: the same bytes (deterministic /ID)
    assert build_pdf(PRINTED, "Note", "Corps", {"mss_pdf_datamatrix_mismatch"}) != first


def test_a_copy_without_its_identity_block_keeps_a_readable_datamatrix_whatever_the_day() -> None:
    # given the reference DUI's copy with the mss_pdf_no_identity_block defect and a long body line, issued on each
    # of fourteen days (the symbol's content holds the day): then its datamatrix reads every day, so the switch breaks
    # MSS-PDF-03 only (the body was moved up into the symbol: unreadable on 6 of these 14 days)
    body = (
        "Document de liaison transmis par le DUI de référence (messagerie sécurisée de santé, essai).\n"
        "Ce message a été généré automatiquement : merci de ne pas y répondre directement, écrivez à "
        "accueil.ehpad-essai@ehpad-essai.mssante.fr."
    )
    defects = frozenset({"mss_pdf_no_identity_block"})
    for day in (date(2026, 12, 1) + timedelta(days=k) for k in range(14)):
        copy = reference_pdf._build(PRINTED, "Note de liaison de l'EHPAD", body, defects, day)
        assert len(pdf_render.datamatrix_payloads(copy)) == 1, day  # type: ignore[arg-type]
