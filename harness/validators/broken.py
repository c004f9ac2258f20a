"""One rule for broken documents, shared by every kind of ``dui-harness validate``.

A file that exists and was read but is not a usable document of its kind — not well-formed,
carrying a DTD, an entity or an XInclude, larger than the limit, empty, binary where text is
expected — is a **non-conformity of the document**: one ERROR finding with its location (exit
code 1), as a receiving system would refuse it. Only a missing or unreadable file (or a usage
error) stops the command with exit code 2 (:class:`harness.errors.InputError`).

Every validator entry (``cda``, ``ins``, ``fhir``, ``xds``, ``mail``) builds these results
with :func:`broken_document` and :func:`oversized_document`, so the five kinds answer alike.
"""

from __future__ import annotations

from harness.core.findings import Finding
from harness.validators.result import ValidationResult
from harness.validators.safexml import XmlInputError

__all__ = ["broken_document", "oversized_document", "xml_fault_location", "xml_fault_result"]


def broken_document(
    target: str, kind: str, *, rule: str, requirement: str, message: str, location: str = "/"
) -> ValidationResult:
    """The result of a document that could not be judged because it is broken: one ERROR finding."""
    text = f"document inutilisable / unusable document: {message}"
    return ValidationResult(target, kind, (Finding(rule, requirement, text, location=location or "/"),), checked=1)


def oversized_document(
    target: str, kind: str, *, size: int, limit: int, rule: str, requirement: str
) -> ValidationResult:
    """A document refused from its size (never read): over the limit the receivers accept."""
    return broken_document(
        target,
        kind,
        rule=rule,
        requirement=requirement,
        location="/",
        message=f"{size} bytes, larger than the {limit} bytes accepted (not read)",
    )


def xml_fault_location(exc: XmlInputError) -> str:
    """``line L, column C`` of a parsing fault, or ``/`` (the whole document) when unknown."""
    if exc.line is None:
        return "/"
    return f"line {exc.line}, column {exc.column}" if exc.column is not None else f"line {exc.line}"


def xml_fault_result(target: str, kind: str, exc: XmlInputError, *, rule: str, requirement: str) -> ValidationResult:
    """The result of an XML document refused by :func:`harness.validators.safexml.parse_xml`."""
    return broken_document(
        target, kind, rule=rule, requirement=requirement, message=exc.reason, location=xml_fault_location(exc)
    )
