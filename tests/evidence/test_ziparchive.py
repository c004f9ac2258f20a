"""The canonical ZIP layout: readable by any ZIP tool, and every byte of it checked by the reader."""

from __future__ import annotations

import io
import zipfile
import zlib
from datetime import UTC, datetime

import pytest

from harness.evidence.ziparchive import (
    MAX_MEMBER_BYTES,
    ArchiveMember,
    build_zip,
    dos_timestamp,
    read_zip,
    unsafe_name,
)

STAMP = dos_timestamp(datetime(2026, 3, 14, 15, 9, 26, tzinfo=UTC))
FILES = {"MANIFEST.json": b'{"a": 1}\n', "b/one.txt": b"x" * 300, "b/two.json": b'{"\xc3\xa9": 2}', "e/empty": b""}


def small_archive() -> bytes:
    return build_zip([ArchiveMember.pack(n, c, compress=n != "MANIFEST.json") for n, c in FILES.items()], STAMP)


def test_any_zip_tool_reads_the_canonical_archive() -> None:
    data = small_archive()
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    assert {i.filename: archive.read(i) for i in archive.infolist()} == FILES
    assert archive.getinfo("b/one.txt").compress_type == zipfile.ZIP_DEFLATED
    assert archive.getinfo("MANIFEST.json").compress_type == zipfile.ZIP_STORED
    assert archive.getinfo("b/one.txt").date_time == (2026, 3, 14, 15, 9, 26)


def test_the_reader_gives_back_members_contents_and_order() -> None:
    result = read_zip(small_archive())
    assert result.issues == [] and result.readable
    assert result.contents == FILES and result.order == list(FILES)
    assert set(result.stamps.values()) == {STAMP}


def test_every_byte_of_a_small_archive_is_checked() -> None:
    # given the canonical archive, when any single bit of any byte is flipped
    data = small_archive()
    stored = {n: m.stored for n, m in read_zip(data).members.items()}
    undetected = []
    for offset in range(len(data)):
        for bit in (0x01, 0x80):
            altered = data[:offset] + bytes([data[offset] ^ bit]) + data[offset + 1 :]
            result = read_zip(altered)
            # then the reader reports a structural issue, or the member's bytes differ: content or stored
            # bytes, both hashed by the manifest (a flipped padding bit at the end of a deflate stream
            # inflates to the same content: only the stored bytes' hash sees it)
            same = result.contents == FILES and {n: m.stored for n, m in result.members.items()} == stored
            if not result.issues and same and result.order == list(FILES):
                undetected.append((offset, bit))
    assert not undetected, f"undetected flips at {undetected[:10]} of {len(data)} bytes"


@pytest.mark.parametrize(
    "name", ["../evil", "/etc/passwd", "a/../../b", "C:evil", "a\\b", "a//b", "a/./b", "", "ctl\x01", "x" * 401]
)
def test_unsafe_names_are_refused_on_both_sides(name: str) -> None:
    assert unsafe_name(name)
    with pytest.raises(ValueError, match="unsafe member name"):
        ArchiveMember.pack(name, b"data")
    forged = ArchiveMember(name, 0, zlib.crc32(b"data"), 4, b"data")
    result = read_zip(build_zip([forged], STAMP))
    assert result.issues and not result.contents


def test_absurd_sizes_and_zip_bombs_are_refused_without_inflating() -> None:
    huge = ArchiveMember("bomb.bin", 8, 0, MAX_MEMBER_BYTES + 1, zlib.compress(b"\0" * 1000)[2:-4])
    result = read_zip(build_zip([huge], STAMP))
    assert any("not allowed" in i.message for i in result.issues)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    bomb = packer.compress(b"\0" * (4 << 20)) + packer.flush()
    declared = ArchiveMember("bomb2.bin", 8, 0, 200 << 20, bomb[:100])  # claims 200 MiB from 100 bytes
    result = read_zip(build_zip([declared], STAMP))
    assert any("ratio" in i.message for i in result.issues)


def test_not_a_zip_or_truncated() -> None:
    assert not read_zip(b"hello").readable
    assert not read_zip(small_archive()[:-5]).readable
    assert not read_zip(b"\0" * 100).readable
