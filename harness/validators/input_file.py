"""Read a file given to ``dui-harness validate``: regular files only, never more than a bound.

``validate ins /dev/zero`` read until memory ran out (5.3 GB) and ``validate fhir`` on a FIFO
waited forever for a writer (issue 17): a size taken from ``stat`` says nothing for a device,
a FIFO or a growing file. Here the kind of file is checked on ``stat`` (which never blocks),
then at most ``max_bytes + 1`` bytes are read, so the bound holds whatever the file does.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from harness.errors import InputError

__all__ = ["OversizedInput", "read_input_file"]


class OversizedInput(InputError):
    """A regular file larger than the bound: not read. Validators turn it into a finding (exit 1,
    :func:`harness.validators.broken.oversized_document`); only non-regular files stop with exit 2."""

    def __init__(self, message: str, *, size: int, tip: str) -> None:
        super().__init__(message, tip=tip)
        self.size = size


def read_input_file(path: Path, source: str, max_bytes: int, *, tip: str) -> bytes:
    """The bytes of ``path``, a regular file of at most ``max_bytes`` bytes.

    Raises:
        OversizedInput: a regular file larger than ``max_bytes`` (a broken document, not an input error).
        InputError: a folder, a FIFO, a device or a socket; unreadable.
    """
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            raise InputError(f"{source}: est un dossier, pas un fichier / is a folder, not a file", tip=tip)
        if not stat.S_ISREG(mode):
            raise InputError(
                f"{source}: fichier non ordinaire refusé (FIFO, périphérique ou socket) / not a regular "
                "file (FIFO, device or socket): refused, it could block or never end",
                tip=tip,
            )
        size = os.stat(path).st_size
        if size > max_bytes:
            raise OversizedInput(f"{source}: plus de / larger than {max_bytes} octets / bytes", size=size, tip=tip)
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"{source}: illisible / cannot be read ({exc.strerror or exc})", tip=tip) from None
    if len(data) > max_bytes:
        raise OversizedInput(f"{source}: plus de / larger than {max_bytes} octets / bytes", size=len(data), tip=tip)
    return data
