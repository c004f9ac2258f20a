"""FHIR R4 search over a :class:`~mocks.fhir.store.ResourceStore` (search.html), without HTTP.

Parameters: ``_id``, ``identifier`` (``system|value`` or ``value``), ``status``, the reference
parameters of :data:`~mocks.fhir.store.REFERENCE_PARAMS` (``Type/id``, an absolute URL, or a bare
id for ``patient``), comma = OR; ``_lastUpdated`` with the prefixes ``eq ne gt ge lt le sa eb`` at
the precision given (a day, a second); ``_sort`` (``_id``, ``_lastUpdated``, ``-`` descending,
comma-separated keys); ``_count`` and paging (``_offset``, the server's own page cursor, in the
``self``/``first``/``previous`` (and ``prev``)/``next``/``last`` links); ``_include`` (``Type:param[:Target]``,
``*``) and ``_revinclude`` (``Type:param``), entries with ``search.mode = include``;
``_summary=count``. An unknown parameter is refused with 400 (``Prefer: handling=lenient``:
ignored, and left out of the ``self`` link). The same query is accepted as ``GET [type]?…`` and
``POST [type]/_search`` (form body).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from mocks.fhir.outcome import FhirError
from mocks.fhir.store import REFERENCE_PARAMS, ResourceStore, StoredResource

__all__ = ["SEARCH_PARAMS", "Search", "matches", "parse_search", "run_search"]

SEARCH_PARAMS = ("_id", "identifier", "status", *REFERENCE_PARAMS)
_CONTROL = (
    "_count",
    "_offset",
    "_sort",
    "_include",
    "_revinclude",
    "_summary",
    "_total",
    "_format",
    "_pretty",
    "_lastUpdated",
)
_PREFIXES = ("eq", "ne", "gt", "ge", "lt", "le", "sa", "eb")
DEFAULT_COUNT = 50
MAX_COUNT = 500

Criteria = list[tuple[str, str | None, str]]


@dataclass
class Search:
    """One parsed search: alternatives of criteria (OR of ANDs), filters, order, page, includes."""

    rtype: str
    alternatives: list[Criteria]
    last_updated: list[tuple[str, datetime, datetime]] = field(default_factory=list)
    sort: list[tuple[str, bool]] = field(default_factory=list)
    count: int = DEFAULT_COUNT
    offset: int = 0
    includes: list[tuple[str, str, str | None]] = field(default_factory=list)
    revincludes: list[tuple[str, str]] = field(default_factory=list)
    summary_count: bool = False
    #: the parameters understood, in order, for the links
    kept: list[tuple[str, str]] = field(default_factory=list)


def _instant_range(value: str) -> tuple[datetime, datetime]:
    """The interval ``[low, high)`` a FHIR date/dateTime/instant denotes at its own precision."""
    text = value.replace("Z", "+00:00")
    try:
        if len(text) == 4:
            low = datetime(int(text), 1, 1, tzinfo=UTC)
            return low, low.replace(year=low.year + 1)
        if len(text) == 7:
            low = datetime(int(text[:4]), int(text[5:7]), 1, tzinfo=UTC)
            return low, (low + timedelta(days=32)).replace(day=1)
        if len(text) == 10:
            low = datetime.fromisoformat(text).replace(tzinfo=UTC)
            return low, low + timedelta(days=1)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise FhirError(400, "invalid", f"_lastUpdated value {value!r} is not a FHIR date or dateTime") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    step = timedelta(seconds=1) if moment.microsecond == 0 else timedelta(microseconds=1000)
    return moment.astimezone(UTC), moment.astimezone(UTC) + step


def _date_matches(prefix: str, low: datetime, high: datetime, moment: datetime) -> bool:
    return {
        "eq": low <= moment < high,
        "ne": not low <= moment < high,
        "gt": moment >= high,
        "sa": moment >= high,
        "ge": moment >= low,
        "lt": moment < low,
        "eb": moment < low,
        "le": moment < high,
    }[prefix]


def _reference_option(base: str, value: str) -> str:
    target = value.split("/_history/")[0].rstrip("/")
    if "/" in target:
        return "/".join(target.split("/")[-2:])
    return f"Patient/{target}" if base == "patient" else target


def parse_search(rtype: str, query: Iterable[tuple[str, str]], *, lenient: bool = False) -> Search:
    """Parse the parameters of a search on ``rtype`` (400 for what this server does not support)."""
    search, alternatives = Search(rtype, []), []
    for name, value in query:
        base, _, modifier = name.partition(":")
        if base == "_count":
            if not value.isdigit():
                raise FhirError(400, "invalid", f"_count must be a non-negative integer, not {value!r}")
            search.count = min(int(value), MAX_COUNT)
        elif base == "_offset":
            if not value.isdigit():
                raise FhirError(400, "invalid", f"_offset must be a non-negative integer, not {value!r}")
            search.offset = int(value)
        elif base == "_sort":
            for key in value.split(","):
                field_name = key.lstrip("-")
                if field_name not in ("_id", "_lastUpdated"):
                    raise FhirError(400, "not-supported", f"_sort={key!r}: this server sorts on _id and _lastUpdated")
                search.sort.append((field_name, key.startswith("-")))
        elif base == "_lastUpdated":
            prefix = value[:2] if value[:2] in _PREFIXES else "eq"
            low, high = _instant_range(value[2:] if value[:2] in _PREFIXES else value)
            search.last_updated.append((prefix, low, high))
        elif base == "_include":
            parts = value.split(":")
            if len(parts) not in (2, 3) or (parts[1] not in REFERENCE_PARAMS and parts[1] != "*"):
                raise FhirError(
                    400,
                    "not-supported",
                    f"_include={value!r}: Type:param[:Target] with param one of {', '.join(REFERENCE_PARAMS)} or *",
                )
            search.includes.append((parts[0], parts[1], parts[2] if len(parts) == 3 else None))
        elif base == "_revinclude":
            parts = value.split(":")
            if len(parts) != 2 or parts[1] not in REFERENCE_PARAMS:
                raise FhirError(
                    400,
                    "not-supported",
                    f"_revinclude={value!r}: Type:param with param one of {', '.join(REFERENCE_PARAMS)}",
                )
            search.revincludes.append((parts[0], parts[1]))
        elif base == "_summary":
            if value not in ("count", "false"):
                raise FhirError(400, "not-supported", f"_summary={value!r}: this server supports count and false")
            search.summary_count = value == "count"
        elif base in ("_format", "_pretty", "_total"):
            continue
        elif base in SEARCH_PARAMS and not modifier:
            options: list[tuple[str, str | None, str]] = []
            for one in value.split(","):
                if base == "identifier":
                    system, sep, code = one.partition("|")
                    options.append((base, system if sep else None, code if sep else one))
                elif base in REFERENCE_PARAMS:
                    options.append((base, None, _reference_option(base, one)))
                else:
                    options.append((base, None, one))
            alternatives.append(options)
        elif lenient:
            continue
        else:
            raise FhirError(
                400,
                "not-supported",
                f"search parameter {name!r} is not supported on {rtype} (supported: "
                f"{', '.join(SEARCH_PARAMS)}, {', '.join(_CONTROL)})",
            )
        if base != "_offset":
            search.kept.append((name, value))
    combos = list(itertools.islice(itertools.product(*alternatives), 51))
    if len(combos) > 50:
        raise FhirError(400, "too-costly", "too many comma-separated alternatives (more than 50 combinations)")
    search.alternatives = [list(c) for c in combos]
    return search


def matches(store: ResourceStore, search: Search) -> list[StoredResource]:
    """The resources matching ``search``, filtered by ``_lastUpdated`` and sorted, before paging."""
    found: dict[str, StoredResource] = {}
    for criteria in search.alternatives:
        for item in store.search(search.rtype, criteria):
            found.setdefault(item.id, item)
    out = list(found.values())
    for prefix, low, high in search.last_updated:
        out = [
            r for r in out if _date_matches(prefix, low, high, datetime.fromisoformat(r.updated.replace("Z", "+00:00")))
        ]
    for key, descending in reversed(search.sort):
        out.sort(key=lambda r: r.id if key == "_id" else r.updated, reverse=descending)
    return out


def _included(store: ResourceStore, search: Search, page: list[StoredResource]) -> list[StoredResource]:
    seen = {m.key for m in page}
    extra: list[StoredResource] = []
    for source, param, target in search.includes:
        for item in page:
            if item.type != source and source != "*":
                continue
            elements = [e for p, es in REFERENCE_PARAMS.items() if param in (p, "*") for e in es]
            for element in elements:
                value = item.resource.get(element)
                for ref in [
                    v.get("reference") for v in (value if isinstance(value, list) else [value]) if isinstance(v, dict)
                ]:
                    if not isinstance(ref, str) or ref.count("/") < 1:
                        continue
                    rtype, rid = ref.split("/_history/")[0].split("/")[-2:]
                    found = store.read(rtype, rid) if target in (None, rtype) else None
                    if found is not None and not found.deleted and found.key not in seen:
                        seen.add(found.key)
                        extra.append(found)
    for source, param in search.revincludes:
        for item in page:
            for found in store.search(source, [(param, None, item.key)]):
                if found.key not in seen:
                    seen.add(found.key)
                    extra.append(found)
    return extra


def run_search(store: ResourceStore, search: Search, base_url: str) -> dict[str, Any]:
    """The ``searchset`` Bundle of one page, with its paging links and included resources."""
    found = matches(store, search)
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "id": uuid.uuid4().hex,
        "type": "searchset",
        "total": len(found),
    }
    path = f"{base_url}/{search.rtype}"

    def link(relation: str, offset: int) -> dict[str, str]:
        params = [*search.kept, ("_offset", str(offset))] if offset else list(search.kept)
        return {"relation": relation, "url": path + ("?" + urlencode(params) if params else "")}

    if search.summary_count:
        bundle["link"] = [link("self", 0)]
        return bundle
    size = search.count
    page = found[search.offset : search.offset + size] if size else []
    links = [link("self", search.offset)]
    if size:
        last = max(0, (len(found) - 1) // size * size)
        links += [link("first", 0), link("last", last)]
        if search.offset > 0:  # both IANA spellings: R4 clients read "previous", R5 ones "prev"
            links += [link("previous", max(0, search.offset - size)), link("prev", max(0, search.offset - size))]
        if search.offset + size < len(found):
            links.append(link("next", search.offset + size))
    bundle["link"] = links
    entries = [{"fullUrl": f"{base_url}/{m.key}", "resource": m.resource, "search": {"mode": "match"}} for m in page]
    entries += [
        {"fullUrl": f"{base_url}/{m.key}", "resource": m.resource, "search": {"mode": "include"}}
        for m in _included(store, search, page)
    ]
    bundle["entry"] = entries
    return bundle
