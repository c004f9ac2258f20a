"""Shared vocabulary of the INSi request checks: namespaces, actions, the report, helpers.

Names and namespaces come from DESIR_ICIR_EXP_1.5.0.wsdl and its XSDs (french-specs §1.5).
:class:`SequenceChecker` enforces an ``xs:sequence`` (known children, namespace, order,
repetition) the way INSi's schemas declare it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lxml import etree

from harness.core.findings import Finding, Severity
from harness.validators.soap12 import split_tag

__all__ = [
    "ACTIONS",
    "BODY_ELEMENTS",
    "NS",
    "OPERATIONS_BY_ACTION",
    "OP_TRAITS",
    "OP_VITALE",
    "Collector",
    "InsiRequestReport",
    "SequenceChecker",
    "check_datetime",
    "split_tag",
    "text_of",
]

SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"
CTXLPS_NS = "urn:siram:lps:ctxlps"
CTXBAM_NS = "urn:siram:bam:ctxbam"
WSA_NS = "http://www.w3.org/2005/08/addressing"
RECSANS_NS = "http://www.cnamts.fr/INSiRecSans"
RECVIT_NS = "http://www.cnamts.fr/INSiRecVit"
RESULTAT_NS = "http://www.cnamts.fr/INSiResultat"
SIRAM_NS = "urn:siram"
NS = {
    "soap": SOAP12_NS,
    "ctxlps": CTXLPS_NS,
    "ctxbam": CTXBAM_NS,
    "wsa": WSA_NS,
    "recsans": RECSANS_NS,
    "recvit": RECVIT_NS,
    "resultat": RESULTAT_NS,
    "siram": SIRAM_NS,
}

OP_TRAITS = "rechercherInsAvecTraitsIdentite"
OP_VITALE = "rechercherInsAvecCarteVitale"
ACTIONS = {op: f"urn:ServiceIdentiteCertifiee:1.0.0:{op}" for op in (OP_TRAITS, OP_VITALE)}
OPERATIONS_BY_ACTION = {action: op for op, action in ACTIONS.items()}
BODY_ELEMENTS = {OP_TRAITS: (RECSANS_NS, "RECSANSVITALE"), OP_VITALE: (RECVIT_NS, "RECVITALE")}

ERROR = Severity.ERROR
#: xs:dateTime lexical form (XML Schema 1.0 Part 2 §3.2.7)
XS_DATETIME = re.compile(r"^-?(\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")

AddFinding = Callable[..., None]


@dataclass
class InsiRequestReport:
    """What an INSi request asked for, and what is wrong with it.

    ``operation`` is ``rechercherInsAvecTraitsIdentite``, ``rechercherInsAvecCarteVitale`` or
    ``invalid`` (no usable envelope or body element). ``traits`` keys: birth_name,
    first_names (Prenom values as sent), sex, birth_date, birth_place. ``matricule``
    (RECVITALE only): nir, key, type, birth_rank. ``lps``: the ContexteLPS values (nature,
    version, id, temps, emetteur, idam, idam_r, lps_version, instance, nom). ``bam``:
    version, id, temps.
    """

    operation: str = "invalid"
    traits: dict[str, Any] = field(default_factory=dict)
    matricule: dict[str, str | None] = field(default_factory=dict)
    lps: dict[str, str | None] = field(default_factory=dict)
    bam: dict[str, str | None] = field(default_factory=dict)
    message_id: str | None = None
    action: str | None = None
    #: ``organisation`` (certificate INSI-AUTO/MANU) or ``CPx`` (AssertionPs); ``professional``: its NameID
    auth_mode: str = "organisation"
    professional: str | None = None
    #: PSC-backed call (``SC.INS/PSC.01``, model of :mod:`mocks.insi.psc_context`): what INSi learnt of the token
    psc: dict[str, Any] | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors

    def rules(self) -> set[str]:
        return {f.rule for f in self.findings}


class Collector:
    """Collects the findings of one request into its report."""

    def __init__(self, report: InsiRequestReport) -> None:
        self.report = report

    def add(self, rule: str, requirement: str, message: str, location: str = "", severity: Severity = ERROR) -> None:
        self.report.findings.append(Finding(rule, requirement, message, severity, location))


def elements(parent: etree._Element) -> list[etree._Element]:
    """Element children only (no comments, no processing instructions), filtered by libxml2."""
    return list(parent.iterchildren(etree.Element))


def text_of(found: dict[str, list[etree._Element]], name: str) -> str | None:
    """Stripped text of the first ``name`` child found, None when absent."""
    items = found.get(name) or []
    return (items[0].text or "").strip() if items else None


def check_datetime(add: AddFinding, requirement: str, rule: str, value: str | None, location: str, label: str) -> None:
    """The value is a present, valid ``xs:dateTime`` (the CTX schemas type ``Temps`` so)."""
    match = XS_DATETIME.match(value or "")
    if not value or match is None:
        add(
            rule,
            requirement,
            f"{label} is {value!r}; it must be an xs:dateTime such as 2024-01-01T10:00:00.000Z",
            location,
        )
        return
    year, month, day, hour, minute, second = map(int, match.groups()[:6])
    try:
        datetime(year, month, day, hour, minute, min(second, 59))
    except ValueError:
        add(rule, requirement, f"{label} {value!r} is not a real date and time", location)


class SequenceChecker:
    """Check an element's children against an ``xs:sequence`` of one namespace.

    Findings: ``<prefix>.child.unknown`` (not in the sequence), ``.child.namespace`` (right
    name, wrong namespace), ``.child.order`` (out of schema order), ``.child.duplicate``
    (repeated though maxOccurs=1); all on ``requirement``.
    """

    def __init__(self, add: AddFinding, requirement: str, rule_prefix: str, namespace: str, prefix: str) -> None:
        self.add = add
        self.requirement = requirement
        self.rule_prefix = rule_prefix
        self.namespace = namespace
        self.prefix = prefix

    def run(
        self, parent: etree._Element, location: str, sequence: tuple[tuple[str, bool], ...]
    ) -> dict[str, list[etree._Element]]:
        """Return the children found by local name; ``sequence`` is ``(name, repeatable)``."""
        index, repeatable, order, known = _layout(sequence, self.namespace)
        found: dict[str, list[etree._Element]] = {name: [] for name, _ in sequence}
        last, last_name = -1, ""
        for child in parent.iterchildren(etree.Element):  # no comment, processing instruction or entity
            tag: str = child.tag
            name = known.get(tag)  # a name of the sequence in its namespace (no QName: issue 18)
            if name is None:
                self._foreign(tag, index, location, order)
                continue
            if name == last_name and repeatable[name]:
                found[name].append(child)  # the next item of a repeatable element: nothing to say
                continue
            position = index[name]
            if position < last:
                where = f"{location}/{self.prefix}:{name}"
                self._add("child.order", f"{name} comes after {last_name}; the schema order is {order}", where)
            elif position == last and not repeatable[name]:
                where = f"{location}/{self.prefix}:{name}"
                self._add("child.duplicate", f"{name} appears more than once (at most one allowed)", where)
            if position > last:
                last, last_name = position, name
            found[name].append(child)
        return found

    def _foreign(self, tag: str, index: dict[str, int], location: str, order: str) -> None:
        """A child outside the sequence: a known name in another namespace, or an unknown element."""
        namespace, local = split_tag(tag)
        where = f"{location}/{self.prefix}:{local}"
        if local in index:
            self._add(
                "child.namespace",
                f"{local} is in namespace {namespace or '(none)'!r}; it must be in {self.namespace!r}",
                where,
            )
        else:
            self._add(
                "child.unknown",
                f"unexpected element {{{namespace or ''}}}{local}; allowed here, in this order: {order}",
                where,
            )

    def _add(self, rule: str, message: str, location: str) -> None:
        self.add(f"{self.rule_prefix}.{rule}", self.requirement, message, location)


@functools.lru_cache(maxsize=128)
def _layout(
    sequence: tuple[tuple[str, bool], ...], namespace: str
) -> tuple[dict[str, int], dict[str, bool], str, dict[str, str]]:
    """Position and repeatability of each name of an ``xs:sequence``, its order in words, and the Clark tag
    of each name in ``namespace`` (made once)."""
    return (
        {name: i for i, (name, _) in enumerate(sequence)},
        dict(sequence),
        ", ".join(n for n, _ in sequence),
        {f"{{{namespace}}}{name}" if namespace else name: name for name, _ in sequence},
    )
