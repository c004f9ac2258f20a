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

__all__ = ["read_input_file"]


def read_input_file(path: Path, source: str, max_bytes: int, *, tip: str) -> bytes:
    """The bytes of ``path``, a regular file of at most ``max_bytes`` bytes.

    Raises:
        InputError: a folder, a FIFO, a device or a socket; larger than ``max_bytes``; unreadable.
    """
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            raise InputError(f"{source}: is a folder, not a file", tip=tip)
        if not stat.S_ISREG(mode):
            raise InputError(f"{source}: not a regular file (FIFO, device or socket): refused, it could block or "
                             f"never end / fichier non ordinaire refusé", tip=tip)
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"{source}: cannot be read ({exc.strerror or exc})", tip=tip) from None
    if len(data) > max_bytes:
        raise InputError(f"{source}: larger than {max_bytes} bytes", tip=tip)
    return data
