"""What a reader of a PDF sees: the text of its pages and the Data Matrix symbols printed on them.

Pages are rendered with PDFium (``pypdfium2``, a wheel with its own binary) and the symbols read
with ``zxing-cpp`` (a wheel too), or with ``pylibdmtx`` when that is what is installed (it needs
Debian's ``libdmtx``). PDFium is not thread-safe: every use of it holds :data:`PDFIUM_LOCK` (the
simulator judges messages in a thread pool). Both are optional at run time: a missing renderer or decoder gives
:class:`Unavailable` with its reason, and the check that needed it is *not judged* — never an
error, never a pass. Only the first :data:`MAX_PAGES` pages are read. Both readings depend only on the file's bytes: the
latest ones are kept by content (:class:`~harness.validators.digestcache.DigestCache`), so that the
same PDF copy sent again is not rendered and decoded again (~40 ms a page at 216 dpi). The symbols of a
page whose drawings lie in one small area are read in that area only (:mod:`.symbol_area`, ~4 ms),
with the whole page read as before whenever that area gives anything but exactly one symbol.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness.validators.digestcache import DigestCache
from harness.validators.pdf.symbol_area import symbol_area

__all__ = ["MAX_PAGES", "Unavailable", "datamatrix_payloads", "page_texts"]

MAX_PAGES = 4
SCALE = 3.0  # 216 dpi: a 0.5 mm module is 4 pixels wide
MAX_PIXELS = 24_000_000  # a page is rendered at a lower scale rather than past this (huge MediaBox: bounded memory)
#: PDFium (one library state per process) is used by one thread at a time
PDFIUM_LOCK = threading.Lock()
#: the latest readings, by the PDF's content (a failure to read is not kept)
_PAYLOADS: DigestCache[list[bytes] | Unavailable] = DigestCache(entries=64)
_TEXTS: DigestCache[list[str] | Unavailable] = DigestCache(entries=64)


@dataclass(frozen=True)
class Unavailable:
    """A reading that could not be done on this machine, and why (a missing library)."""

    reason: str


class UnreadablePdf(ValueError):
    """PDFium could not open or render the file."""


def _pdfium() -> Any:
    import pypdfium2  # optional: the caller reports Unavailable

    return pypdfium2


def _zxing_reader() -> Callable[[Any], list[bytes]]:
    import zxingcpp

    def read(image: Any) -> list[bytes]:
        found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.DataMatrix))
        return [bytes(b.bytes) for b in found]

    return read


def _dmtx_reader() -> Callable[[Any], list[bytes]]:
    from pylibdmtx import pylibdmtx  # raises ImportError when libdmtx is absent

    def read(image: Any) -> list[bytes]:
        return [bytes(d.data) for d in pylibdmtx.decode(image, timeout=5000)]

    return read


def decoder() -> Callable[[Any], list[bytes]] | Unavailable:
    """The Data Matrix decoder installed (zxing-cpp, else pylibdmtx), or why there is none."""
    reasons = []
    for name, load in (("zxing-cpp", _zxing_reader), ("pylibdmtx", _dmtx_reader)):
        try:
            return load()
        except (ImportError, OSError) as exc:
            reasons.append(f"{name}: {exc}")
    return Unavailable(
        "aucun décodeur Data Matrix installé / no Data Matrix decoder installed "
        f"(pip install zxing-cpp) — {'; '.join(reasons)}"
    )


def _open(data: bytes) -> tuple[Any, Any] | Unavailable:
    try:
        pdfium = _pdfium()
    except ImportError as exc:
        return Unavailable(f"rendu PDF indisponible / no PDF renderer installed (pip install pypdfium2): {exc}")
    try:
        return pdfium, pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise UnreadablePdf(str(exc)) from exc


def page_texts(data: bytes) -> list[str] | Unavailable:
    """The text of the first pages, as PDFium extracts it."""

    def read() -> list[str] | Unavailable:
        with PDFIUM_LOCK:
            return _page_texts(data)

    texts = _TEXTS.get(data, read, _pdfium)  # keyed by the renderer too
    return list(texts) if isinstance(texts, list) else texts


def _page_texts(data: bytes) -> list[str] | Unavailable:
    opened = _open(data)
    if isinstance(opened, Unavailable):
        return opened
    pdfium, document = opened
    try:
        texts = []
        for index in range(min(len(document), MAX_PAGES)):
            page = document[index]
            texts.append(str(page.get_textpage().get_text_range()))
        return texts
    except pdfium.PdfiumError as exc:
        raise UnreadablePdf(str(exc)) from exc
    finally:
        document.close()


def datamatrix_payloads(data: bytes) -> list[bytes] | Unavailable:
    """The raw content of every Data Matrix symbol printed on the first pages."""
    read = decoder()
    if isinstance(read, Unavailable):
        return read

    def decode() -> list[bytes] | Unavailable:
        with PDFIUM_LOCK:
            return _datamatrix_payloads(data, read)

    payloads = _PAYLOADS.get(data, decode, _pdfium)
    return list(payloads) if isinstance(payloads, list) else payloads


def _page_payloads(pdfium: Any, page: Any, image: Any, scale: float, read: Callable[[Any], list[bytes]]) -> list[bytes]:
    """The symbols of one rendered page: read in the area of its drawings when that gives one, else read whole."""
    area = symbol_area(pdfium, page, scale, image.size)
    if area is not None:
        found = read(image.crop(area))
        if len(found) == 1:
            return found
    return read(image)


def _datamatrix_payloads(data: bytes, read: Callable[[Any], list[bytes]]) -> list[bytes] | Unavailable:
    opened = _open(data)
    if isinstance(opened, Unavailable):
        return opened
    pdfium, document = opened
    try:
        found: list[bytes] = []
        for index in range(min(len(document), MAX_PAGES)):
            page = document[index]
            width, height = page.get_size()
            scale = min(SCALE, (MAX_PIXELS / max(width * height, 1.0)) ** 0.5)
            image = page.render(scale=scale, grayscale=True).to_pil()
            found += _page_payloads(pdfium, page, image, scale, read)
        return found
    except ImportError as exc:  # PDFium renders, but Pillow (its image type) is missing
        return Unavailable(f"Pillow absent / Pillow not installed (pip install pillow): {exc}")
    except pdfium.PdfiumError as exc:
        raise UnreadablePdf(str(exc)) from exc
    finally:
        document.close()
