"""Where a page's Data Matrix can be: the area of its drawings, read alone at full resolution.

Reading the symbols of a whole page rendered at 216 dpi costs ~35 ms (zxing-cpp scans 4.5
Mpx); the INS datamatrix of a document copy covers a few per cent of it. A symbol is drawn
by the page's vector paths, images, shadings or form XObjects: when every such object of the
page lies in one area (its text objects anywhere), the symbols the whole page would give are in
that area, and the decoder reads only it — the same pixels, cut from the same full-resolution
rendering at an offset that keeps the binarizer's 8-pixel blocks where they were on the page.

The page is read whole, as before, whenever this is not certain or not worth it: a rotated
page, a crop box other than the media box at the origin, annotations (their appearances are
drawn too, and are not page objects), no drawing at all, too many objects, an area over half
the page, or an area whose reading does not give exactly one symbol (none, or several whose
order the whole page decides). A symbol drawn as the glyphs of a font (text objects) is the one
case outside these bounds.
"""

from __future__ import annotations

import ctypes
import math
from typing import Any

__all__ = ["MAX_OBJECTS", "symbol_area"]

#: a page with more objects is read whole (bounded work per page)
MAX_OBJECTS = 20_000
#: white space kept around the drawings, in pixels (at least; and a tenth of the area's size)
MARGIN = 32
#: the binarizer's block size: the area starts on this grid, like the page
BLOCK = 8
TEXT = 1


def symbol_area(pdfium: Any, page: Any, scale: float, size: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """The pixel box (left, top, right, bottom) of ``page`` rendered at ``scale`` (``size`` pixels)
    holding every object that is not text, with a margin; None when the whole page must be read."""
    raw = pdfium.raw
    handle = page.raw
    width, height = size
    box = tuple(page.get_mediabox())
    if page.get_rotation() % 360 or box[:2] != (0.0, 0.0) or tuple(page.get_cropbox()) != box:
        return None
    if raw.FPDFPage_GetAnnotCount(handle) != 0:
        return None
    count = raw.FPDFPage_CountObjects(handle)
    if count <= 0 or count > MAX_OBJECTS:
        return None
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    area = [math.inf, math.inf, -math.inf, -math.inf]
    for index in range(count):
        obj = raw.FPDFPage_GetObject(handle, index)
        if not obj:
            return None
        if raw.FPDFPageObj_GetType(obj) == TEXT:
            continue
        if not raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
            return None
        area = [
            min(area[0], left.value),
            min(area[1], bottom.value),
            max(area[2], right.value),
            max(area[3], top.value),
        ]
    if not all(math.isfinite(edge) for edge in area):  # text only (nothing to cut), or unbounded drawings
        return None
    page_height = box[3]
    x0, x1 = area[0] * scale, area[2] * scale
    y0, y1 = (page_height - area[3]) * scale, (page_height - area[1]) * scale
    margin = max(MARGIN, 0.1 * max(x1 - x0, y1 - y0))
    pixel_left = max(0, math.floor((x0 - margin) / BLOCK) * BLOCK)
    pixel_top = max(0, math.floor((y0 - margin) / BLOCK) * BLOCK)
    pixel_right = min(width, math.ceil(x1 + margin))
    pixel_bottom = min(height, math.ceil(y1 + margin))
    if pixel_right <= pixel_left or pixel_bottom <= pixel_top:
        return None
    if (pixel_right - pixel_left) * (pixel_bottom - pixel_top) * 2 > width * height:
        return None
    return pixel_left, pixel_top, pixel_right, pixel_bottom
