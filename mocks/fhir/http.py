"""The HTTP side of the FHIR simulators: interactions by route and method, headers, Prefer, capabilities.

* :func:`interaction` names the R4 interaction of a route and a method (405 otherwise);
* :func:`negotiate` (406 unless JSON) and :func:`content_type` (415 unless FHIR JSON, UTF-8);
* :class:`Headers` reads ``If-None-Exist``, ``If-Match``, ``If-None-Match``,
  ``If-Modified-Since`` and ``Prefer`` (``return=minimal|representation|OperationOutcome``,
  ``handling=strict|lenient``);
* :func:`capability_statement` describes what a simulator serves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from starlette.requests import Request

from mocks.fhir.outcome import FhirError
from mocks.fhir.search import SEARCH_PARAMS

__all__ = ["JSON_TYPES", "Headers", "capability_statement", "content_type", "interaction", "negotiate"]

JSON_TYPES = ("application/fhir+json", "application/json")

#: (route, method) -> interaction (the operation name faults and recordings use)
_TABLE = {
    ("capabilities", "GET"): "capabilities",
    ("bundle", "POST"): "bundle",
    ("system-history", "GET"): "history-system",
    ("type", "GET"): "search-type",
    ("type", "POST"): "create",
    ("type", "PUT"): "conditional-update",
    ("type", "DELETE"): "conditional-delete",
    ("search", "POST"): "search-type",
    ("search", "GET"): "search-type",
    ("type-history", "GET"): "history-type",
    ("instance", "GET"): "read",
    ("instance", "PUT"): "update",
    ("instance", "DELETE"): "delete",
    ("instance-history", "GET"): "history-instance",
    ("vread", "GET"): "vread",
}
#: interaction -> what the store and the resource_types call it
CAPABILITY = {"conditional-update": "update", "conditional-delete": "delete"}


def interaction(route: str, method: str) -> str:
    if route == "unknown":
        raise FhirError(
            404,
            "not-found",
            "no FHIR endpoint at this path (FHIR base: [base]/[type], "
            "[base]/[type]/[id], [base]/[type]/[id]/_history/[vid], [base]/metadata)",
        )
    found = _TABLE.get((route, method))
    if found is None:
        allowed = sorted({m for r, m in _TABLE if r == route})
        raise FhirError(405, "not-supported", f"{method} is not supported here (allowed: {', '.join(allowed)})")
    return found


def negotiate(request: Request) -> None:
    """406 when the client asks for anything but JSON (``_format`` wins over Accept)."""
    fmt = request.query_params.get("_format")
    if fmt is not None and fmt not in ("json", *JSON_TYPES):
        raise FhirError(406, "not-supported", f"_format={fmt!r}: this server answers JSON only (application/fhir+json)")
    accept = request.headers.get("accept", "")
    if fmt is None and accept and not any(t in accept for t in ("json", "*/*")):
        raise FhirError(
            406, "not-supported", f"Accept {accept!r}: this server answers JSON only (application/fhir+json)"
        )


def content_type(request: Request, *, form: bool = False) -> None:
    """415 unless the body is FHIR JSON in UTF-8 (or a form, for ``POST [type]/_search``)."""
    raw = request.headers.get("content-type")
    if not raw:
        raise FhirError(415, "not-supported", "Content-Type is missing: send application/fhir+json")
    mime, _, params = raw.partition(";")
    mime = mime.strip().lower()
    if form and mime == "application/x-www-form-urlencoded":
        return
    if mime in ("application/fhir+xml", "application/xml", "text/xml"):
        raise FhirError(
            415, "not-supported", f"Content-Type {mime}: this server reads JSON only (application/fhir+json)"
        )
    if mime not in JSON_TYPES:
        expected = "application/x-www-form-urlencoded" if form else "application/fhir+json"
        raise FhirError(415, "not-supported", f"Content-Type {raw!r} is not {expected}")
    charset = params.strip().lower().removeprefix("charset=").strip('"') if "charset" in params.lower() else "utf-8"
    if charset not in ("utf-8", "utf8"):
        raise FhirError(415, "not-supported", f"charset {charset!r}: FHIR JSON is UTF-8")


@dataclass(frozen=True)
class Headers:
    """The request headers of the R4 conditional interactions and of ``Prefer``."""

    if_none_exist: str | None = None
    if_match: str | None = None
    if_none_match: str | None = None
    if_modified_since: datetime | None = None
    prefer_return: str = "representation"
    lenient: bool = False

    @classmethod
    def of(cls, request: Request) -> Headers:
        get = request.headers.get
        since = None
        if get("if-modified-since"):
            try:
                since = parsedate_to_datetime(str(get("if-modified-since")))
            except (TypeError, ValueError):
                raise FhirError(
                    400, "invalid", f"If-Modified-Since {get('if-modified-since')!r} is not an HTTP date (RFC 7231)"
                ) from None
            since = since if since.tzinfo else since.replace(tzinfo=UTC)
        prefer = {
            k.strip().lower(): v.strip().strip('"')
            for k, _, v in (p.partition("=") for p in str(get("prefer") or "").split(";") if p.strip())
        }
        wanted = prefer.get("return", "representation")
        if wanted not in ("minimal", "representation", "OperationOutcome"):
            raise FhirError(400, "invalid", f"Prefer return={wanted!r}: minimal, representation or OperationOutcome")
        return cls(
            get("if-none-exist"),
            get("if-match"),
            get("if-none-match"),
            since,
            wanted,
            prefer.get("handling") == "lenient",
        )


def capability_statement(
    title: str, name: str, url: str, version: str, resource_types: dict[str, tuple[str, ...]]
) -> dict[str, Any]:
    """The CapabilityStatement of a simulator (what its engine serves, conditional interactions included)."""
    resources = []
    for rtype, interactions in sorted(resource_types.items()):
        entry: dict[str, Any] = {
            "type": rtype,
            "interaction": [{"code": i} for i in interactions],
            "versioning": "versioned",
            "readHistory": "vread" in interactions,
            "updateCreate": "update" in interactions,
            "conditionalCreate": "create" in interactions,
            "conditionalUpdate": "update" in interactions,
            "conditionalDelete": "single" if "delete" in interactions else "not-supported",
            "conditionalRead": "full-support",
        }
        if "search-type" in interactions:
            entry["searchParam"] = [
                {"name": p, "type": "token" if p in ("_id", "identifier", "status") else "reference"}
                for p in SEARCH_PARAMS
            ]
            entry["searchParam"].append({"name": "_lastUpdated", "type": "date"})
            entry["searchInclude"] = ["*", *(f"{rtype}:{p}" for p in SEARCH_PARAMS[3:])]
            entry["searchRevInclude"] = [f"{t}:{p}" for t in sorted(resource_types) for p in SEARCH_PARAMS[3:]]
        resources.append(entry)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "kind": "instance",
        "date": datetime.now(UTC).date().isoformat(),
        "publisher": "dui-harness",
        "name": name,
        "title": title,
        "software": {"name": "dui-harness", "version": version},
        "implementation": {"description": title, "url": url},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "resource": resources,
                "interaction": [{"code": "transaction"}, {"code": "batch"}, {"code": "history-system"}],
            }
        ],
    }
