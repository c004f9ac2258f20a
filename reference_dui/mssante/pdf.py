"""The PDF/A-1 copy of the document the reference DUI sends: identity block and INS datamatrix.

Its own code, not the harness's. The page is drawn with reportlab (the Bitstream Vera font that
reportlab ships, embedded), then made PDF/A-1b with pikepdf: XMP metadata (``pdfaid:part`` 1,
conformance B), an sRGB output intent ``GTS_PDFA1`` (ICC profile from Pillow's littlecms), no
transparency, no JavaScript. For a qualified identity (règle 32 of the INS guide) it prints the
traits, the matricule INS with its nature (NIR/NIA) and the INS datamatrix: a 2D-Doc symbol
(header ``DC04``, then the fields S1 first names, S3 birth name, S5 sex, S6 birth date
DDMMYYYY, S7 birth place, S8 matricule INS, S9 OID, each ended by GS) drawn module by module
from pystrich's pure-Python Data Matrix encoder. An unqualified identity gets neither the INS
nor the datamatrix.

What is the same for every copy is made once per process: the font registered, the sRGB profile,
each symbol's modules; and a copy is saved with an identifier derived from its content
(``deterministic_id``), so the same inputs give the same bytes and the latest copies are kept
by their inputs (:func:`build_pdf`): the messages of a run repeat the same few documents.
"""

from __future__ import annotations

import io
from collections.abc import Set
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path

import pikepdf
import reportlab
from PIL import ImageCms
from pystrich.datamatrix import DataMatrixEncoder
from pystrich.datamatrix.renderer import DataMatrixRenderer
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

__all__ = ["PrintedIdentity", "build_pdf", "datamatrix_content", "warm"]

GS = "\x1d"
FONT = "DuiVera"
NIA_OIDS = ("1.2.250.1.213.1.4.9", "1.2.250.1.213.1.4.11")
MODULE = 2.2  # points (0.78 mm)
#: the switches that change a copy's bytes (the others are not part of its cache key)
PDF_DEFECTS = frozenset({"mss_pdf_not_pdfa", "mss_pdf_no_identity_block", "mss_pdf_datamatrix_mismatch"})


@dataclass(frozen=True)
class PrintedIdentity:
    """What the document shows of the person (``ins``/``oid`` only for a qualified identity)."""

    birth_name: str
    first_names: tuple[str, ...]
    sex: str
    birth_date: str  # YYYY-MM-DD
    birth_place: str
    ins: str | None = None
    oid: str | None = None


def datamatrix_content(identity: PrintedIdentity, ins: str | None = None, today: date | None = None) -> str:
    """The 2D-Doc text of the INS datamatrix (``ins``: another matricule, for a defect switch), issued ``today``."""
    days = ((today or datetime.now(UTC).date()) - date(2000, 1, 1)).days
    header = f"DC04FR000000{days:04X}{days:04X}B001FR"
    b = identity.birth_date
    fields = [
        f"S1{' '.join(identity.first_names)}",
        f"S3{identity.birth_name}",
        f"S5{identity.sex}",
        f"S6{b[8:10]}{b[5:7]}{b[:4]}",
        f"S7{identity.birth_place}",
        f"S8{ins or identity.ins}",
        f"S9{identity.oid}",
    ]
    return header + "".join(f + GS for f in fields)


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf")))
    return FONT


@lru_cache(maxsize=16)
def _dark_modules(text: str) -> tuple[tuple[int, int], ...]:
    """The (row, column) of each dark module of the Data Matrix symbol of ``text``, in drawing order."""
    encoder = DataMatrixEncoder(text)
    modules = DataMatrixRenderer(encoder.matrix, encoder.regions, quiet_zone=0).matrix
    return tuple((row, column) for row, line in enumerate(modules) for column, dark in enumerate(line) if dark)


def _datamatrix(page: canvas.Canvas, text: str, x: float, top: float) -> None:
    page.setFillColorRGB(0, 0, 0)
    for row, column in _dark_modules(text):
        page.rect(x + column * MODULE, top - (row + 1) * MODULE, MODULE, MODULE, stroke=0, fill=1)


@lru_cache(maxsize=1)
def _srgb_profile() -> bytes:
    return bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())


def warm() -> None:
    """Make now what every copy uses (the embedded font, the sRGB profile): for a process that forks runs."""
    _font()
    _srgb_profile()


def _page(identity: PrintedIdentity, title: str, body: str, defects: Set[str], today: date) -> bytes:
    buffer = io.BytesIO()
    embedded = "mss_pdf_not_pdfa" not in defects
    font = _font() if embedded else "Helvetica"  # a standard font, not embedded: not PDF/A
    page = canvas.Canvas(buffer, pdfVersion=(1, 4), invariant=True, initialFontName=font, initialFontSize=10)
    page.setTitle(title)
    page.setFont(font, 14)
    page.drawString(56, 780, title)
    page.setFont(font, 10)
    b = identity.birth_date
    lines = [
        f"Nom de naissance : {identity.birth_name}",
        f"Prénom(s) : {' '.join(identity.first_names)}",
        f"Sexe : {identity.sex}",
        f"Date de naissance : {b[8:10]}/{b[5:7]}/{b[:4]}",
        f"Lieu de naissance (code INSEE) : {identity.birth_place}",
    ]
    if identity.ins and identity.oid:
        nature = "NIA" if identity.oid in NIA_OIDS else "NIR"
        lines.append(f"Matricule INS : {identity.ins} ({nature})")
    if "mss_pdf_no_identity_block" in defects:
        # the block left blank, the layout kept: the body's long lines stay below the INS datamatrix (they ran
        # through it, and whether the symbol could still be read then depended on its content: the day's date)
        lines = [""] * len(lines)
    for number, line in enumerate([*lines, "", *body.splitlines()]):
        page.drawString(56, 750 - 14 * number, line)
    if identity.ins and identity.oid:
        other = identity.ins[:-2] + f"{(int(identity.ins[-2:]) + 1) % 100:02d}"
        wrong = other if "mss_pdf_datamatrix_mismatch" in defects else None
        _datamatrix(page, datamatrix_content(identity, wrong, today), 430, 800)
    page.showPage()
    page.save()
    return buffer.getvalue()


def _pdfa(data: bytes, title: str) -> bytes:
    """The reportlab page made PDF/A-1b: XMP identification, sRGB output intent."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["pdfaid:part"] = "1"
            meta["pdfaid:conformance"] = "B"
            meta["dc:title"] = title
        profile = pdf.make_stream(_srgb_profile(), N=3)
        pdf.Root.OutputIntents = pikepdf.Array(
            [
                pikepdf.Dictionary(
                    Type=pikepdf.Name.OutputIntent,
                    S=pikepdf.Name.GTS_PDFA1,
                    OutputConditionIdentifier="sRGB",
                    Info="sRGB IEC61966-2.1",
                    DestOutputProfile=profile,
                )
            ]
        )
        out = io.BytesIO()
        pdf.save(out, min_version="1.4", force_version="1.4", fix_metadata_version=False, deterministic_id=True)
        return out.getvalue()


def build_pdf(identity: PrintedIdentity, title: str, body: str, defects: Set[str] = frozenset()) -> bytes:
    """The PDF/A-1 copy of a document (a plain PDF with the ``mss_pdf_not_pdfa`` defect), issued today."""
    return _build(identity, title, body, PDF_DEFECTS & frozenset(defects), datetime.now(UTC).date())


@lru_cache(maxsize=32)
def _build(identity: PrintedIdentity, title: str, body: str, defects: frozenset[str], today: date) -> bytes:
    """The copy of these inputs: the same bytes each time (reportlab ``invariant``, pikepdf ``deterministic_id``)."""
    data = _page(identity, title, body, defects, today)
    return data if "mss_pdf_not_pdfa" in defects else _pdfa(data, title)
