"""FHIR R4 RESTful interactions over a :class:`~mocks.fhir.store.ResourceStore`, without HTTP.

read, vread, search-type (``_id``, ``identifier``, ``patient``, ``subject``, ``status``,
``_count``; comma = OR), create, and the ``transaction`` / ``batch`` Bundles of
``POST [base]/`` with the R4 semantics (http.html#transaction):

* a transaction is atomic: every entry is checked, ids are assigned, ``urn:uuid:`` fullUrls
  are replaced by the new ``Type/id`` in every reference, then all writes happen in one
  SQLite transaction; any error leaves the store untouched;
* the answer is a ``transaction-response`` whose entries, in request order, carry
  ``201 Created`` (``200 OK`` for updates), ``location`` ``Type/id/_history/n``, ``etag``
  and ``lastModified``;
* a batch processes each entry on its own and answers ``batch-response``.

Every refusal is a :class:`~mocks.fhir.outcome.FhirError` (an OperationOutcome and a status).
The simulator decides which resources it serves and how it validates them (``hooks``).
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.core.findings import Finding, Severity
from harness.validators.fhir.refs import iter_references
from mocks.fhir.outcome import FhirError
from mocks.fhir.store import ResourceStore, StoredResource

__all__ = ["SEARCH_PARAMS", "FhirEngine", "Result"]

SEARCH_PARAMS = ("_id", "identifier", "patient", "subject", "status")
_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_TYPE = re.compile(r"^[A-Z][A-Za-z]{1,63}$")
MAX_ENTRIES = 500
METHOD_ORDER = {"DELETE": 0, "POST": 1, "PUT": 2, "GET": 3}

Validate = Callable[[str, dict[str, Any], str], list[Finding]]


@dataclass
class Result:
    """One interaction's answer: status, body, headers, and what the recorder should know."""

    status: int
    body: dict[str, Any] | None
    headers: dict[str, str] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)


def _errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.ERROR]


def _rewrite(node: Any, mapping: Mapping[str, str]) -> Any:
    """A copy of ``node`` with every ``reference`` found in ``mapping`` replaced."""
    if isinstance(node, list):
        return [_rewrite(v, mapping) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _rewrite(v, mapping) if isinstance(v, (dict, list)) else v for k, v in node.items()}
    ref = out.get("reference")
    if isinstance(ref, str) and ref in mapping:
        out["reference"] = mapping[ref]
    return out


class FhirEngine:
    """The interactions one simulator serves.

    Args:
        store: where resources live.
        resource_types: resource type -> interactions allowed (``read``, ``search-type``,
            ``create``, ``update``, ``delete``).
        validate: called on each resource written (type, resource, FHIRPath-like location);
            an ERROR finding refuses the interaction with 422 (nothing written).
    """

    def __init__(self, store: ResourceStore, resource_types: Mapping[str, tuple[str, ...]],
                 validate: Validate | None = None, *, max_entries: int = MAX_ENTRIES) -> None:
        self.store = store
        self.resource_types = dict(resource_types)
        self.validate = validate
        self.max_entries = max_entries

    # -- guards ----------------------------------------------------------------------------
    def _allow(self, rtype: str, interaction: str, where: str = "") -> None:
        if not _TYPE.match(rtype):
            raise FhirError(400, "invalid", f"{rtype[:80]!r} is not a FHIR resource type", where)
        allowed = self.resource_types.get(rtype)
        if allowed is None:
            served = ", ".join(sorted(self.resource_types)) or "none"
            raise FhirError(404, "not-supported", f"resource type {rtype} is not served here (served: {served})",
                            where)
        if interaction not in allowed:
            raise FhirError(405, "not-supported", f"interaction {interaction} is not supported on {rtype} "
                            f"(supported: {', '.join(allowed)})", where)

    def _check(self, rtype: str, resource: dict[str, Any], where: str) -> list[Finding]:
        findings = self.validate(rtype, resource, where) if self.validate else []
        errors = _errors(findings)
        if errors:
            raise FhirError(422, "processing", f"{rtype} does not conform ({len(errors)} error(s)); first: "
                            f"{errors[0].message}", errors[0].location, findings)
        return findings

    @staticmethod
    def _body_type(resource: Any, rtype: str | None, where: str) -> str:
        if not isinstance(resource, dict):
            raise FhirError(400, "structure", f"a resource must be a JSON object, not {type(resource).__name__}",
                            where)
        kind = resource.get("resourceType")
        if not isinstance(kind, str) or not kind:
            raise FhirError(400, "required", "resourceType is missing", f"{where}.resourceType")
        if rtype is not None and kind != rtype:
            raise FhirError(400, "invalid", f"resourceType {kind} sent to the {rtype} endpoint",
                            f"{where}.resourceType")
        return kind

    # -- read / search -----------------------------------------------------------------------
    def read(self, rtype: str, rid: str, version: int | None = None) -> Result:
        self._allow(rtype, "vread" if version is not None and "vread" in self.resource_types.get(rtype, ()) else
                    "read")
        if not _ID.match(rid):
            raise FhirError(400, "invalid", f"{rid[:80]!r} is not a FHIR id ([A-Za-z0-9-.]{{1,64}})")
        found = self.store.read(rtype, rid, version)
        if found is None:
            label = f"{rtype}/{rid}" + (f"/_history/{version}" if version is not None else "")
            raise FhirError(404, "not-found", f"no resource {label}")
        if found.deleted:
            raise FhirError(410, "deleted", f"{rtype}/{rid} was deleted")
        return Result(200, found.resource, {"ETag": found.etag, "Last-Modified": found.updated},
                      {"type": rtype, "id": rid, "version": found.version})

    def _criteria(self, rtype: str, query: list[tuple[str, str]]) -> tuple[list[list[tuple[str, str | None, str]]],
                                                                               int | None]:
        alternatives: list[list[tuple[str, str | None, str]]] = []
        count = None
        for name, value in query:
            if name == "_count":
                if not value.isdigit():
                    raise FhirError(400, "invalid", f"_count must be a non-negative integer, not {value!r}")
                count = int(value)
                continue
            if name in ("_format", "_pretty"):
                continue
            base = name.split(":")[0]
            if ":" in name or base not in SEARCH_PARAMS:
                raise FhirError(400, "not-supported", f"search parameter {name!r} is not supported on {rtype} "
                                f"(supported: {', '.join(SEARCH_PARAMS)}, _count)")
            options = []
            for one in value.split(","):
                if base == "identifier":
                    system, sep, code = one.partition("|")
                    options.append((base, system if sep else None, code if sep else one))
                elif base in ("patient", "subject"):
                    target = one.split("/_history/")[0]
                    target = "/".join(target.rstrip("/").split("/")[-2:]) if "/" in target else f"Patient/{target}"
                    options.append((base, None, target))
                else:
                    options.append((base, None, one))
            alternatives.append(options)
        combos = list(itertools.islice(itertools.product(*alternatives), 51))
        if len(combos) > 50:
            raise FhirError(400, "too-costly", "too many comma-separated alternatives (more than 50 combinations)")
        return [list(c) for c in combos], count

    def search(self, rtype: str, query: list[tuple[str, str]], base_url: str) -> Result:
        self._allow(rtype, "search-type")
        combos, count = self._criteria(rtype, query)
        found: dict[str, StoredResource] = {}
        for criteria in combos:
            for item in self.store.search(rtype, criteria):
                found.setdefault(item.id, item)
        matches = list(found.values())
        shown = matches if count is None else matches[:count]
        bundle = {
            "resourceType": "Bundle", "id": uuid.uuid4().hex, "type": "searchset", "total": len(matches),
            "link": [{"relation": "self", "url": f"{base_url}/{rtype}" + (
                "?" + "&".join(f"{k}={v}" for k, v in query) if query else "")}],
            "entry": [{"fullUrl": f"{base_url}/{m.type}/{m.id}", "resource": m.resource,
                       "search": {"mode": "match"}} for m in shown],
        }
        return Result(200, bundle, summary={"type": rtype, "total": len(matches), "query": dict(query)})

    # -- create -----------------------------------------------------------------------------
    def create(self, rtype: str, resource: Any) -> Result:
        self._allow(rtype, "create")
        self._body_type(resource, rtype, rtype)
        findings = self._check(rtype, resource, rtype)
        stored = self.store.write(rtype, self.store.new_id(), {k: v for k, v in resource.items() if k != "id"})
        return Result(201, stored.resource, {"Location": stored.location, "ETag": stored.etag,
                                             "Last-Modified": stored.updated},
                      {"type": rtype, "id": stored.id, "findings": findings})

    # -- transaction / batch ----------------------------------------------------------------
    def bundle(self, bundle: Any) -> Result:
        """``POST [base]/``: a transaction or a batch Bundle."""
        self._body_type(bundle, "Bundle", "Bundle")
        kind = bundle.get("type")
        entries = bundle.get("entry", [])
        if not isinstance(entries, list):
            raise FhirError(400, "structure", "Bundle.entry must be an array", "Bundle.entry")
        if len(entries) > self.max_entries:
            raise FhirError(413, "too-costly", f"the bundle has {len(entries)} entries; this server processes at "
                            f"most {self.max_entries} in one interaction", "Bundle.entry")
        if kind == "transaction":
            return self._transaction(entries)
        if kind == "batch":
            return self._batch(entries)
        raise FhirError(400, "invalid", f"POST [base]/ accepts a Bundle of type transaction or batch, not {kind!r}",
                        "Bundle.type")

    def _plan(self, entry: Any, i: int, allow_refs: bool) -> dict[str, Any]:
        where = f"Bundle.entry[{i}]"
        if not isinstance(entry, dict):
            raise FhirError(400, "structure", "an entry must be a JSON object", where)
        request = entry.get("request")
        if not isinstance(request, dict):
            raise FhirError(400, "required", "entry.request is required in a transaction or batch",
                            f"{where}.request")
        method, url = request.get("method"), request.get("url")
        if method not in METHOD_ORDER:
            raise FhirError(400, "not-supported", f"request.method {method!r} is not one of GET, POST, PUT, DELETE",
                            f"{where}.request.method")
        if not isinstance(url, str) or not url:
            raise FhirError(400, "required", "request.url is required", f"{where}.request.url")
        path, _, query = url.partition("?")
        parts = path.strip("/").split("/")
        step: dict[str, Any] = {"i": i, "method": method, "type": parts[0], "query": query,
                                "full_url": entry.get("fullUrl"), "resource": entry.get("resource")}
        if method in ("POST", "PUT"):
            kind = self._body_type(step["resource"], parts[0], f"{where}.resource")
            self._allow(kind, "create" if method == "POST" else "update", f"{where}.request.url")
        if method in ("PUT", "DELETE") or (method == "GET" and len(parts) == 2):
            if len(parts) != 2 or not _ID.match(parts[1]):
                raise FhirError(400, "invalid", f"request.url {url!r} must be Type/id for {method}",
                                f"{where}.request.url")
            step["id"] = parts[1]
        if method == "POST" and len(parts) != 1:
            raise FhirError(400, "invalid", f"request.url of a create is the resource type, not {url!r}",
                            f"{where}.request.url")
        if not allow_refs and isinstance(step["resource"], dict):
            for ref, ref_where in iter_references(step["resource"], f"{where}.resource"):
                if ref.startswith("urn:uuid:"):
                    raise FhirError(400, "invalid", f"reference {ref} points into the request: entries of a batch "
                                    "are independent", ref_where)
        return step

    def _transaction(self, entries: list[Any]) -> Result:
        steps = [self._plan(entry, i, True) for i, entry in enumerate(entries)]
        mapping: dict[str, str] = {}
        for step in steps:
            full_url = step["full_url"]
            if step["method"] == "POST":
                step["id"] = self.store.new_id()
            if isinstance(full_url, str) and full_url and "id" in step:
                if full_url in mapping:
                    raise FhirError(400, "invalid", f"fullUrl {full_url} appears twice",
                                    f"Bundle.entry[{step['i']}].fullUrl")
                mapping[full_url] = f"{step['type']}/{step['id']}"
        for step in steps:
            if isinstance(step["resource"], dict):
                for ref, where in iter_references(step["resource"], f"Bundle.entry[{step['i']}].resource"):
                    if ref.startswith("urn:uuid:") and ref not in mapping:
                        raise FhirError(400, "invalid", f"reference {ref} matches no fullUrl of the transaction",
                                        where)
                step["resource"] = _rewrite(step["resource"], mapping)
                self._check(step["type"], step["resource"], f"Bundle.entry[{step['i']}].resource")
        results: dict[int, dict[str, Any]] = {}
        with self.store.atomic():
            for step in sorted(steps, key=lambda s: (METHOD_ORDER[s["method"]], s["i"])):
                results[step["i"]] = self._apply(step)
        ordered = [results[i] for i in range(len(steps))]
        response = {"resourceType": "Bundle", "id": uuid.uuid4().hex, "type": "transaction-response",
                    "entry": ordered}
        created = [r["response"].get("location") for r in ordered]
        return Result(200, response, summary={"entries": len(steps), "created": created, "ids": mapping})

    def _apply(self, step: dict[str, Any]) -> dict[str, Any]:
        method, rtype = step["method"], step["type"]
        where = f"Bundle.entry[{step['i']}]"
        if method == "GET":
            if "id" in step:
                found = self.read(rtype, step["id"])
                etag = found.headers.get("ETag", "")
                return {"resource": found.body, "response": {"status": "200 OK", "etag": etag}}
            query: list[tuple[str, str]] = []
            for part in str(step["query"]).split("&"):
                name, sep, value = part.partition("=")
                if sep:
                    query.append((name, value))
            return {"resource": self.search(rtype, query, "").body, "response": {"status": "200 OK"}}
        if method == "DELETE":
            self._allow(rtype, "delete", f"{where}.request.url")
            existing = self.store.read(rtype, step["id"])
            if existing is not None and not existing.deleted:
                self.store.write(rtype, step["id"], existing.resource, deleted=True)
            return {"response": {"status": "204 No Content"}}
        resource = {k: v for k, v in step["resource"].items() if k != "id"}
        if method == "PUT" and step["resource"].get("id") not in (None, step["id"]):
            raise FhirError(400, "invalid", f"resource id {step['resource']['id']!r} differs from the URL id "
                            f"{step['id']!r}", f"{where}.resource.id")
        existed = method == "PUT" and self.store.read(rtype, step["id"]) is not None
        stored = self.store.write(rtype, step["id"], resource)
        status = "200 OK" if existed else "201 Created"
        return {"resource": stored.resource,
                "response": {"status": status, "location": stored.location, "etag": stored.etag,
                             "lastModified": stored.updated}}

    def _batch(self, entries: list[Any]) -> Result:
        out = []
        for i, entry in enumerate(entries):
            try:
                step = self._plan(entry, i, False)
                if step["method"] == "POST":
                    step["id"] = self.store.new_id()
                if isinstance(step["resource"], dict):
                    self._check(step["type"], step["resource"], f"Bundle.entry[{i}].resource")
                with self.store.atomic():
                    result = self._apply(step)
                out.append(result)
            except FhirError as exc:
                out.append({"response": {"status": f"{exc.status} {exc.code}", "outcome": exc.outcome()}})
        response = {"resourceType": "Bundle", "id": uuid.uuid4().hex, "type": "batch-response", "entry": out}
        return Result(200, response, summary={"entries": len(entries)})
