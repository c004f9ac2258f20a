"""Read SVRL (Schematron Validation Report Language) output: the harness's and the ANS tool's reports.

Each ``svrl:failed-assert`` / ``svrl:successful-report`` becomes a :class:`SvrlAssertion` with
the pattern it belongs to, its ``id``, ``role``, ``flag``, ``location``, ``test`` and its text
(whitespace normalised, words kept verbatim). The severity follows ``role`` (then ``flag``):
``warning``/``warn`` → WARNING, ``info``/``information`` → INFO, anything else (``error``,
``fatal``, none) → ERROR, as the ANS tool counts them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from lxml import etree

from harness.core.findings import Severity

__all__ = ["SvrlAssertion", "SvrlReport", "parse_svrl", "severity_of"]

SVRL = "http://purl.oclc.org/dsdl/svrl"
_V = f"{{{SVRL}}}"
_WARNING = {"warning", "warn", "avertissement"}
_INFO = {"info", "information", "informational"}


def severity_of(role: str, flag: str = "") -> Severity:
    """The finding severity of a schematron ``role`` (or ``flag`` when there is no role)."""
    value = (role or flag).strip().lower()
    if value in _WARNING:
        return Severity.WARNING
    if value in _INFO:
        return Severity.INFO
    return Severity.ERROR


@dataclass(frozen=True)
class SvrlAssertion:
    """One failed assertion or successful report of an SVRL document."""

    kind: str  # "failed-assert" or "successful-report"
    pattern: str
    id: str
    role: str
    flag: str
    location: str
    test: str
    text: str

    @property
    def severity(self) -> Severity:
        return severity_of(self.role, self.flag)

    def key(self) -> tuple[str, str, str, str]:
        """What two reports must share to name the same failure: kind, id, location, text."""
        return (self.kind, self.id, self.location, self.text)


@dataclass(frozen=True)
class SvrlReport:
    """The parts of an SVRL report that verdicts are made of."""

    title: str
    schema_version: str
    phase: str
    assertions: tuple[SvrlAssertion, ...]
    #: (pattern id, rule context) -> how many times the rule fired
    fired: Counter[tuple[str, str]]

    @property
    def failed(self) -> tuple[SvrlAssertion, ...]:
        return tuple(a for a in self.assertions if a.kind == "failed-assert")


def parse_svrl(data: bytes | str) -> SvrlReport:
    """Parse an SVRL document (trusted: produced by the harness's engine or shipped in the pack)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
    root = etree.fromstring(raw, parser)
    pattern = ""
    assertions: list[SvrlAssertion] = []
    fired: Counter[tuple[str, str]] = Counter()
    for element in root:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == f"{_V}active-pattern":
            pattern = element.get("id", "")
        elif tag == f"{_V}fired-rule":
            fired[(pattern, element.get("context", ""))] += 1
        elif tag in (f"{_V}failed-assert", f"{_V}successful-report"):
            text = element.find(f"{_V}text")
            words = " ".join("".join(text.itertext()).split()) if text is not None else ""
            assertions.append(
                SvrlAssertion(
                    kind=tag[len(_V) :],
                    pattern=pattern,
                    id=element.get("id", ""),
                    role=element.get("role", ""),
                    flag=element.get("flag", ""),
                    location=element.get("location", ""),
                    test=element.get("test", ""),
                    text=words,
                )
            )
    return SvrlReport(
        root.get("title", ""), root.get("schemaVersion", ""), root.get("phase", ""), tuple(assertions), fired
    )
