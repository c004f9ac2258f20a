"""A bounded modified UTF-7 decoder (RFC 3501 §5.1.3) replacing pymap's at the boundary.

pymap 0.36.7's ``pymap.parsing.modutf7.modutf7_decode`` never returns on a shift sequence
without its closing ``-`` (``b"&Z"``): one unauthenticated ``a1 SELECT "&Z"`` froze every mail
listener of the simulator (issue 17, defect 1). This decoder walks the input once and refuses
what RFC 3501 §5.1.3 does not allow (unterminated shift, characters outside the modified
base64 alphabet, an odd number of UTF-16 bytes) with pymap's own ``NotParseable``, which pymap
answers with a tagged ``BAD`` instead of a crash. :func:`install` puts it in the modules of
pymap that imported the original by name; importing :mod:`mocks.mssante.imap` calls it.
"""

from __future__ import annotations

import base64
import binascii
import importlib
import re

from pymap.parsing.exceptions import NotParseable

__all__ = ["PATCHED_MODULES", "InvalidMailboxName", "install", "modutf7_decode"]

#: pymap modules that bound ``modutf7_decode`` by name (``from ..modutf7 import modutf7_decode``)
PATCHED_MODULES = ("pymap.parsing.modutf7", "pymap.parsing.specials.mailbox", "pymap.parsing.command.auth")
_MODIFIED_BASE64 = re.compile(rb"[A-Za-z0-9+,]*")


class InvalidMailboxName(NotParseable):
    """A mailbox name that is not modified UTF-7; pymap answers it with a tagged ``BAD``."""

    def __init__(self, data: bytes, why: str) -> None:
        super().__init__(memoryview(data))
        self.why = why

    def __str__(self) -> str:
        return f"invalid modified UTF-7 mailbox name: {self.why}"


def _refuse(data: bytes, why: str) -> InvalidMailboxName:
    return InvalidMailboxName(data, why)


def modutf7_decode(data: bytes) -> str:
    """Decode a mailbox name in modified UTF-7, in one pass over ``data``.

    Raises:
        NotParseable: the name is not valid modified UTF-7 (RFC 3501 §5.1.3).
    """
    data = bytes(data)
    parts: list[str] = []
    position = 0
    while position < len(data):
        shift = data.find(b"&", position)
        if shift < 0:
            parts.append(data[position:].decode("latin-1"))
            break
        parts.append(data[position:shift].decode("latin-1"))
        end = data.find(b"-", shift + 1)
        if end < 0:
            raise _refuse(data, "'&' shift without its closing '-'")
        encoded = data[shift + 1 : end]
        position = end + 1
        if not encoded:
            parts.append("&")
            continue
        if _MODIFIED_BASE64.fullmatch(encoded) is None:
            raise _refuse(data, "character outside the modified base64 alphabet")
        try:
            raw = base64.b64decode(encoded.replace(b",", b"/") + b"=" * (-len(encoded) % 4), validate=True)
            parts.append(raw.decode("utf-16-be"))
        except (binascii.Error, UnicodeDecodeError):
            raise _refuse(data, "shifted sequence is not base64 of UTF-16") from None
    return "".join(parts)


def install() -> None:
    """Replace pymap's decoder by :func:`modutf7_decode` wherever pymap bound it (idempotent)."""
    for name in PATCHED_MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "modutf7_decode"):
            setattr(module, "modutf7_decode", modutf7_decode)  # noqa: B010 (a module we do not own)
