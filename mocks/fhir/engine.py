"""FHIR R4 RESTful interactions over a :class:`~mocks.fhir.store.ResourceStore`, without HTTP.

Instance and type level interactions of http.html, with their R4 semantics:

* ``read`` / ``vread`` (410 for a deleted resource; 304 for ``If-None-Match`` on the current
  ETag or ``If-Modified-Since`` not older than ``meta.lastUpdated``);
* ``create`` (new id; ``If-None-Exist``: one match → 200 with it and nothing created, several →
  412), ``update`` (``PUT [type]/[id]``: the body's id must be the URL's; update-as-create →
  201; ``If-Match`` on another version → 412) and conditional update (``PUT [type]?criteria``:
  none → create, one → update it, several → 412);
* ``delete`` (204; conditional ``DELETE [type]?criteria``: several → 412);
* ``history`` of an instance, a type or the whole server (``_count``, ``_since``, paging);
* search (:mod:`~mocks.fhir.search`); ``transaction`` / ``batch`` (:mod:`~mocks.fhir.transaction`).

Every resource written is validated (``validate``: an ERROR finding refuses with 422, nothing
written), and its relative references must name a resource this server holds (or one written
in the same transaction): a dangling reference is refused with 400 rather than stored.
Conditional references (``Patient?identifier=…``) are resolved to the one match (none: 404,
several: 412). Every refusal is a :class:`~mocks.fhir.outcome.FhirError` (an OperationOutcome).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import unquote_plus

from harness.core.findings import Finding, Severity
from harness.validators.fhir.refs import iter_references
from mocks.fhir.outcome import FhirError
from mocks.fhir.search import SEARCH_PARAMS, matches, parse_search, run_search
from mocks.fhir.store import ResourceStore, StoredResource

__all__ = ["SEARCH_PARAMS", "FhirEngine", "Result", "rewrite_references"]

ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
TYPE = re.compile(r"^[A-Z][A-Za-z]{1,63}$")
RELATIVE = re.compile(r"^([A-Z][A-Za-z]{1,63})/([A-Za-z0-9\-.]{1,64})(/_history/\d+)?$")
MAX_ENTRIES = 500

Validate = Callable[[str, dict[str, Any], str], list[Finding]]


@dataclass
class Result:
    """One interaction's answer: status, body, headers, and what the recorder should know.

    ``outcome`` is the sentence of an OperationOutcome a client gets with ``Prefer:
    return=OperationOutcome``.
    """

    status: int
    body: dict[str, Any] | None
    headers: dict[str, str] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    outcome: str = ""


def rewrite_references(node: Any, mapping: Mapping[str, str]) -> Any:
    """A copy of ``node`` with every ``reference`` found in ``mapping`` replaced."""
    if isinstance(node, list):
        return [rewrite_references(v, mapping) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: rewrite_references(v, mapping) if isinstance(v, (dict, list)) else v for k, v in node.items()}
    ref = out.get("reference")
    if isinstance(ref, str) and ref in mapping:
        out["reference"] = mapping[ref]
    return out


def http_date(iso: str) -> str:
    """RFC 7231 date of a stored ``lastUpdated``."""
    return format_datetime(datetime.fromisoformat(iso.replace("Z", "+00:00")), usegmt=True)


def _headers(stored: StoredResource, base_url: str = "") -> dict[str, str]:
    location = f"{base_url}/{stored.location}" if base_url else stored.location
    return {"ETag": stored.etag, "Last-Modified": http_date(stored.updated), "Location": location}


def _version_of(etag: str) -> str:
    return etag.strip().removeprefix("W/").strip('"')


class FhirEngine:
    """The interactions one simulator serves.

    Args:
        store: where resources live.
        resource_types: resource type -> interactions allowed (``read``, ``vread``, ``search-type``,
            ``create``, ``update``, ``delete``, ``history-instance``, ``history-type``).
        validate: called on each resource written (type, resource, FHIRPath-like location).
    """

    def __init__(
        self,
        store: ResourceStore,
        resource_types: Mapping[str, tuple[str, ...]],
        validate: Validate | None = None,
        *,
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        self.store = store
        self.resource_types = dict(resource_types)
        self.validate = validate
        self.max_entries = max_entries

    # -- guards ----------------------------------------------------------------------------
    def allow(self, rtype: str, interaction: str, where: str = "") -> None:
        if not TYPE.match(rtype):
            raise FhirError(400, "invalid", f"{rtype[:80]!r} is not a FHIR resource type", where)
        allowed = self.resource_types.get(rtype)
        if allowed is None:
            served = ", ".join(sorted(self.resource_types)) or "none"
            raise FhirError(404, "not-supported", f"resource type {rtype} is not served here (served: {served})", where)
        if interaction not in allowed:
            raise FhirError(
                405,
                "not-supported",
                f"interaction {interaction} is not supported on {rtype} (supported: {', '.join(allowed)})",
                where,
            )

    @staticmethod
    def check_id(rid: str, where: str = "") -> None:
        if not ID.match(rid):
            raise FhirError(400, "invalid", f"{rid[:80]!r} is not a FHIR id ([A-Za-z0-9-.]{{1,64}})", where)

    def check(self, rtype: str, resource: dict[str, Any], where: str) -> list[Finding]:
        findings = self.validate(rtype, resource, where) if self.validate else []
        errors = [f for f in findings if f.severity is Severity.ERROR]
        if errors:
            raise FhirError(
                422,
                "processing",
                f"{rtype} does not conform ({len(errors)} error(s)); first: {errors[0].message}",
                errors[0].location,
                findings,
            )
        return findings

    @staticmethod
    def body_type(resource: Any, rtype: str | None, where: str) -> str:
        if not isinstance(resource, dict):
            raise FhirError(400, "structure", f"a resource must be a JSON object, not {type(resource).__name__}", where)
        kind = resource.get("resourceType")
        if not isinstance(kind, str) or not kind:
            raise FhirError(400, "required", "resourceType is missing", f"{where}.resourceType")
        if rtype is not None and kind != rtype:
            raise FhirError(
                400, "invalid", f"resourceType {kind} sent to the {rtype} endpoint", f"{where}.resourceType"
            )
        return kind

    def conditional_matches(self, rtype: str, query: str, where: str = "") -> list[StoredResource]:
        """The current resources matching a conditional URL's query (``identifier=…&…``)."""
        pairs = [(k, v) for k, _, v in (p.partition("=") for p in query.split("&") if p)]
        if not pairs:
            raise FhirError(400, "invalid", f"conditional criteria on {rtype} are empty", where)
        search = parse_search(rtype, [(unquote_plus(k), unquote_plus(v)) for k, v in pairs])
        return matches(self.store, search)

    def resolve_references(self, resource: dict[str, Any], where: str) -> dict[str, Any]:
        """A copy of ``resource`` whose conditional references name their one match (none: 404, several: 412)."""
        mapping: dict[str, str] = {}
        for ref, ref_where in iter_references(resource, where):
            if "?" in ref and TYPE.match(ref.split("?")[0]):
                rtype, _, query = ref.partition("?")
                found = self.conditional_matches(rtype, query, ref_where)
                if len(found) != 1:
                    raise FhirError(
                        404 if not found else 412,
                        "not-found" if not found else "multiple-matches",
                        f"conditional reference {ref} matches {len(found)} resources (exactly one needed)",
                        ref_where,
                    )
                mapping[ref] = found[0].key
        resolved: dict[str, Any] = rewrite_references(resource, mapping) if mapping else resource
        return resolved

    def check_targets(self, resource: dict[str, Any], where: str, pending: Iterable[str] = ()) -> None:
        """400 when a relative reference names nothing held nor written in the same interaction (no dangling)."""
        known = set(pending)
        for ref, ref_where in iter_references(resource, where):
            relative = RELATIVE.match(ref)
            if relative and f"{relative[1]}/{relative[2]}" not in known:
                held = self.store.read(relative[1], relative[2])
                if held is None or held.deleted:
                    raise FhirError(
                        400,
                        "processing",
                        f"reference {ref} resolves to nothing on this server: the "
                        "resource is neither held nor written in the same transaction",
                        ref_where,
                    )

    def accept(
        self, rtype: str, resource: dict[str, Any], where: str, pending: Iterable[str] = ()
    ) -> tuple[dict[str, Any], list[Finding]]:
        """What is written: conditional references resolved, the resource validated, its targets held."""
        resource = self.resolve_references(resource, where)
        findings = self.check(rtype, resource, where)
        self.check_targets(resource, where, pending)
        return resource, findings

    # -- read -------------------------------------------------------------------------------
    def read(
        self,
        rtype: str,
        rid: str,
        version: int | None = None,
        *,
        if_none_match: str | None = None,
        if_modified_since: datetime | None = None,
    ) -> Result:
        self.allow(rtype, "vread" if version is not None else "read")
        self.check_id(rid)
        found = self.store.read(rtype, rid, version)
        if found is None:
            label = f"{rtype}/{rid}" + (f"/_history/{version}" if version is not None else "")
            raise FhirError(404, "not-found", f"no resource {label}")
        if found.deleted:
            raise FhirError(410, "deleted", f"{rtype}/{rid} was deleted (version {found.version})")
        headers = _headers(found)
        headers.pop("Location")
        summary = {"type": rtype, "id": rid, "version": found.version}
        if if_none_match and _version_of(if_none_match) == str(found.version):
            return Result(304, None, headers, dict(summary, not_modified=True))
        if if_modified_since is not None:
            updated = datetime.fromisoformat(found.updated.replace("Z", "+00:00")).replace(microsecond=0)
            if updated <= if_modified_since:
                return Result(304, None, headers, dict(summary, not_modified=True))
        return Result(200, found.resource, headers, summary)

    def search(self, rtype: str, query: list[tuple[str, str]], base_url: str, *, lenient: bool = False) -> Result:
        self.allow(rtype, "search-type")
        search = parse_search(rtype, query, lenient=lenient)
        bundle = run_search(self.store, search, base_url)
        return Result(200, bundle, summary={"type": rtype, "total": bundle["total"], "query": dict(query)})

    # -- write ------------------------------------------------------------------------------
    def create(self, rtype: str, resource: Any, *, if_none_exist: str | None = None, base_url: str = "") -> Result:
        self.allow(rtype, "create")
        self.body_type(resource, rtype, rtype)
        with self.store.atomic():
            if if_none_exist:
                found = self.conditional_matches(rtype, if_none_exist.lstrip("?"), "If-None-Exist")
                if len(found) > 1:
                    raise FhirError(
                        412, "multiple-matches", f"If-None-Exist {if_none_exist} matches {len(found)} {rtype} resources"
                    )
                if found:
                    return Result(
                        200,
                        found[0].resource,
                        _headers(found[0], base_url),
                        {"type": rtype, "id": found[0].id, "existing": True},
                        f"{rtype}/{found[0].id} already matches {if_none_exist}: nothing created",
                    )
            resource, findings = self.accept(rtype, resource, rtype)
            stored = self.store.write(rtype, self.store.new_id(), {k: v for k, v in resource.items() if k != "id"})
        return Result(
            201,
            stored.resource,
            _headers(stored, base_url),
            {"type": rtype, "id": stored.id, "findings": findings},
            f"created {stored.location}",
        )

    def update(
        self,
        rtype: str,
        rid: str | None,
        resource: Any,
        *,
        query: str = "",
        if_match: str | None = None,
        base_url: str = "",
    ) -> Result:
        """``PUT [type]/[id]`` or, with ``query`` and ``rid`` None, the conditional update ``PUT [type]?query``."""
        self.allow(rtype, "update")
        self.body_type(resource, rtype, rtype)
        body_id = resource.get("id")
        with self.store.atomic():
            if rid is None:
                found = self.conditional_matches(rtype, query, "request.url")
                if len(found) > 1:
                    raise FhirError(
                        412, "multiple-matches", f"conditional update {rtype}?{query} matches {len(found)} resources"
                    )
                rid = found[0].id if found else (body_id if isinstance(body_id, str) else self.store.new_id())
                if found and body_id not in (None, rid):
                    raise FhirError(
                        400, "invalid", f"resource id {body_id!r} differs from the matching {rtype}/{rid}", "id"
                    )
            elif body_id != rid:
                raise FhirError(
                    400, "invalid", f"the resource must carry id {rid!r} (the URL's), not {body_id!r}", f"{rtype}.id"
                )
            self.check_id(rid)
            existing = self.store.read(rtype, rid)
            current = existing is not None and not existing.deleted
            if if_match and (not current or existing is None or _version_of(if_match) != str(existing.version)):
                have = f"version {existing.version}" if existing is not None and current else "no current version"
                raise FhirError(412, "conflict", f"If-Match {if_match}: {rtype}/{rid} has {have}")
            resource, findings = self.accept(rtype, resource, rtype, [f"{rtype}/{rid}"])
            stored = self.store.write(rtype, rid, dict(resource, id=rid))
        status = 200 if current else 201
        return Result(
            status,
            stored.resource,
            _headers(stored, base_url),
            {"type": rtype, "id": rid, "version": stored.version, "findings": findings},
            f"{'updated' if current else 'created'} {stored.location}",
        )

    def delete(self, rtype: str, rid: str | None, *, query: str = "", if_match: str | None = None) -> Result:
        """``DELETE [type]/[id]`` or, with ``query`` and ``rid`` None, ``DELETE [type]?query``."""
        self.allow(rtype, "delete")
        with self.store.atomic():
            if rid is None:
                found = self.conditional_matches(rtype, query, "request.url")
                if len(found) > 1:
                    raise FhirError(
                        412, "multiple-matches", f"conditional delete {rtype}?{query} matches {len(found)} resources"
                    )
                if not found:
                    return Result(204, None, summary={"type": rtype, "deleted": None}, outcome="nothing matched")
                rid = found[0].id
            self.check_id(rid)
            existing = self.store.read(rtype, rid)
            if existing is None:
                raise FhirError(404, "not-found", f"no resource {rtype}/{rid}")
            if if_match and _version_of(if_match) != str(existing.version):
                raise FhirError(412, "conflict", f"If-Match {if_match}: {rtype}/{rid} has version {existing.version}")
            headers = {}
            if not existing.deleted:
                stored = self.store.write(rtype, rid, existing.resource, deleted=True)
                headers = {"ETag": stored.etag}
        return Result(204, None, headers, {"type": rtype, "id": rid, "deleted": True}, f"deleted {rtype}/{rid}")

    # -- history ----------------------------------------------------------------------------
    def history(self, rtype: str | None, rid: str | None, query: list[tuple[str, str]], base_url: str) -> Result:
        if rtype is not None:
            self.allow(rtype, "history-instance" if rid is not None else "history-type")
        if rid is not None:
            self.check_id(rid)
            if self.store.read(str(rtype), rid) is None:
                raise FhirError(404, "not-found", f"no resource {rtype}/{rid}")
        count, offset, since = 50, 0, None
        for name, value in query:
            if name in ("_count", "_offset") and not value.isdigit():
                raise FhirError(400, "invalid", f"{name} must be a non-negative integer, not {value!r}")
            if name == "_count":
                count = min(int(value), 500)
            elif name == "_offset":
                offset = int(value)
            elif name == "_since":
                since = value
            elif name not in ("_format", "_pretty"):
                raise FhirError(400, "not-supported", f"history parameter {name!r} is not supported (_count, _since)")
        versions = [v for v in self.store.history(rtype, rid) if rtype is not None or v.type in self.resource_types]
        if since is not None:
            low = parse_search(rtype or "Resource", [("_lastUpdated", f"ge{since}")]).last_updated[0][1]
            versions = [v for v in versions if datetime.fromisoformat(v.updated.replace("Z", "+00:00")) >= low]
        path = f"{base_url}/{rtype}" + (f"/{rid}" if rid else "") + "/_history" if rtype else f"{base_url}/_history"
        page = versions[offset : offset + count]
        links = [{"relation": "self", "url": f"{path}?_count={count}" + (f"&_offset={offset}" if offset else "")}]
        if offset + count < len(versions):
            links.append({"relation": "next", "url": f"{path}?_count={count}&_offset={offset + count}"})
        if offset:
            previous = f"{path}?_count={count}&_offset={max(0, offset - count)}"
            links += [{"relation": "previous", "url": previous}, {"relation": "prev", "url": previous}]
        entries = []
        for v in page:
            method = "DELETE" if v.deleted else ("POST" if v.version == 1 else "PUT")
            entry: dict[str, Any] = {
                "fullUrl": f"{base_url}/{v.key}",
                "request": {"method": method, "url": v.type if method == "POST" else v.key},
                "response": {
                    "status": "204 No Content" if v.deleted else ("201 Created" if v.version == 1 else "200 OK"),
                    "etag": v.etag,
                    "lastModified": v.updated,
                },
            }
            if not v.deleted:
                entry["resource"] = v.resource
            entries.append(entry)
        bundle = {
            "resourceType": "Bundle",
            "id": uuid.uuid4().hex,
            "type": "history",
            "total": len(versions),
            "link": links,
            "entry": entries,
        }
        return Result(200, bundle, summary={"type": rtype, "id": rid, "total": len(versions)})

    # -- transaction / batch ----------------------------------------------------------------
    def bundle(self, bundle: Any, base_url: str = "", *, prefer: str = "representation") -> Result:
        """``POST [base]/``: a transaction or a batch Bundle (:mod:`~mocks.fhir.transaction`)."""
        from mocks.fhir.transaction import process_bundle

        return process_bundle(self, bundle, base_url, prefer)
