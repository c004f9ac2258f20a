"""The official layer of CDA validation: the pack's CDA_extended.xsd and CI-SIS schematrons.

A schematron the pack cannot run (file missing, include missing, value set missing at run
time) is not a fault of the document: :class:`CdaPackError` says which file is missing, and
the harness does not pretend to have checked it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from lxml import etree

from harness.core.findings import Finding
from harness.validators.cda.common import model_ids
from harness.validators.cda.pack import CdaPack, CdaPackError
from harness.validators.cda.schematron_run import SchematronRunError, engine
from harness.validators.cda.selection import DEFAULT_SCHEMATRONS, OfficialSchematron, select_schematrons
from harness.validators.cda.svrl import SvrlAssertion, SvrlReport, parse_svrl
from harness.validators.cda.xsd import validate_xsd

__all__ = ["OfficialResult", "check_official", "run_schematron"]


@dataclass
class OfficialResult:
    """What the official artefacts said about one document."""

    findings: list[Finding] = field(default_factory=list)
    #: schematron name (``model``, ``ModelesDeContenusCDA``…) -> its SVRL report
    reports: dict[str, SvrlReport] = field(default_factory=dict)
    #: schematron name -> the file that was run
    schematrons: dict[str, OfficialSchematron] = field(default_factory=dict)


def _rule(schematron: OfficialSchematron, assertion: SvrlAssertion) -> str:
    suffix = f"/{assertion.id}" if assertion.id else ""
    return f"{schematron.path.name}#{assertion.pattern or assertion.kind}{suffix}"


def run_schematron(schematron: OfficialSchematron, document: object, *, fired: bool = False) -> SvrlReport:
    """Run one official schematron on a Saxon document node.

    Raises:
        CdaPackError: the pack lacks the schematron or something it needs.
    """
    if not schematron.path.exists():
        raise CdaPackError(f"the CDA artefact pack has no {schematron.path}: the official schematron "
                           f"{schematron.name!r} cannot be run")
    try:
        return parse_svrl(engine().run(schematron.path, document, fired=fired))
    except SchematronRunError as exc:
        raise CdaPackError(f"the official schematron {schematron.name!r} ({schematron.path.name}) cannot be run "
                           f"with this pack: {exc}") from None


def check_official(root: etree._Element, pack: CdaPack, names: Sequence[str] = DEFAULT_SCHEMATRONS, *,
                   xsd: bool = True, fired: bool = False) -> OfficialResult:
    """XSD and official schematrons on a parsed ``ClinicalDocument``.

    Args:
        names: which schematrons (``model`` = the content model's; the names of
            :data:`~harness.validators.cda.selection.PROFILES`).
        xsd: also validate against ``CDA_extended.xsd``.
        fired: keep the fired rules in the SVRL reports (for comparisons with the ANS tool).
    """
    result = OfficialResult(findings=validate_xsd(root, pack) if xsd else [])
    chosen = select_schematrons(pack, model_ids(root), names)
    if not chosen:
        return result
    document = engine().parse(etree.tostring(root, encoding="unicode"))
    for schematron in chosen:
        report = run_schematron(schematron, document, fired=fired)
        result.reports[schematron.name] = report
        result.schematrons[schematron.name] = schematron
        result.findings += [
            Finding(_rule(schematron, a), schematron.requirement, a.text, a.severity, a.location)
            for a in report.assertions
        ]
    return result
