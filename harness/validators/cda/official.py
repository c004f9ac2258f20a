"""The official layer of CDA validation: the pack's CDA_extended.xsd and CI-SIS schematrons.

Each official artefact is one :class:`~harness.validators.result.Layer` of the report: it ran
(with its findings, and notes such as a value-set file derived for it), or it did not and the
layer says why — *file X missing from the pack*, a value set missing at run time, an XSD that
does not compile. A layer that cannot run is not a fault of the document and never stops the
others: the harness judges with what it has and says what it did not judge.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from harness.core.findings import Finding, Severity
from harness.core.rules import rule
from harness.validators.cda.ans_route import ANS_STEPS, ans_moteur
from harness.validators.cda.common import model_ids
from harness.validators.cda.pack import CdaPack, CdaPackError
from harness.validators.cda.pack_state import schematron_state
from harness.validators.cda.schematron_run import SchematronRunError, engine
from harness.validators.cda.selection import DEFAULT_SCHEMATRONS, OfficialSchematron, select_schematrons
from harness.validators.cda.svrl import SvrlAssertion, SvrlReport, parse_svrl
from harness.validators.cda.xsd import validate_xsd
from harness.validators.result import Layer

ANS_NOTE = "compilé par le pipeline ANS / compiled by the ANS pipeline (schematrons/moteur)"

__all__ = ["OfficialResult", "check_official", "run_schematron"]


@dataclass
class OfficialResult:
    """What the official artefacts said about one document."""

    findings: list[Finding] = field(default_factory=list)
    #: schematron name (``model``, ``ModelesDeContenusCDA``…) -> its SVRL report
    reports: dict[str, SvrlReport] = field(default_factory=dict)
    #: schematron name -> the file that was run
    schematrons: dict[str, OfficialSchematron] = field(default_factory=dict)
    #: the XSD and each schematron asked for: ran, or not and why
    layers: list[Layer] = field(default_factory=list)


def _rule(schematron: OfficialSchematron, assertion: SvrlAssertion) -> str:
    suffix = f"/{assertion.id}" if assertion.id else ""
    return f"{schematron.path.name}#{assertion.pattern or assertion.kind}{suffix}"


def run_schematron(
    schematron: OfficialSchematron,
    document: object,
    *,
    fired: bool = False,
    overlay: Mapping[Path, Path] | None = None,
    moteur: Path | None = None,
) -> SvrlReport:
    """Run one official schematron on a Saxon document node.

    Args:
        overlay: missing pack file -> derived file (:attr:`.pack_state.SchematronState.overlay`).
        moteur: compile it with the ANS pipeline of this ``moteur/`` folder (:mod:`.ans_route`).

    Raises:
        CdaPackError: the pack lacks the schematron or something it needs.
    """
    if not schematron.path.exists():
        raise CdaPackError(
            f"the CDA artefact pack has no {schematron.path}: the official schematron {schematron.name!r} cannot be run"
        )
    try:
        return parse_svrl(engine().run(schematron.path, document, fired=fired, overlay=overlay, moteur=moteur))
    except SchematronRunError as exc:
        raise CdaPackError(
            f"the official schematron {schematron.name!r} ({schematron.path.name}) cannot be run with this pack: {exc}"
        ) from None


def _xsd_layer(root: etree._Element, pack: CdaPack, result: OfficialResult) -> None:
    name = pack.xsd.relative_to(pack.root).as_posix()
    try:
        findings = validate_xsd(root, pack)
    except CdaPackError as exc:
        result.layers.append(Layer(name, False, f"non exécuté / not run: {exc}"))
        return
    result.findings += findings
    result.layers.append(Layer(name, True, findings=len(findings)))


@rule(
    "cda.model.version",
    requirement="CDA-SCH-01",
    summary="the content-model version judging a document is said when neither the document nor a pin names it",
)
def check_official(
    root: etree._Element,
    pack: CdaPack,
    names: Sequence[str] = DEFAULT_SCHEMATRONS,
    *,
    xsd: bool = True,
    fired: bool = False,
    model_version: str | Mapping[str, str] | None = None,
    route: str = "harness",
) -> OfficialResult:
    """XSD and official schematrons on a parsed ``ClinicalDocument``, each one a layer.

    Args:
        names: which schematrons (``model`` = the content model's; the names of
            :data:`~harness.validators.cda.selection.PROFILES`).
        xsd: also validate against ``CDA_extended.xsd``.
        fired: keep the fired rules in the SVRL reports (for comparisons with the ANS tool).
        model_version: the content-model version to judge with (``2022.01``), overriding the
            document's templateId extension.
        route: ``harness`` (the project's compiler) or ``ans`` (the pack's ``moteur/`` pipeline,
            :mod:`.ans_route`; refused when the pack has none).
    """
    result = OfficialResult()
    moteur = ans_moteur(pack.schematrons) if route == "ans" else None
    if route == "ans" and moteur is None:
        raise CdaPackError(
            f"the pack {pack.root} has no schematrons/moteur/ with the ANS pipeline "
            f"({', '.join(ANS_STEPS)}): --schematron-engine ans cannot be used"
        )
    if xsd:
        _xsd_layer(root, pack, result)
    selection = select_schematrons(pack, model_ids(root), names, model_version=model_version)
    result.layers += [Layer(label, False, reason) for label, reason in selection.not_chosen]
    document = None
    for schematron in selection.chosen:
        state = schematron_state(pack, schematron.path)
        notes = (*schematron.notes, *(d.describe() for d in state.derived), *((ANS_NOTE,) if moteur else ()))
        if schematron.warning:
            result.findings.append(
                Finding(
                    "cda.model.version",
                    schematron.requirement,
                    schematron.warning,
                    Severity.WARNING,
                    "/ClinicalDocument/templateId",
                )
            )
        if not state.runnable:
            result.layers.append(Layer(state.relative, False, f"non exécuté / not run: {state.reason()}", 0, notes))
            continue
        if document is None:
            document = engine().parse(etree.tostring(root, encoding="unicode"))
        try:
            report = run_schematron(schematron, document, fired=fired, overlay=state.overlay, moteur=moteur)
        except CdaPackError as exc:
            result.layers.append(Layer(state.relative, False, f"non exécuté / not run: {exc}", 0, notes))
            continue
        result.reports[schematron.name] = report
        result.schematrons[schematron.name] = schematron
        findings = [
            Finding(_rule(schematron, a), schematron.requirement, a.text, a.severity, a.location)
            for a in report.assertions
        ]
        result.findings += findings
        result.layers.append(Layer(state.relative, True, findings=len(findings), notes=notes))
    return result
