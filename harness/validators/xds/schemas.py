"""XML Schema validation of the DMP's ebRIM/XDS.b messages, with the public schemas the user gives.

The IHE XDS.b schema (``XDS.b_DocumentRepository.xsd``, namespace ``urn:ihe:iti:xds-b:2007``) and the
OASIS ebXML Registry 3.0 schemas (``rim.xsd``, ``lcm.xsd``, ``query.xsd``, ``rs.xsd``) are public
but are not shipped with dui-harness: their terms (IHE's schema distribution, the OASIS copyright
notice) are not a software licence the project can vouch for, so they are loaded from a folder the
user gives (``dui-harness run --xds-schemas DIR``, ``python -m mocks.dmp --xds-schemas DIR``,
``DmpSimulator(xds_schemas=DIR)``), as the CI-SIS
pack is. Every ``*.xsd`` under the folder is read for its ``targetNamespace``; one driver schema
imports the file of each of the five namespaces above (the first one found, by path), and libxml2
resolves their own imports from the folder — never from the network.

The compiled schema is cached per folder (:func:`load_schemas`, compiled once per process). A
message is validated as IHE defines its infoset: the SOAP Body's child, with each MTOM
``xop:Include`` replaced by its (empty) base64 content, since the schema types ``xdsb:Document``
as ``base64Binary``. Each schema error becomes a finding (``xds.schema``, on the requirement the
caller gives: DMP-XDS-01 for ITI-41/57, DMP-GET-02 for ITI-18/43) with its line and the element.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from harness.core.findings import Finding, Severity
from harness.core.rules import rule
from harness.errors import HarnessError
from harness.validators.safexml import XmlInputError, parse_xml

__all__ = ["NAMESPACES", "XdsSchemas", "check_schema", "load_schemas"]

XS = "http://www.w3.org/2001/XMLSchema"
XOP_INCLUDE = "{http://www.w3.org/2004/08/xop/include}Include"
#: the namespaces of the DMP's messages -> the usual file name (a hint in the error message)
NAMESPACES = {
    "urn:ihe:iti:xds-b:2007": "XDS.b_DocumentRepository.xsd",
    "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0": "rim.xsd",
    "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0": "lcm.xsd",
    "urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0": "query.xsd",
    "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0": "rs.xsd",
}
MAX_ERRORS = 20


@dataclass(frozen=True)
class XdsSchemas:
    """The compiled schema of the five namespaces, and the files it was compiled from."""

    schema: etree.XMLSchema
    files: dict[str, Path]


def _target_namespaces(folder: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted(folder.rglob("*.xsd")):
        try:
            root = parse_xml(path.read_bytes(), max_bytes=4 * 1024 * 1024)
        except (XmlInputError, OSError):
            continue  # not a readable schema: ignored, the missing namespace is reported below
        namespace = root.get("targetNamespace", "")
        if root.tag == f"{{{XS}}}schema" and namespace in NAMESPACES:
            found.setdefault(namespace, path.resolve())
    return found


@functools.lru_cache(maxsize=4)
def load_schemas(folder: Path) -> XdsSchemas:
    """Compile the XDS.b + ebRS 3.0 schemas of ``folder`` once (cached); HarnessError saying what is missing."""
    if not folder.is_dir():
        raise HarnessError(f"--xds-schemas {folder}: not a folder (the IHE XDS.b and OASIS ebRS 3.0 schemas)")
    files = _target_namespaces(folder)
    missing = [f"{name} ({ns})" for ns, name in NAMESPACES.items() if ns not in files]
    if missing:
        raise HarnessError(f"--xds-schemas {folder}: no schema for {', '.join(missing)}")
    driver = etree.Element(f"{{{XS}}}schema", nsmap={"xs": XS})
    for namespace, path in files.items():
        etree.SubElement(driver, f"{{{XS}}}import", namespace=namespace, schemaLocation=path.as_uri())
    try:
        schema = etree.XMLSchema(etree.fromstring(etree.tostring(driver), _schema_parser(folder)))
    except etree.XMLSchemaParseError as exc:
        raise HarnessError(f"--xds-schemas {folder}: the schemas do not compile: {exc}") from exc
    return XdsSchemas(schema, files)


def _schema_parser(folder: Path) -> etree.XMLParser:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    parser.resolvers.add(_LocalOnly(folder.resolve()))
    return parser


class _LocalOnly(etree.Resolver):  # type: ignore[misc]  # lxml's stubs type Resolver as Any
    """Schema imports resolve to files under the schemas' folder only (no network, no other file)."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    def resolve(self, system_url: str, public_id: str, context: object) -> object:
        if system_url.startswith(("http:", "https:", "ftp:")):
            return self.resolve_empty(context)  # never fetched: the import fails to compile, named in the error
        return None  # a relative or file: URL: libxml2 reads it (the folder's own imports)


@rule(
    "xds.schema",
    requirement="DMP-XDS-01",
    also=("DMP-GET-02",),
    summary="the ebRIM/XDS.b message is valid against the IHE XDS.b and OASIS ebRS 3.0 schemas",
)
def check_schema(schemas: XdsSchemas, body_child: etree._Element, requirement: str = "DMP-XDS-01") -> list[Finding]:
    """The schema errors of one SOAP Body child (XOP includes replaced by their base64 content)."""
    infoset = copy.deepcopy(body_child)
    for include in list(infoset.iter(XOP_INCLUDE)):
        parent = include.getparent()
        if parent is not None:
            parent.remove(include)
    if schemas.schema.validate(etree.ElementTree(infoset)):
        return []
    errors = list(schemas.schema.error_log)[:MAX_ERRORS]
    return [
        Finding(
            "xds.schema",
            requirement,
            f"schéma XDS.b / ebRS 3.0 : {e.message} (ligne / line {e.line} du corps SOAP / of the SOAP Body)",
            Severity.ERROR,
            e.path or f"line {e.line}",
        )
        for e in errors
    ]
