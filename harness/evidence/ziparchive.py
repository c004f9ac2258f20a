"""A canonical ZIP layout for evidence bundles: one writer, and a reader that checks every byte.

Any ZIP tool opens a bundle (plain ZIP, no ZIP64, UTF-8 names, deflate or stored), but the
bundle writer lays it out in exactly one way: members in a fixed order, no gap nor trailing
byte, every header field derived from the member itself, one timestamp for every member, no
comment and no extra field. The reader rebuilds each header from its fields and compares
bytes, so that a change anywhere in the structure (central directory, local headers, names,
sizes, CRC, timestamps, attributes, end record) is caught and named; a change in a member's
data is caught by the manifest's hashes (:mod:`harness.evidence.bundle`).

It never extracts to disk, refuses unsafe names (absolute, ``..``, backslashes, drive letters,
control characters) and absurd sizes (limits below), and inflates with a bound.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

__all__ = [
    "MAX_BUNDLE_BYTES",
    "MAX_MEMBERS",
    "MAX_MEMBER_BYTES",
    "ArchiveMember",
    "ZipIssue",
    "ZipReadResult",
    "build_zip",
    "dos_timestamp",
    "read_zip",
    "unsafe_name",
]

MAX_BUNDLE_BYTES = 1 << 30  # 1 GiB
MAX_MEMBER_BYTES = 256 << 20  # 256 MiB uncompressed
MAX_TOTAL_BYTES = 2 << 30  # 2 GiB uncompressed in all
MAX_MEMBERS = 50_000
MAX_RATIO = 1_000  # uncompressed / compressed, for members over 1 MiB (zip bombs)

_LOCAL = struct.Struct("<IHHHHHIIIHH")  # 30 bytes
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")  # 46 bytes
_END = struct.Struct("<IHHHHIIH")  # 22 bytes
_SIG_LOCAL, _SIG_CENTRAL, _SIG_END = 0x04034B50, 0x02014B50, 0x06054B50
_VERSION_NEEDED = 20
_VERSION_MADE_BY = (3 << 8) | 20  # Unix, ZIP 2.0
_FLAGS = 0x0800  # names are UTF-8
_EXTERNAL_ATTR = 0o100644 << 16  # regular file rw-r--r--
STORED, DEFLATED = 0, 8
_UNSAFE_CHARS = re.compile(r"[\x00-\x1f\x7f\\:*?\"<>|]")


def unsafe_name(name: str) -> str | None:
    """Why ``name`` is not a safe member name, or None when it is."""
    if not name or len(name) > 400:
        return "empty or longer than 400 characters"
    if name.startswith("/") or _UNSAFE_CHARS.search(name):
        return "absolute, or holds a backslash, a colon, a control or a reserved character"
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return "has an empty, '.' or '..' path segment (path traversal)"
    return None


def dos_timestamp(moment: datetime) -> tuple[int, int]:
    """``(time, date)`` fields of a ZIP header for ``moment`` (2-second resolution, 1980-2107)."""
    year = min(max(moment.year, 1980), 2107)
    date = ((year - 1980) << 9) | (moment.month << 5) | moment.day
    time = (moment.hour << 11) | (moment.minute << 5) | (moment.second // 2)
    return time, date


@dataclass(frozen=True)
class ArchiveMember:
    """One member as stored: its name, method, CRC, sizes and the bytes as they lie in the archive."""

    name: str
    method: int
    crc: int
    size: int
    stored: bytes

    @classmethod
    def pack(cls, name: str, content: bytes, *, compress: bool = True) -> ArchiveMember:
        """Compress ``content`` (raw deflate, level 6) unless it does not shrink or ``compress`` is False."""
        reason = unsafe_name(name)
        if reason:
            raise ValueError(f"unsafe member name {name!r}: {reason}")
        crc = zlib.crc32(content)
        if compress and content:
            packer = zlib.compressobj(6, zlib.DEFLATED, -15)
            deflated = packer.compress(content) + packer.flush()
            if len(deflated) < len(content):
                return cls(name, DEFLATED, crc, len(content), deflated)
        return cls(name, STORED, crc, len(content), content)


def _local_header(m: ArchiveMember, name: bytes, stamp: tuple[int, int]) -> bytes:
    return (
        _LOCAL.pack(
            _SIG_LOCAL,
            _VERSION_NEEDED,
            _FLAGS,
            m.method,
            stamp[0],
            stamp[1],
            m.crc,
            len(m.stored),
            m.size,
            len(name),
            0,
        )
        + name
    )


def _central_header(m: ArchiveMember, name: bytes, stamp: tuple[int, int], offset: int) -> bytes:
    return (
        _CENTRAL.pack(
            _SIG_CENTRAL,
            _VERSION_MADE_BY,
            _VERSION_NEEDED,
            _FLAGS,
            m.method,
            stamp[0],
            stamp[1],
            m.crc,
            len(m.stored),
            m.size,
            len(name),
            0,
            0,
            0,
            0,
            _EXTERNAL_ATTR,
            offset,
        )
        + name
    )


def build_zip(members: Iterable[ArchiveMember], stamp: tuple[int, int]) -> bytes:
    """The canonical archive of ``members`` (in the order given), every member dated ``stamp``."""
    members = list(members)
    if len(members) > MAX_MEMBERS:
        raise ValueError(f"{len(members)} members: more than {MAX_MEMBERS}")
    chunks: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for m in members:
        name = m.name.encode("utf-8")
        local = _local_header(m, name, stamp)
        central.append(_central_header(m, name, stamp, offset))
        chunks += [local, m.stored]
        offset += len(local) + len(m.stored)
    cd = b"".join(central)
    if offset + len(cd) + _END.size > min(MAX_BUNDLE_BYTES, 0xFFFFFFFF):
        raise ValueError(f"the archive would exceed {MAX_BUNDLE_BYTES} bytes")
    end = _END.pack(_SIG_END, 0, 0, len(members), len(members), len(cd), offset, 0)
    return b"".join([*chunks, cd, end])


@dataclass(frozen=True)
class ZipIssue:
    """One structural defect, naming the member (or the part of the archive) it concerns."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class ZipReadResult:
    """What :func:`read_zip` found: the members it could read, with their content, and the defects."""

    members: dict[str, ArchiveMember] = field(default_factory=dict)
    contents: dict[str, bytes] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    stamps: dict[str, tuple[int, int]] = field(default_factory=dict)
    issues: list[ZipIssue] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        """False when the central directory itself could not be read (nothing is trustworthy)."""
        return not any(i.where == "zip" for i in self.issues)


def _entry_label(index: int, name: str | None) -> str:
    return f"zip entry #{index + 1}" + (f" ({name})" if name else "")


def read_zip(data: bytes) -> ZipReadResult:
    """Parse ``data`` as a canonical bundle archive; every deviation becomes a :class:`ZipIssue`."""
    out = ZipReadResult()
    if len(data) > MAX_BUNDLE_BYTES:
        out.issues.append(ZipIssue("zip", f"{len(data)} bytes: larger than {MAX_BUNDLE_BYTES} (absurd size)"))
        return out
    if len(data) < _END.size:
        out.issues.append(ZipIssue("zip", "too short to be a ZIP archive"))
        return out
    sig, disk, cd_disk, n_disk, n_total, cd_size, cd_offset, comment = _END.unpack_from(data, len(data) - _END.size)
    if sig != _SIG_END:
        out.issues.append(
            ZipIssue(
                "zip",
                "no end-of-central-directory record at the end of the file "
                "(truncated, trailing bytes, a comment, or an altered record)",
            )
        )
        return out
    if (disk, cd_disk, comment) != (0, 0, 0) or n_disk != n_total or n_total > MAX_MEMBERS:
        out.issues.append(
            ZipIssue(
                "zip",
                "end-of-central-directory record altered (disk numbers, entry "
                f"counts {n_disk}/{n_total} or comment length {comment})",
            )
        )
        return out
    if cd_offset + cd_size != len(data) - _END.size:
        out.issues.append(
            ZipIssue(
                "zip",
                f"end-of-central-directory record altered: the central directory "
                f"({cd_size} bytes at {cd_offset}) does not end where the record begins",
            )
        )
        return out
    _read_entries(data, n_total, cd_offset, out)
    return out


def _read_entries(data: bytes, count: int, cd_offset: int, out: ZipReadResult) -> None:
    pos, expected_offset, total = cd_offset, 0, 0
    for index in range(count):
        if pos + _CENTRAL.size > len(data) - _END.size:
            out.issues.append(ZipIssue("zip", f"central directory truncated at entry #{index + 1}"))
            return
        entry_start = pos
        fields = _CENTRAL.unpack_from(data, pos)
        name_len, extra_len, comment_len, offset = fields[10], fields[11], fields[12], fields[16]
        raw_name = data[pos + _CENTRAL.size : pos + _CENTRAL.size + name_len]
        end_of_entry = pos + _CENTRAL.size + name_len + extra_len + comment_len
        if fields[0] != _SIG_CENTRAL or end_of_entry > len(data) - _END.size:
            out.issues.append(
                ZipIssue(
                    "zip",
                    f"central directory entry #{index + 1} altered (signature or "
                    "lengths); the entries after it cannot be located",
                )
            )
            return
        try:
            name: str | None = raw_name.decode("utf-8")
        except UnicodeDecodeError:
            name = None
        # the local header's name, decoded only when its bytes differ from the central directory's
        local_raw = _local_raw_name(data, offset)
        local_name = name if local_raw == raw_name else _decoded(local_raw)
        label = _entry_label(index, local_name or name)
        pos = end_of_entry
        method = fields[4]
        if name is None or (reason := unsafe_name(name)) is not None:
            why = "is not UTF-8" if name is None else f"is unsafe: {reason}"
            out.issues.append(ZipIssue(label, f"central directory name {raw_name!r} {why}"))
            continue
        if local_name is not None and local_name != name:
            out.issues.append(
                ZipIssue(
                    label, f"central directory names {name!r} but the local header names {local_name!r} (name altered)"
                )
            )
            continue
        if offset != expected_offset:
            out.issues.append(
                ZipIssue(
                    label, f"local header offset {offset}, expected {expected_offset} (data moved, inserted or removed)"
                )
            )
            continue
        if method not in (STORED, DEFLATED) or fields[9] > MAX_MEMBER_BYTES:
            out.issues.append(
                ZipIssue(label, f"method {method} or size {fields[9]} not allowed (limit {MAX_MEMBER_BYTES} bytes)")
            )
            continue
        stored_start = offset + _LOCAL.size + len(raw_name)
        stored = data[stored_start : stored_start + fields[8]]
        member = ArchiveMember(name, method, fields[7], fields[9], stored)
        stamp = (fields[5], fields[6])
        out.stamps[name] = stamp
        if data[entry_start:end_of_entry] != _central_header(member, raw_name, stamp, offset):
            out.issues.append(
                ZipIssue(
                    label,
                    "central directory entry altered (a header field differs from "
                    "the canonical bundle layout: version, flags, attributes, extra "
                    "field or comment)",
                )
            )
        if data[offset:stored_start] != _local_header(member, raw_name, stamp):
            out.issues.append(
                ZipIssue(
                    label,
                    "local file header and central directory entry disagree (time, "
                    "CRC, sizes, flags or method altered in one of them)",
                )
            )
        expected_offset = stored_start + len(stored)
        total += member.size
        if total > MAX_TOTAL_BYTES:
            out.issues.append(ZipIssue("zip", f"more than {MAX_TOTAL_BYTES} bytes once inflated (absurd size)"))
            return
        content = _inflate(member, label, out)
        if name in out.members:
            out.issues.append(ZipIssue(label, "duplicate member name"))
            continue
        out.members[name] = member
        out.order.append(name)
        if content is not None:
            out.contents[name] = content
    if expected_offset != cd_offset:
        out.issues.append(
            ZipIssue(
                "zip",
                f"{cd_offset - expected_offset} unexpected byte(s) between the last member and the central directory",
            )
        )


def _local_raw_name(data: bytes, offset: int) -> bytes | None:
    """The name bytes of the local header at ``offset``, or None when there is no local header there."""
    if offset + _LOCAL.size > len(data):
        return None
    fields = _LOCAL.unpack_from(data, offset)
    if fields[0] != _SIG_LOCAL:
        return None
    return data[offset + _LOCAL.size : offset + _LOCAL.size + fields[9]]


def _decoded(raw: bytes | None) -> str | None:
    if raw is None:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _inflate(member: ArchiveMember, label: str, out: ZipReadResult) -> bytes | None:
    if member.method == STORED:
        content = member.stored
    else:
        if member.size > (1 << 20) and member.size > MAX_RATIO * max(1, len(member.stored)):
            out.issues.append(ZipIssue(label, f"compression ratio over {MAX_RATIO} (zip bomb?)"))
            return None
        inflater = zlib.decompressobj(-15)
        try:
            content = inflater.decompress(member.stored, member.size + 1)
        except zlib.error as exc:
            out.issues.append(ZipIssue(label, f"compressed data corrupt ({exc})"))
            return None
        if inflater.unconsumed_tail or not inflater.eof or inflater.unused_data:
            out.issues.append(ZipIssue(label, "compressed data altered (stream does not end where it should)"))
            return None
    if len(content) != member.size:
        out.issues.append(ZipIssue(label, f"{len(content)} bytes once inflated, the header says {member.size}"))
        return None
    if zlib.crc32(content) != member.crc:
        out.issues.append(ZipIssue(label, "CRC-32 mismatch: the member's data was altered"))
        return None
    return content
