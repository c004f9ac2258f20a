"""The Data Matrix read in the area of a page's drawings gives what the whole page gives.

Every kind of copy the reference DUI makes, and pages altered around it (a second symbol,
smaller or alike, near or far; a symbol as an image, inverted, in a form XObject, on the
edge; a rotated or shifted page; an annotation; a drawing over the whole page; text only),
are read both ways: the same symbols, in the same order.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pikepdf
import pypdfium2
import pytest
from PIL import Image, ImageDraw
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from harness.validators.pdf import render
from harness.validators.pdf.symbol_area import symbol_area
from reference_dui.mssante.pdf import PDF_DEFECTS, PrintedIdentity, _dark_modules, build_pdf, datamatrix_content

INS, OID = "244037505690173", "1.2.250.1.213.1.4.10"
PRINTED = PrintedIdentity("ROUX-MSSESSAI", ("HELENE", "MARIE"), "F", "1944-03-09", "75056", INS, OID)
PLAIN = PrintedIdentity("ROUX-MSSESSAI", ("HELENE", "MARIE"), "F", "1944-03-09", "75056")
SHORT = "DC04FR0000001234"
Symbol = tuple[str, float, float, float]  # text, left, top, module size (points)


def _drawn(symbols: list[Symbol], *, image: bool = False, inverted: bool = False, text: bool = True) -> bytes:
    """A page with these symbols (vector modules, or one image each) and some text."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, invariant=True)
    if text:
        page.drawString(56, 780, "Note de liaison — ROUX-MSSESSAI HELENE")
    for content, x, top, module in symbols:
        dark = _dark_modules(content)
        side = max(max(r, c) for r, c in dark) + 1
        if image:
            picture = Image.new("L", (side, side), 255)
            draw = ImageDraw.Draw(picture)
            for row, column in dark:
                draw.point((column, row), 0)
            page.drawImage(ImageReader(picture), x, top - side * module, side * module, side * module)
            continue
        if inverted:
            page.setFillColorRGB(0, 0, 0)
            page.rect(x - 2 * module, top - (side + 2) * module, (side + 4) * module, (side + 4) * module, 0, 1)
            page.setFillColorRGB(1, 1, 1)
        for row, column in dark:
            page.rect(x + column * module, top - (row + 1) * module, module, module, stroke=0, fill=1)
        page.setFillColorRGB(0, 0, 0)
    page.showPage()
    page.save()
    return buffer.getvalue()


def _edited(data: bytes, edit: Callable[[pikepdf.Pdf], None]) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        edit(pdf)
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def _rotated(pdf: pikepdf.Pdf) -> None:
    pdf.pages[0].Rotate = 90


def _shifted(pdf: pikepdf.Pdf) -> None:
    pdf.pages[0].MediaBox = pikepdf.Array([-100, -50, 495, 792])


def _annotated(pdf: pikepdf.Pdf) -> None:
    link = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[10, 10, 50, 50])
    pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(link)]))


def _in_a_form(data: bytes) -> bytes:
    """The page drawn by a form XObject on a blank page (pikepdf's overlay)."""
    with pikepdf.open(io.BytesIO(data)) as source, pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(595.2756, 841.8898))
        pdf.pages[0].add_overlay(source.pages[0], None)
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def _backdrop(pdf: pikepdf.Pdf) -> None:
    pdf.pages[0].contents_add(pdf.make_stream(b"q 1 g 0 0 595 842 re f Q"), prepend=True)


def _reference(defects: tuple[str, ...] = ()) -> Callable[[], bytes]:
    return lambda: build_pdf(PRINTED, "Note", "Corps", set(defects))


def _edited_reference(edit: Callable[[pikepdf.Pdf], None]) -> Callable[[], bytes]:
    return lambda: _edited(build_pdf(PRINTED, "Note", "Corps"), edit)


INS_TEXT = datamatrix_content(PRINTED)
WRONG_TEXT = datamatrix_content(PRINTED, INS[:-1] + "4")
#: the pages, by name, made on first use (not at collection, in every worker)
PAGES: dict[str, Callable[[], bytes]] = {
    **{f"reference copy {d}": _reference(d) for d in ((), *((s,) for s in sorted(PDF_DEFECTS)))},
    "unqualified copy (text only)": lambda: build_pdf(PLAIN, "Note", "Corps"),
    "one symbol": lambda: _drawn([(INS_TEXT, 430, 800, 2.2)]),
    "a second, smaller symbol far away": lambda: _drawn([(INS_TEXT, 430, 800, 2.2), (SHORT, 60, 200, 1.0)]),
    "a second, smaller symbol near": lambda: _drawn([(INS_TEXT, 430, 800, 2.2), (SHORT, 370, 800, 1.0)]),
    "two alike symbols side by side": lambda: _drawn([(WRONG_TEXT, 300, 800, 2.2), (INS_TEXT, 430, 800, 2.2)]),
    "a tiny symbol alone": lambda: _drawn([(SHORT, 430, 800, 0.8)]),
    "a large symbol": lambda: _drawn([(INS_TEXT, 100, 700, 8.0)]),
    "a symbol near the page's edge": lambda: _drawn([(INS_TEXT, 510, 838, 2.2)]),
    "a symbol as an image": lambda: _drawn([(INS_TEXT, 430, 800, 2.2)], image=True),
    "an inverted symbol": lambda: _drawn([(INS_TEXT, 430, 780, 2.2)], inverted=True),
    "no text, one symbol": lambda: _drawn([(INS_TEXT, 430, 800, 2.2)], text=False),
    "rotated page": _edited_reference(_rotated),
    "shifted media box": _edited_reference(_shifted),
    "an annotation": _edited_reference(_annotated),
    "a white rectangle over the whole page": _edited_reference(_backdrop),
    "the page in a form XObject": lambda: _in_a_form(build_pdf(PRINTED, "Note", "Corps")),
}


def _read(data: bytes, monkeypatch: pytest.MonkeyPatch, *, whole: bool) -> list[bytes]:
    read = render.decoder()
    assert not isinstance(read, render.Unavailable)
    with monkeypatch.context() as patch:
        if whole:
            patch.setattr(render, "symbol_area", lambda *args: None)
        found = render._datamatrix_payloads(data, read)
    assert isinstance(found, list)
    return found


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_area_gives_what_the_whole_page_gives(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    data = PAGES[name]()
    assert _read(data, monkeypatch, whole=False) == _read(data, monkeypatch, whole=True)


def _area(data: bytes) -> tuple[int, int, int, int] | None:
    document = pypdfium2.PdfDocument(data)
    try:
        page = document[0]
        image: Any = page.render(scale=render.SCALE, grayscale=True).to_pil()
        return symbol_area(pypdfium2, page, render.SCALE, image.size)
    finally:
        document.close()


def test_the_reference_copy_is_read_in_a_small_area() -> None:
    area = _area(PAGES["reference copy ()"]())
    assert area is not None
    left, top, right, bottom = area
    assert left % 8 == 0 and top % 8 == 0 and (right - left) * (bottom - top) < 1786 * 2526 / 20


@pytest.mark.parametrize(
    "name",
    [
        "unqualified copy (text only)",
        "rotated page",
        "shifted media box",
        "an annotation",
        "a white rectangle over the whole page",
    ],
)
def test_pages_read_whole(name: str) -> None:
    assert _area(PAGES[name]()) is None
