"""Safe reading of FHIR JSON: bounded size and depth, no duplicate keys, precise errors.

Every FHIR body a DUI sends (or a user hands to ``dui-harness validate fhir``) goes through
:func:`parse_fhir_json` before anything else looks at it. It never raises anything but
:class:`FhirInputError`, whose ``code`` is an OperationOutcome ``issue.code`` and whose
``status`` is the HTTP status a FHIR server answers with.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_ENTRIES",
    "MAX_INTEGER_DIGITS",
    "MAX_OBJECTS",
    "FhirInputError",
    "parse_fhir_json",
]

#: largest FHIR body read (bytes); a TDDUI bundle with an embedded CDA stays far below
MAX_BYTES = 20 * 1024 * 1024
#: deepest JSON nesting accepted (FHIR resources rarely exceed 15 levels; contained + nested
#: bundles stay below 40)
MAX_DEPTH = 64
#: most entries of one Bundle (a FHIR server answers 413 too-costly beyond), checked while parsing
MAX_ENTRIES = 500
#: most JSON objects of one body, counted while parsing (a 500-entry bundle of rich resources stays below)
MAX_OBJECTS = 100_000
#: most digits of a JSON integer (CPython's int() refuses more than 4300: a clear error instead)
MAX_INTEGER_DIGITS = 4300


class FhirInputError(ValueError):
    """A FHIR body that cannot be read.

    Attributes:
        message: what is wrong and where, for a developer.
        code: the OperationOutcome issue code (``structure``, ``too-costly``, ``invalid``…).
        location: line/column or FHIRPath-like path of the problem.
        status: the HTTP status a FHIR server answers (400, 413, 415, 422).
    """

    def __init__(self, message: str, *, code: str = "structure", location: str = "", status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.location = location
        self.status = status


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise FhirInputError(
                f"duplicate JSON property {key!r} in one object (FHIR JSON forbids it)", code="structure", location=key
            )
        out[key] = value
    return out


class _BoundedHooks:
    """json.loads hooks that count objects and check Bundle.entry and integers as the parser builds them."""

    def __init__(self, max_entries: int, max_objects: int, max_digits: int) -> None:
        self.max_entries = max_entries
        self.max_objects = max_objects
        self.max_digits = max_digits
        self.objects = 0

    def object(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        self.objects += 1
        if self.objects > self.max_objects:
            raise FhirInputError(
                f"more than {self.max_objects} JSON objects in one body: refused while reading",
                code="too-costly",
                status=413,
            )
        for key, value in pairs:
            if key == "entry" and isinstance(value, list) and len(value) > self.max_entries:
                raise FhirInputError(
                    f"the bundle has more than {self.max_entries} entries ({len(value)}); this "
                    f"server processes at most {self.max_entries} in one interaction",
                    code="too-costly",
                    location="Bundle.entry",
                    status=413,
                )
        return _no_duplicates(pairs)

    def integer(self, text: str) -> int:
        if len(text.lstrip("-")) > self.max_digits:
            raise FhirInputError(
                f"a JSON integer of {len(text.lstrip('-'))} digits exceeds the limit of "
                f"{self.max_digits} digits (FHIR integer is 32-bit, decimal 18 digits)",
                code="value",
                status=400,
            )
        return int(text)


def _no_constant(name: str) -> Any:
    raise FhirInputError(f"{name} is not a JSON number (FHIR JSON forbids NaN and Infinity)", code="structure")


def _depth_path(value: Any, limit: int) -> str | None:
    """The path of the first node deeper than ``limit``, or None (iterative: no recursion)."""
    stack: list[tuple[Any, int, str]] = [(value, 1, "$")]
    while stack:
        node, depth, path = stack.pop()
        if depth > limit:
            return path
        if isinstance(node, dict):
            stack.extend((v, depth + 1, f"{path}.{k}") for k, v in node.items() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend((v, depth + 1, f"{path}[{i}]") for i, v in enumerate(node) if isinstance(v, (dict, list)))
    return None


def parse_fhir_json(
    data: bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    max_entries: int = MAX_ENTRIES,
    max_objects: int = MAX_OBJECTS,
    max_integer_digits: int = MAX_INTEGER_DIGITS,
) -> Any:
    """Decode one FHIR JSON body.

    Args:
        data: the raw bytes (UTF-8, an optional byte order mark is tolerated).
        max_bytes: larger bodies are refused (``too-costly``, HTTP 413).
        max_depth: deeper nesting is refused (``too-costly``, HTTP 422).
        max_entries: a Bundle with more entries is refused while parsing (``too-costly``, HTTP 413).
        max_objects: more JSON objects are refused while parsing (``too-costly``, HTTP 413).
        max_integer_digits: a longer integer is refused (``value``, HTTP 400).

    Returns:
        The decoded JSON value (a dict for a resource).

    Raises:
        FhirInputError: empty, oversized, not UTF-8, not JSON, duplicate keys, NaN, too deep.
    """
    if len(data) > max_bytes:
        raise FhirInputError(
            f"body of {len(data)} bytes exceeds the limit of {max_bytes} bytes", code="too-costly", status=413
        )
    if not data.strip():
        raise FhirInputError("empty body: a FHIR JSON resource is expected", code="required")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FhirInputError(
            f"body is not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}",
            code="structure",
            location=f"offset {exc.start}",
        ) from None
    try:
        hooks = _BoundedHooks(max_entries, max_objects, max_integer_digits)
        value = json.loads(text, object_pairs_hook=hooks.object, parse_constant=_no_constant, parse_int=hooks.integer)
    except json.JSONDecodeError as exc:
        raise FhirInputError(
            f"invalid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
            code="structure",
            location=f"line {exc.lineno}, column {exc.colno}",
        ) from None
    except RecursionError:
        raise FhirInputError(
            f"JSON nested deeper than the parser allows (limit {max_depth} levels)", code="too-costly", status=422
        ) from None
    deep = _depth_path(value, max_depth)
    if deep is not None:
        raise FhirInputError(
            f"JSON nested deeper than {max_depth} levels at {deep[:200]}",
            code="too-costly",
            location=deep[:200],
            status=422,
        )
    return value
