"""``POST [base]/`` with a ``transaction`` or ``batch`` Bundle, with the R4 rules (http.html#transaction).

A **transaction** is atomic: every entry is planned and checked first, then all writes happen in
one SQLite transaction (any error leaves the store untouched). Processing order DELETE, POST,
PUT, GET. Identities are settled before any write:

* ``POST`` gets a new id, unless ``request.ifNoneExist`` matches one resource (then nothing is
  created, the entry answers ``200 OK`` with it, and references to its ``fullUrl`` point at it;
  several matches: 412);
* ``PUT Type/id`` keeps its id; ``PUT Type?criteria`` and ``DELETE Type?criteria`` take the one
  match (several: 412; a conditional update without match creates);
* every ``fullUrl`` form names its entry: ``urn:uuid:``, an absolute URL (and, as the R4 rules
  for resolving references in bundles say, the relative ``Type/id`` ending it), and the
  ``Type/id`` of a created resource's own ``id`` (the TDDUI IG's "couple resourceType/id"); those
  references are rewritten to the new ``Type/id`` in every entry;
* conditional references (``Patient?identifier=…``) resolve to the one resource they match,
  among those held and those the transaction writes, and a relative reference to nothing held
  nor written is refused (no dangling reference).

The ``transaction-response`` lists, in request order, ``201 Created`` / ``200 OK`` /
``204 No Content`` with ``location``, ``etag`` and ``lastModified``; ``Prefer: return=minimal``
leaves the resources out, ``return=OperationOutcome`` adds an outcome to each entry. A **batch**
processes each entry on its own (its errors become that entry's status and OperationOutcome).
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote_plus

from harness.validators.fhir.refs import iter_references
from mocks.fhir.engine import ID, TYPE, Result, rewrite_references
from mocks.fhir.outcome import FhirError, operation_outcome
from mocks.fhir.search import parse_search
from mocks.fhir.store import index_tokens

if TYPE_CHECKING:
    from mocks.fhir.engine import FhirEngine

__all__ = ["process_bundle"]

ORDER = {"DELETE": 0, "POST": 1, "PUT": 2, "GET": 3, "HEAD": 3}
_HISTORY = re.compile(r"^([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})/_history/(\d+)$")


def process_bundle(engine: FhirEngine, bundle: Any, base_url: str, prefer: str) -> Result:
    engine.body_type(bundle, "Bundle", "Bundle")
    kind, entries = bundle.get("type"), bundle.get("entry", [])
    if not isinstance(entries, list):
        raise FhirError(400, "structure", "Bundle.entry must be an array", "Bundle.entry")
    if len(entries) > engine.max_entries:
        raise FhirError(
            413,
            "too-costly",
            f"the bundle has {len(entries)} entries; this server processes at most "
            f"{engine.max_entries} in one interaction",
            "Bundle.entry",
        )
    if kind == "transaction":
        return _transaction(engine, entries, base_url, prefer)
    if kind == "batch":
        return _batch(engine, entries, base_url, prefer)
    raise FhirError(
        400, "invalid", f"POST [base]/ accepts a Bundle of type transaction or batch, not {kind!r}", "Bundle.type"
    )


def _plan(engine: FhirEngine, entry: Any, i: int, base_url: str) -> dict[str, Any]:
    where = f"Bundle.entry[{i}]"
    if not isinstance(entry, dict):
        raise FhirError(400, "structure", "an entry must be a JSON object", where)
    request = entry.get("request")
    if not isinstance(request, dict):
        raise FhirError(400, "required", "entry.request is required in a transaction or batch", f"{where}.request")
    method, url = request.get("method"), request.get("url")
    if method not in ORDER:
        raise FhirError(
            400,
            "not-supported",
            f"request.method {method!r} is not one of GET, HEAD, POST, PUT, DELETE",
            f"{where}.request.method",
        )
    if not isinstance(url, str) or not url:
        raise FhirError(400, "required", "request.url is required", f"{where}.request.url")
    if base_url and url.startswith(base_url + "/"):
        url = url[len(base_url) + 1 :]
    path, _, query = url.partition("?")
    parts = path.strip("/").split("/")
    step: dict[str, Any] = {
        "i": i,
        "where": where,
        "method": method,
        "type": parts[0],
        "query": query,
        "url": url,
        "full_url": entry.get("fullUrl"),
        "resource": entry.get("resource"),
        "if_match": request.get("ifMatch"),
        "if_none_exist": request.get("ifNoneExist"),
    }
    if not TYPE.match(parts[0]):
        raise FhirError(
            400,
            "invalid",
            f"request.url {url!r} does not start with a resource type (a profile or instance name is no endpoint)",
            f"{where}.request.url",
        )
    if method in ("POST", "PUT"):
        engine.body_type(step["resource"], parts[0], f"{where}.resource")
        engine.allow(parts[0], "create" if method == "POST" else "update", f"{where}.request.url")
    if method == "POST" and (len(parts) != 1 or query):
        raise FhirError(
            400,
            "invalid",
            f"request.url of a create is the resource type, not {url!r} (conditional create: request.ifNoneExist)",
            f"{where}.request.url",
        )
    if method == "PUT" and len(parts) == 2 and step["resource"].get("id") not in (None, parts[1]):
        raise FhirError(
            400,
            "invalid",
            f"resource id {step['resource']['id']!r} differs from the URL id {parts[1]!r}",
            f"{where}.resource.id",
        )
    if method in ("PUT", "DELETE") or (method in ("GET", "HEAD") and len(parts) > 1):
        if len(parts) == 2 and not query and ID.match(parts[1]):
            step["id"] = parts[1]
        elif len(parts) == 1 and query and method in ("PUT", "DELETE"):
            step["conditional"] = True
        elif method in ("GET", "HEAD") and _HISTORY.match(path.strip("/")):
            step["id"], step["vid"] = parts[1], int(parts[3])
        else:
            raise FhirError(
                400,
                "invalid",
                f"request.url {url!r} must be Type/id or Type?criteria for {method}",
                f"{where}.request.url",
            )
    return step


def _settle(engine: FhirEngine, step: dict[str, Any]) -> None:
    """Give the step its target id (and ``existing`` for an ifNoneExist match) before anything is written."""
    where = step["where"]
    if step["method"] == "POST":
        step["id"] = engine.store.new_id()
        if step["if_none_exist"]:
            found = engine.conditional_matches(
                step["type"], str(step["if_none_exist"]).lstrip("?"), f"{where}.request.ifNoneExist"
            )
            if len(found) > 1:
                raise FhirError(
                    412,
                    "multiple-matches",
                    f"ifNoneExist {step['if_none_exist']} matches {len(found)} {step['type']} resources",
                    f"{where}.request.ifNoneExist",
                )
            if found:
                step["id"], step["existing"] = found[0].id, found[0]
    elif step.get("conditional"):
        found = engine.conditional_matches(step["type"], step["query"], f"{where}.request.url")
        if len(found) > 1:
            raise FhirError(
                412,
                "multiple-matches",
                f"{step['method']} {step['url']} matches {len(found)} resources",
                f"{where}.request.url",
            )
        if found:
            step["id"] = found[0].id
        elif step["method"] == "PUT":
            body_id = step["resource"].get("id")
            step["id"] = body_id if isinstance(body_id, str) and ID.match(body_id) else engine.store.new_id()
        else:
            step["id"] = None  # a conditional delete without match deletes nothing


def _names(step: dict[str, Any]) -> list[str]:
    """Every way another entry may reference this one: fullUrl, its Type/id tail, the resource's Type/id."""
    names, full_url = [], step["full_url"]
    if isinstance(full_url, str) and full_url:
        names.append(full_url)
        tail = full_url.split("/_history/")[0].rstrip("/").split("/")
        if full_url.startswith(("http://", "https://")) and len(tail) >= 2 and tail[-2] == step["type"]:
            names.append(f"{tail[-2]}/{tail[-1]}")
    own = step["resource"].get("id") if isinstance(step["resource"], dict) else None
    if step["method"] == "POST" and isinstance(own, str):
        names.append(f"{step['type']}/{own}")
    return names


def _matches_in_bundle(steps: list[dict[str, Any]], ref: str) -> list[str]:
    """The ``Type/id`` of the entries written by the transaction that a conditional reference matches."""
    rtype, _, query = ref.partition("?")
    pairs = [(unquote_plus(k), unquote_plus(v)) for k, _, v in (p.partition("=") for p in query.split("&") if p)]
    try:
        search = parse_search(rtype, pairs)
    except FhirError:
        return []
    found = []
    for step in steps:
        if step["type"] != rtype or step["method"] not in ("POST", "PUT") or "existing" in step:
            continue
        tokens = index_tokens(step["resource"])
        for criteria in search.alternatives:
            if all(
                value == str(step["id"])
                if param == "_id"
                else any(p == param and v == value and system in (None, s) for p, s, v in tokens)
                for param, system, value in criteria
            ):
                found.append(f"{rtype}/{step['id']}")
                break
    return found


def _transaction(engine: FhirEngine, entries: list[Any], base_url: str, prefer: str) -> Result:
    steps = [_plan(engine, entry, i, base_url) for i, entry in enumerate(entries)]
    mapping: dict[str, str] = {}
    with engine.store.atomic():
        for step in steps:
            _settle(engine, step)
            if step["method"] not in ("POST", "PUT"):
                continue
            if isinstance(step["full_url"], str) and step["full_url"] in mapping:
                raise FhirError(400, "invalid", f"fullUrl {step['full_url']} appears twice", f"{step['where']}.fullUrl")
            for name in _names(step):
                mapping.setdefault(name, f"{step['type']}/{step['id']}")
        pending = {f"{s['type']}/{s['id']}" for s in steps if s["method"] in ("POST", "PUT") and s.get("id")}
        for step in steps:
            if not isinstance(step["resource"], dict) or step["method"] not in ("POST", "PUT") or "existing" in step:
                continue
            where = f"{step['where']}.resource"
            for ref, ref_where in iter_references(step["resource"], where):
                if ref.startswith("urn:uuid:") and ref not in mapping:
                    raise FhirError(400, "invalid", f"reference {ref} matches no fullUrl of the transaction", ref_where)
                if "?" in ref and ref not in mapping:
                    inside = _matches_in_bundle(steps, ref)
                    if len(inside) == 1 and not engine.conditional_matches(ref.split("?")[0], ref.split("?", 1)[1]):
                        mapping[ref] = inside[0]
                    elif len(inside) > 1:
                        raise FhirError(
                            412,
                            "multiple-matches",
                            f"conditional reference {ref} matches {len(inside)} entries of the transaction",
                            ref_where,
                        )
            step["resource"], _ = engine.accept(
                step["type"], rewrite_references(step["resource"], mapping), where, pending
            )
        results = {
            s["i"]: _apply(engine, s, base_url) for s in sorted(steps, key=lambda s: (ORDER[s["method"]], s["i"]))
        }
    ordered = [_shape(results[i], prefer) for i in range(len(steps))]
    response = {"resourceType": "Bundle", "id": uuid.uuid4().hex, "type": "transaction-response", "entry": ordered}
    created = [r["response"].get("location") for r in ordered]
    return Result(200, response, summary={"entries": len(steps), "created": created, "ids": mapping})


def _apply(engine: FhirEngine, step: dict[str, Any], base_url: str) -> dict[str, Any]:
    method, rtype = step["method"], step["type"]
    if method in ("GET", "HEAD"):
        if "id" in step:
            found = engine.read(rtype, step["id"], step.get("vid"))
            return {"resource": found.body, "response": {"status": "200 OK", "etag": found.headers.get("ETag", "")}}
        query = parse_qsl(step["query"], keep_blank_values=True)
        return {"resource": engine.search(rtype, query, base_url).body, "response": {"status": "200 OK"}}
    if method == "DELETE":
        if step.get("id") is None:
            return {"response": {"status": "204 No Content"}, "_outcome": "nothing matched"}
        result = engine.delete(rtype, step["id"], if_match=step["if_match"])
        return {"response": {"status": "204 No Content"}, "_outcome": result.outcome}
    if "existing" in step:
        found = step["existing"]
        return {
            "fullUrl": f"{base_url}/{found.key}" if base_url else found.key,
            "resource": found.resource,
            "response": {
                "status": "200 OK",
                "location": found.location,
                "etag": found.etag,
                "lastModified": found.updated,
            },
            "_outcome": f"{found.key} matches ifNoneExist",
        }
    existing = engine.store.read(rtype, step["id"]) if method == "PUT" else None
    current = existing is not None and not existing.deleted
    if (
        method == "PUT"
        and step["if_match"]
        and (existing is None or str(step["if_match"]).removeprefix("W/").strip('"') != str(existing.version))
    ):
        raise FhirError(
            412,
            "conflict",
            f"ifMatch {step['if_match']}: {rtype}/{step['id']} has "
            f"{'version ' + str(existing.version) if existing else 'no version'}",
            f"{step['where']}.request.ifMatch",
        )
    resource = {k: v for k, v in step["resource"].items() if k != "id"}
    stored = engine.store.write(rtype, step["id"], resource)
    status = "200 OK" if current else "201 Created"
    return {
        "fullUrl": f"{base_url}/{stored.key}" if base_url else stored.key,
        "resource": stored.resource,
        "response": {
            "status": status,
            "location": stored.location,
            "etag": stored.etag,
            "lastModified": stored.updated,
        },
        "_outcome": f"{status}: {stored.location}",
    }


def _shape(result: dict[str, Any], prefer: str) -> dict[str, Any]:
    """The response entry as ``Prefer: return=…`` asks (minimal: no resource; OperationOutcome: an outcome)."""
    sentence = result.pop("_outcome", "")
    if prefer == "minimal":
        result.pop("resource", None)
    elif prefer == "OperationOutcome":
        result.pop("resource", None)
        result["response"]["outcome"] = operation_outcome([("information", "informational", sentence or "done", "")])
    return result


def _batch(engine: FhirEngine, entries: list[Any], base_url: str, prefer: str) -> Result:
    out = []
    for i, entry in enumerate(entries):
        try:
            step = _plan(engine, entry, i, base_url)
            if isinstance(step["resource"], dict):
                for ref, where in iter_references(step["resource"], f"Bundle.entry[{i}].resource"):
                    if ref.startswith("urn:uuid:"):
                        raise FhirError(
                            400,
                            "invalid",
                            f"reference {ref} points into the request: entries of a batch are independent",
                            where,
                        )
            with engine.store.atomic():
                _settle(engine, step)
                if isinstance(step["resource"], dict) and "existing" not in step and step["method"] in ("POST", "PUT"):
                    key = f"{step['type']}/{step['id']}"
                    step["resource"], _ = engine.accept(
                        step["type"], step["resource"], f"Bundle.entry[{i}].resource", [key]
                    )
                out.append(_shape(_apply(engine, step, base_url), prefer))
        except FhirError as exc:
            out.append({"response": {"status": f"{exc.status} {exc.code}", "outcome": exc.outcome()}})
    response = {"resourceType": "Bundle", "id": uuid.uuid4().hex, "type": "batch-response", "entry": out}
    return Result(200, response, summary={"entries": len(entries)})
