"""Read a ZIP archive received from a DUI in memory, refusing bombs and path traversal.

Nothing is ever extracted to disk. Each entry is checked before it is read (name, declared
size, compression ratio, encryption, count) and read with a bounded read, so that a lying
header cannot make it larger than the limits. Refused entries become findings; the others
are returned with their bytes.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass, field

from harness.core.findings import Finding
from harness.core.rules import rule

__all__ = ["ZipLimits", "ZipReport", "read_zip"]


@dataclass(frozen=True)
class ZipLimits:
    """What an archive may hold at most (defaults: generous for IHE_XDM, fatal for bombs)."""

    entries: int = 64
    entry_bytes: int = 20 * 1024 * 1024
    total_bytes: int = 64 * 1024 * 1024
    ratio: int = 100
    ratio_floor: int = 1024 * 1024  # entries smaller than this are never called bombs


@dataclass
class ZipReport:
    """The entries read (name -> bytes, archive order) and the findings about the archive."""

    entries: dict[str, bytes] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    readable: bool = True


def _unsafe_name(name: str) -> str | None:
    if "\x00" in name:
        return "contains a NUL character"
    if "\\" in name:
        return "uses a backslash (a Windows path separator)"
    if name.startswith("/"):
        return "is an absolute path"
    if len(name) > 1 and name[1] == ":":
        return "starts with a drive letter"
    if any(part == ".." for part in name.split("/")):
        return "climbs out of the archive with '..' (path traversal)"
    return None


@rule("xdm.zip", requirement="MSS-XDM-01", summary="a readable ZIP archive within limits (no bomb, no path escape)")
def read_zip(data: bytes, *, requirement: str, location: str, limits: ZipLimits | None = None) -> ZipReport:
    """Read ``data`` as a ZIP archive within ``limits``.

    Args:
        data: the archive bytes (an attachment, already decoded).
        requirement: the requirement id the findings carry.
        location: where the archive is (MIME part and file name), prefixed to entry names.
        limits: the bounds; :class:`ZipLimits` defaults when None.
    """
    limits = limits or ZipLimits()
    report = ZipReport()

    def refuse(rule: str, message: str, where: str = "") -> None:
        report.findings.append(Finding(rule, requirement, message, location=f"{location}{where}"))

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        report.readable = False
        refuse("xdm.zip.corrupt", f"the attachment is not a readable ZIP archive: {exc}")
        return report
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.entries:
            report.readable = False
            refuse(
                "xdm.zip.entries",
                f"the archive holds {len(infos)} entries; at most {limits.entries} are read "
                "(a flood of entries is refused)",
            )
            return report
        total = 0
        seen: set[str] = set()
        for info in infos:
            name = info.filename
            where = f"!/{name}"
            report.names.append(name)
            why = _unsafe_name(name)
            if why:
                refuse("xdm.zip.path", f"entry name {name!r} {why}: refused", where)
                continue
            if name.upper() in seen:
                refuse("xdm.zip.duplicate", f"entry {name!r} appears twice in the archive", where)
                continue
            seen.add(name.upper())
            if info.is_dir():
                continue
            if info.flag_bits & 0x1:
                refuse("xdm.zip.encrypted", f"entry {name!r} is encrypted: it cannot be read", where)
                continue
            if info.file_size > limits.entry_bytes:
                refuse(
                    "xdm.zip.size",
                    f"entry {name!r} declares {info.file_size} bytes; at most {limits.entry_bytes} are read",
                    where,
                )
                continue
            total += info.file_size
            if total > limits.total_bytes:
                refuse(
                    "xdm.zip.size",
                    f"the archive expands to more than {limits.total_bytes} bytes: the remaining entries are refused",
                    where,
                )
                break
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > limits.ratio_floor and ratio > limits.ratio:
                refuse(
                    "xdm.zip.bomb",
                    f"entry {name!r} expands {ratio:.0f} times ({info.compress_size} -> "
                    f"{info.file_size} bytes): a compression bomb is refused",
                    where,
                )
                continue
            try:
                with archive.open(info) as handle:
                    content = handle.read(min(info.file_size, limits.entry_bytes) + 1)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError) as exc:
                refuse("xdm.zip.corrupt", f"entry {name!r} cannot be read: {exc}", where)
                continue
            if len(content) > info.file_size:
                refuse(
                    "xdm.zip.bomb",
                    f"entry {name!r} holds more bytes than its header declares ({info.file_size}): refused",
                    where,
                )
                continue
            report.entries[name] = content
    return report
