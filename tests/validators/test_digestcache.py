"""harness.validators.digestcache: the same bytes judged once, within bounds (issue 18)."""

from __future__ import annotations

import functools

import pytest

from harness.validators.digestcache import DigestCache


def test_the_same_bytes_are_computed_once_and_other_keys_apart() -> None:
    cache: DigestCache[str] = DigestCache(entries=4)
    calls: list[bytes] = []

    def compute(data: bytes, tag: str = "") -> str:
        calls.append(data)
        return data.decode() + tag

    assert cache.get(b"abc", lambda: compute(b"abc")) == "abc"
    assert cache.get(b"abc", lambda: compute(b"abc")) == "abc"
    assert cache.get(b"abc", lambda: compute(b"abc", "!"), "other key") == "abc!"
    assert calls == [b"abc", b"abc"] and (cache.hits, cache.misses) == (1, 2)


def _counted(computed: list[int], value: int) -> int:
    computed.append(value)
    return value


def test_the_oldest_entry_leaves_first_beyond_the_entry_bound() -> None:
    cache: DigestCache[int] = DigestCache(entries=2)
    computed: list[int] = []
    for n in (1, 2, 3):
        cache.get(bytes([n]), functools.partial(int, n))
    cache.get(b"\x01", lambda: _counted(computed, 1))  # left: computed again
    cache.get(b"\x03", lambda: _counted(computed, 3))  # kept
    assert computed == [1]


def test_inputs_are_bounded_by_their_bytes_and_a_large_one_is_never_kept() -> None:
    cache: DigestCache[int] = DigestCache(entries=10, max_bytes=10)
    computed: list[int] = []
    for _ in range(2):
        cache.get(b"x" * 11, lambda: _counted(computed, 11))
    assert computed == [11, 11]
    cache.get(b"a" * 6, lambda: 6)
    cache.get(b"b" * 6, lambda: 6)  # 12 bytes: the first leaves
    cache.get(b"a" * 6, lambda: _counted(computed, 6))
    assert computed == [11, 11, 6]


def test_a_result_holding_more_than_the_bound_is_not_kept() -> None:
    cache: DigestCache[bytes] = DigestCache(max_bytes=100)
    computed: list[int] = []
    for _ in range(2):  # a small input whose result holds much more (an archive's documents)
        cache.get(b"zip", lambda: bytes(_counted(computed, 1000)), weight=len)
    assert computed == [1000, 1000]


def test_a_failure_is_not_kept() -> None:
    cache: DigestCache[int] = DigestCache()

    def fail() -> int:
        raise ValueError("unreadable")

    with pytest.raises(ValueError):
        cache.get(b"pdf", fail)
    assert cache.get(b"pdf", lambda: 1) == 1
