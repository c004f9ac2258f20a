"""CDA R2 document validation: the one entry point every exchange and the CLI share.

``validate_cda(data)`` parses safely and returns a :class:`CdaReport`: the header facts the
other checks need (document id, type code, template ids, INS and traits of the patient…)
and the findings, each with its rule id, requirement id, severity and XPath location.

Layers:

1. well-formedness and safe parsing (:func:`harness.validators.safexml.parse_xml`);
2. the project's **embedded rules**, written from the facts, no pack needed: structuration
   minimale header (:mod:`.rules_header`, every hand-written header pattern of the CI-SIS
   structuration minimale, :mod:`.rules_strucmin`, and its header value sets, :mod:`.rules_valuesets`),
   INS in recordTarget (:mod:`.rules_ins`), N1
   (:mod:`.rules_n1`), DLU/FLUDT/FLUDR (:mod:`.rules_dlu`), VSM (:mod:`.rules_vsm`),
   EXPORT_DUI (:mod:`.rules_export`);
3. with an **artefact pack** (:mod:`.pack`): ``CDA_extended.xsd`` (:mod:`.xsd`) and the official
   CI-SIS schematrons chosen by the document's templateIds (:mod:`.selection`), compiled to
   XSLT 2 (:mod:`.schematron_compile`) and run by SaxonC-HE (:mod:`.schematron_run`), their
   French messages kept verbatim (:mod:`.svrl`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from harness.core.findings import Finding, Severity
from harness.core.ins import INS_OIDS
from harness.core.rules import rule
from harness.validators.broken import xml_fault_location
from harness.validators.cda.common import CDA_NS, NS, compiled
from harness.validators.cda.official import check_official
from harness.validators.cda.pack import CdaPack, CdaPackError, load_pack, pack_from_env, resolve_pack
from harness.validators.cda.rules_dlu import check_dlu
from harness.validators.cda.rules_export import check_export
from harness.validators.cda.rules_header import REQ_HEADER, check_header
from harness.validators.cda.rules_ins import check_ins
from harness.validators.cda.rules_n1 import check_n1
from harness.validators.cda.rules_strucmin import check_strucmin
from harness.validators.cda.rules_valuesets import check_value_sets
from harness.validators.cda.rules_vsm import check_vsm
from harness.validators.cda.selection import DEFAULT_SCHEMATRONS
from harness.validators.cda.svrl import SvrlReport
from harness.validators.cda.wrapper import unwrap, wrapper_finding
from harness.validators.result import Layer
from harness.validators.safexml import XmlInputError, parse_xml

__all__ = [
    "CDA_NS",
    "DEFAULT_SCHEMATRONS",
    "EMBEDDED_RULES",
    "MAX_CDA_BYTES",
    "CdaHeader",
    "CdaPack",
    "CdaPackError",
    "CdaReport",
    "load_pack",
    "pack_from_env",
    "read_header",
    "resolve_pack",
    "validate_cda",
]

MAX_CDA_BYTES = 200 * 1024 * 1024

EMBEDDED_LAYER = "règles embarquées / embedded rules"
NO_PACK = (
    "non exécuté : aucun paquet d'artefacts CI-SIS donné / not run: no pack given "
    "(--cda-pack DIR or DUI_HARNESS_CDA_PACK)"
)
#: the embedded rule families, in the order their findings are reported
EMBEDDED_RULES: tuple[Callable[[etree._Element], list[Finding]], ...] = (
    check_header,
    check_strucmin,
    check_value_sets,
    check_ins,
    check_n1,
    check_dlu,
    check_vsm,
    check_export,
)


@dataclass
class CdaHeader:
    """Facts read from the CDA header (empty strings when absent)."""

    document_id: str = ""
    set_id: str = ""
    version: str = ""
    code: str = ""
    code_system: str = ""
    title: str = ""
    effective_time: str = ""
    confidentiality: str = ""
    language: str = ""
    template_ids: list[str] = field(default_factory=list)
    ins: str = ""
    ins_oid: str = ""
    birth_name: str = ""
    first_name: str = ""
    first_names: str = ""
    sex: str = ""
    birth_time: str = ""
    birth_place: str = ""


@dataclass
class CdaReport:
    """The outcome of validating one CDA document.

    Attributes:
        header: the header facts.
        findings: embedded rules first, then XSD, then official schematrons (pack given).
        root: the parsed document (None when it could not be parsed).
        svrl: schematron name (``model``, ``ModelesDeContenusCDA``…) -> the SVRL report of the
            official schematron run on this document (empty without a pack).
        layers: what judged the document and what did not (and why), in order.
    """

    header: CdaHeader
    findings: list[Finding] = field(default_factory=list)
    root: etree._Element | None = None
    svrl: dict[str, SvrlReport] = field(default_factory=dict)
    #: every layer (embedded rules, XSD, each schematron): ran, or not and why
    layers: list[Layer] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)


def _text(root: etree._Element, xpath: str) -> str:
    found = compiled(xpath)(root)
    if not found:
        return ""
    value = found[0]
    return str(value if isinstance(value, str) else (value.text or "")).strip()


def read_header(root: etree._Element) -> CdaHeader:
    """The header facts of a parsed ClinicalDocument."""
    patient = "cda:recordTarget/cda:patientRole"
    ins_roots = " or ".join(f"@root='{oid}'" for oid in INS_OIDS)
    extension = _text(root, "cda:id/@extension")
    return CdaHeader(
        document_id=_text(root, "cda:id/@root") + (f"^{extension}" if extension else ""),
        set_id=_text(root, "cda:setId/@root"),
        version=_text(root, "cda:versionNumber/@value"),
        code=_text(root, "cda:code/@code"),
        code_system=_text(root, "cda:code/@codeSystem"),
        title=_text(root, "cda:title"),
        effective_time=_text(root, "cda:effectiveTime/@value"),
        confidentiality=_text(root, "cda:confidentialityCode/@code"),
        language=_text(root, "cda:languageCode/@code"),
        template_ids=[str(t) for t in root.xpath("cda:templateId/@root", namespaces=NS)],
        ins=_text(root, f"{patient}/cda:id[{ins_roots}]/@extension"),
        ins_oid=_text(root, f"{patient}/cda:id[{ins_roots}]/@root"),
        birth_name=_text(root, f"{patient}/cda:patient/cda:name/cda:family[@qualifier='BR']"),
        first_name=_text(root, f"{patient}/cda:patient/cda:name/cda:given[@qualifier='BR']"),
        first_names=_text(root, f"{patient}/cda:patient/cda:name/cda:given[not(@qualifier)]"),
        sex=_text(root, f"{patient}/cda:patient/cda:administrativeGenderCode/@code"),
        birth_time=_text(root, f"{patient}/cda:patient/cda:birthTime/@value"),
        birth_place=_text(root, f"{patient}/cda:patient/cda:birthplace/cda:place/cda:addr/cda:county"),
    )


@rule("cda.xml", requirement=REQ_HEADER, summary="the document is well-formed, safe XML (no DTD, entity, XInclude)")
@rule("cda.root", requirement=REQ_HEADER, summary="the root element is a CDA ClinicalDocument")
def validate_cda(
    data: bytes,
    *,
    pack: Path | str | CdaPack | None = None,
    schematrons: Sequence[str] | None = None,
    xsd: bool = True,
    model_version: str | Mapping[str, str] | None = None,
    route: str | None = None,
) -> CdaReport:
    """Validate one CDA document.

    Args:
        data: the document bytes as received (parsed safely, never resolving entities).
        pack: an official CI-SIS artefact pack folder (see :mod:`.pack`); None: the embedded
            rules only (use :func:`pack_from_env` for ``DUI_HARNESS_CDA_PACK``).
        schematrons: the official schematrons to run when a pack is given (default
            :data:`DEFAULT_SCHEMATRONS`: the content model's, ModelesDeContenusCDA, Modeles_ANS).
        xsd: validate against the pack's ``CDA_extended.xsd`` (pack given).
        model_version: the content-model version to judge with (``2022.01``), or model stem ->
            version pins (profile ``[cda] model_versions``); default: the document's, else the
            newest with a warning.
        route: how schematrons are compiled: ``harness`` (default; the project's compiler) or
            ``ans`` (the pack's ANS pipeline, ``schematrons/moteur/``); default: the pack's
            (:attr:`CdaPack.route`, the run's ``--schematron-engine``), never an environment variable.

    Returns:
        The report: header facts and findings. A document that cannot be parsed gives one
        ERROR finding ``cda.xml`` and an empty header. A self-presenting document (an XSL
        stylesheet carrying the ``ClinicalDocument``, :mod:`.wrapper`) is judged on the embedded
        document, locations relative to it, with an INFO finding ``cda.wrapper``; ``root`` is
        then the embedded document.

    Raises:
        CdaPackError: the pack folder is not a pack (a schematron the pack cannot run is a layer
            reported *not run*, never an exception).

    Example::

        report = validate_cda(Path("dlu.xml").read_bytes(), pack=Path("../shared/reference/cda-testcontenucda"))
        errors = [f for f in report.findings if f.severity is Severity.ERROR]
    """
    chosen = load_pack(pack) if pack is not None else None
    try:
        root = parse_xml(data, max_bytes=MAX_CDA_BYTES)
    except XmlInputError as exc:
        return CdaReport(
            CdaHeader(),
            [
                Finding(
                    "cda.xml",
                    REQ_HEADER,
                    f"document inutilisable / unusable document: {exc.reason}",
                    location=xml_fault_location(exc),
                )
            ],
        )
    wrapped = unwrap(root)
    before: list[Finding] = []
    if wrapped is not None:
        before = [wrapper_finding(root, wrapped[1], REQ_HEADER)]
        root = wrapped[0]
    if root.tag != f"{{{CDA_NS}}}ClinicalDocument":
        return CdaReport(
            CdaHeader(),
            [
                Finding(
                    "cda.root",
                    REQ_HEADER,
                    f"root element is {root.tag}, not {{{CDA_NS}}}ClinicalDocument",
                    location="/",
                )
            ],
            root,
        )
    embedded = [f for rule in EMBEDDED_RULES for f in rule(root)]
    report = CdaReport(
        read_header(root),
        before + embedded,
        root,
        layers=[
            Layer(
                EMBEDDED_LAYER,
                True,
                findings=len(embedded),
                notes=tuple(f"auto-présentable / self-presenting: {f.location} judged alone" for f in before),
            )
        ],
    )
    if chosen is None:
        report.layers += [
            Layer("CDA_extended.xsd", False, NO_PACK),
            Layer("schématrons officiels CI-SIS / official CI-SIS schematrons", False, NO_PACK),
        ]
        return report
    official = check_official(
        root,
        chosen,
        DEFAULT_SCHEMATRONS if schematrons is None else schematrons,
        xsd=xsd,
        model_version=model_version,
        route=route or chosen.route,
    )
    report.findings += official.findings
    report.svrl = official.reports
    report.layers += official.layers
    return report
