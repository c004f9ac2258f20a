"""Small helpers over decoded FHIR JSON: typed getters, codings, references, extensions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["as_dict", "as_list", "codings", "extensions", "iter_references", "text"]


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def codings(concept: Any) -> list[dict[str, Any]]:
    """The codings of a CodeableConcept (or a lone Coding)."""
    concept = as_dict(concept)
    if "coding" in concept:
        return [c for c in as_list(concept["coding"]) if isinstance(c, dict)]
    return [concept] if "code" in concept else []


def extensions(node: Any, url: str) -> list[dict[str, Any]]:
    """The extensions of ``node`` with this url."""
    return [e for e in as_list(as_dict(node).get("extension")) if isinstance(e, dict) and e.get("url") == url]


def iter_references(node: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every ``Reference.reference`` string below ``node``, with its path (contained skipped)."""
    stack: list[tuple[Any, str]] = [(node, path)]
    while stack:
        current, where = stack.pop()
        if isinstance(current, dict):
            ref = current.get("reference")
            if isinstance(ref, str):
                yield ref, f"{where}.reference"
            for key, value in current.items():
                if key != "contained" and isinstance(value, (dict, list)):
                    stack.append((value, f"{where}.{key}"))
        elif isinstance(current, list):
            stack.extend((v, f"{where}[{i}]") for i, v in enumerate(current) if isinstance(v, (dict, list)))
