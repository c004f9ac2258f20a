"""CDA_extended.xsd validation of a parsed CDA document, with the pack's schema compiled once per process.

The schema and everything it imports are read from the pack folder only: a resolver refuses
any ``schemaLocation`` outside it (no network, no other file), and DTDs and entities are never
loaded.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from lxml import etree

from harness.core.findings import Finding
from harness.core.rules import rule
from harness.validators.cda.common import cda_path
from harness.validators.cda.pack import CdaPack, CdaPackError

__all__ = ["REQ_XSD", "XSD_STATS", "cda_schema", "validate_xsd"]

REQ_XSD = "CDA-XSD-01"
#: how many times a schema was compiled in this process (the cache makes it once per pack)
XSD_STATS = {"compiled": 0}
_SCHEMAS: dict[Path, etree.XMLSchema] = {}
_LOCK = threading.Lock()
_MAX_ERRORS = 50


class _PackOnly(etree.Resolver):  # type: ignore[misc]
    """Resolves schema imports and includes inside the pack folder; refuses anything else."""

    def __init__(self, pack: CdaPack) -> None:
        super().__init__()
        self.pack = pack
        self.refused: list[str] = []

    def resolve(self, url: str, public_id: str, context: Any) -> Any:
        path = Path(url[7:] if url.startswith("file://") else url)
        remote = "://" in url and not url.startswith("file://")
        if remote or not self.pack.contains(path):
            self.refused.append(url)
            return self.resolve_string("", context)  # refused: never read, never fetched
        return self.resolve_filename(str(path), context)


def cda_schema(pack: CdaPack) -> etree.XMLSchema:
    """The compiled ``CDA_extended.xsd`` of ``pack`` (compiled on first use, then cached).

    Raises:
        CdaPackError: the schema cannot be read or compiled.
    """
    key = pack.xsd.resolve()
    with _LOCK:
        schema = _SCHEMAS.get(key)
        if schema is not None:
            return schema
        parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
        resolver = _PackOnly(pack)
        parser.resolvers.add(resolver)
        compiled: etree.XMLSchema | None = None
        problem = ""
        try:
            compiled = etree.XMLSchema(etree.parse(str(key), parser))
        except (OSError, etree.XMLSyntaxError, etree.XMLSchemaParseError) as exc:
            problem = str(exc)
        if resolver.refused:
            raise CdaPackError(
                f"the pack's schema {key} refers to {', '.join(resolver.refused)}, outside the "
                f"pack folder {pack.root}: refused"
            )
        if compiled is None:
            raise CdaPackError(f"the pack's schema {key} cannot be compiled: {problem}")
        XSD_STATS["compiled"] += 1
        _SCHEMAS[key] = compiled
        return compiled


def _location(root: etree._Element, path: str | None, line: int) -> str:
    if path:
        try:
            found = root.getroottree().xpath(path)
        except etree.XPathError:
            found = []
        if found and isinstance(found[0], etree._Element):
            return f"{cda_path(found[0])} (line {line})"
    return f"line {line}"


@rule("cda.xsd", requirement=REQ_XSD, summary="the document is valid against the pack's CDA_extended.xsd")
def validate_xsd(root: etree._Element, pack: CdaPack) -> list[Finding]:
    """Validate ``root`` against the pack's CDA_extended.xsd: one ERROR finding per schema error."""
    schema = cda_schema(pack)
    with _LOCK:
        valid = schema.validate(root)
        errors = list(schema.error_log)
    if valid:
        return []
    findings = [
        Finding(
            "cda.xsd", REQ_XSD, f"CDA_extended.xsd: {error.message}", location=_location(root, error.path, error.line)
        )
        for error in errors[:_MAX_ERRORS]
    ]
    if len(errors) > _MAX_ERRORS:
        findings.append(Finding("cda.xsd", REQ_XSD, f"… and {len(errors) - _MAX_ERRORS} more schema errors"))
    return findings
