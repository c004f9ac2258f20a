"""The trigger API contract (``openapi/trigger-api.yaml``): the single source of the answers' shapes.

Every answer the HTTP driver receives is validated against the JSON schema the contract gives
its operation (by ``operationId``) and status, with the component schemas it references
(JSON Schema 2020-12, as OpenAPI 3.1 says). A DUI whose answer breaks it gets a
:class:`TriggerApiError` naming the operation, the schema and the first violation.
"""

from __future__ import annotations

import functools
from typing import Any

import jsonschema
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from harness.errors import TriggerContractError
from harness.paths import openapi_path

__all__ = ["TriggerApiError", "check_answer", "operation_ids", "response_schema"]

_SPEC = "urn:dui-harness:trigger-api"
_METHODS = ("get", "put", "post", "delete", "patch")


class TriggerApiError(TriggerContractError):
    """The DUI answered its trigger API with an HTTP error status, or a body that breaks the contract.

    Not an ``AssertionError``. Two cases, told apart by ``status``:

    * ``status`` set — the DUI *refused or failed* the operation the scenario asks for (e.g. 404
      on a person it created and lost, 409 on a document for an identity it could not qualify):
      that is what the DUI did, so the test's requirements are *fail* (and *blocked* when a
      failed requirement they depend on explains it, ``profiles/catalog/dependencies.csv``);
    * ``status`` None — the answer breaks ``trigger-api.yaml`` (not JSON, a missing field): the
      harness cannot drive the DUI, the verdict is *error*.

    No answer at all is :class:`harness.errors.SutUnreachable` (*unreachable*).
    """

    def __init__(self, message: str, *, status: int | None = None, **extras: Any) -> None:
        super().__init__(message, **extras)
        self.status = status

    @property
    def refused(self) -> bool:
        """The DUI answered the operation with an HTTP error status (its own behaviour, not the contract)."""
        return self.status is not None

    def __str__(self) -> str:
        if self.refused:
            return f"[OPÉRATION REFUSÉE PAR LA DUI / THE DUI REFUSED THE OPERATION] {self.message}"
        return super().__str__()


@functools.cache
def _spec() -> dict[str, Any]:
    # libyaml's safe loader when PyYAML has it (the same safe constructors): 0.05 s instead of 0.33 s, once per run
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data: dict[str, Any] = yaml.load(openapi_path().read_text(encoding="utf-8"), Loader=loader)
    return data


@functools.cache
def _registry() -> Registry[Any]:
    resource: Resource[Any] = DRAFT202012.create_resource(_spec())
    registry: Registry[Any] = Registry().with_resource(_SPEC, resource)
    return registry


def _operations() -> dict[str, dict[str, Any]]:
    return {
        op["operationId"]: op
        for item in _spec()["paths"].values()
        for method, op in item.items()
        if method in _METHODS and isinstance(op, dict) and "operationId" in op
    }


def operation_ids() -> set[str]:
    """Every operationId of the contract."""
    return set(_operations())


def response_schema(operation_id: str, status: int) -> dict[str, Any] | None:
    """The JSON schema of ``operation_id``'s answer with ``status`` (else of its first 2xx JSON answer), as a
    ``$ref`` into the contract; None when the contract gives the answer no JSON body."""
    responses = _operations()[operation_id].get("responses") or {}
    candidates = [str(status)] + [code for code in responses if str(code).startswith("2")]
    for code in candidates:
        content = (responses.get(code) or {}).get("content") or {}
        if "application/json" in content:
            pointer = f"/paths/{_path_of(operation_id)}/responses/{code}/content/application~1json/schema"
            return {"$ref": f"{_SPEC}#{pointer}"}
    return None


@functools.cache
def _path_of(operation_id: str) -> str:
    for path, item in _spec()["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                return f"{path.replace('~', '~0').replace('/', '~1')}/{method}"
    raise KeyError(operation_id)


#: keywords whose values are data, not schemas: a ``$ref`` key in them is not a reference
_DATA_KEYWORDS = frozenset({"const", "enum", "default", "example", "examples"})


def _resolve(ref: str) -> Any:
    """The part of the contract a local reference (``#/…`` or ``<contract>#/…``) points to."""
    pointer = ref.removeprefix(_SPEC)
    if not pointer.startswith("#/"):
        raise LookupError(ref)
    node: Any = _spec()
    for token in pointer[2:].split("/"):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    return node


def _inline(node: Any, seen: frozenset[str] = frozenset()) -> Any:
    """``node`` with every lone ``$ref`` replaced by what it points to (the same schema, checked without
    resolving references at each call). Raises :class:`LookupError` on a recursive or non-local reference."""
    if isinstance(node, list):
        return [_inline(item, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and len(node) == 1:
        if ref in seen:
            raise LookupError(f"recursive reference {ref}")
        return _inline(_resolve(ref), seen | {ref})
    if "$ref" in node:  # a reference beside other keywords: kept as the contract wrote it
        raise LookupError(f"reference with siblings {ref}")
    return {key: value if key in _DATA_KEYWORDS else _inline(value, seen) for key, value in node.items()}


@functools.cache
def _validator(operation_id: str, status: int) -> jsonschema.Draft202012Validator | None:
    """The validator of an answer, built once per process: on the schema with its references inlined
    (validating an answer then resolves no reference: 40 % less CPU), else on the reference itself."""
    schema = response_schema(operation_id, status)
    if schema is None:
        return None
    try:
        return jsonschema.Draft202012Validator(_inline(schema))
    except LookupError:
        return jsonschema.Draft202012Validator(schema, registry=_registry())


def check_answer(operation_id: str, status: int, body: Any) -> None:
    """Raise :class:`TriggerApiError` when ``body`` breaks the contract of ``operation_id`` (``status``)."""
    validator = _validator(operation_id, status)
    if validator is None or validator.is_valid(body):  # the usual case, without collecting every error
        return
    error = jsonschema.exceptions.best_match(validator.iter_errors(body))
    if error is not None:
        where = "".join(f"[{p!r}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path) or "(body)"
        raise TriggerApiError(
            f"{operation_id} answered a body that breaks the trigger API contract "
            f"(trigger-api.yaml) at {where}: {error.message}"
        )
