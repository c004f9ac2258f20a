"""``dui-harness validate KIND INPUT...``: check values or files a DUI produced, outside a run.

Each kind is one entry of :data:`VALIDATORS`; adding ``cda``, ``xds``, ``mail`` or ``fhir`` is
one line there. Exit codes: 0 every input valid, 1 an error finding, 2 usage error or
unreadable input.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from harness.cli import EXIT_NONCONFORMITY, EXIT_OK
from harness.core.findings import Severity
from harness.errors import UsageError
from harness.validators.cda.cli import validate_cda_input
from harness.validators.fhir.cli import validate_fhir_input
from harness.validators.hl7v2.cli import validate_hl7v2_input
from harness.validators.ins_input import validate_ins_input
from harness.validators.mail import validate_mail_file
from harness.validators.pdf import validate_pdf_file
from harness.validators.result import ValidateOptions, ValidationResult, Validator
from harness.validators.xds.cli import validate_xds_input

__all__ = ["VALIDATORS", "add_parser", "main", "render_layers", "render_text"]

#: kind -> validator; one line per kind.
VALIDATORS: dict[str, Validator] = {
    "ins": validate_ins_input,
    "fhir": validate_fhir_input,
    "cda": validate_cda_input,
    "xds": validate_xds_input,
    "mail": validate_mail_file,
    "hl7v2": validate_hl7v2_input,
    "pdf": validate_pdf_file,
}


def add_parser(subparsers: Any) -> None:
    """Register the ``validate`` verb."""
    parser = subparsers.add_parser(
        "validate",
        help="valider des INS, documents ou messages / validate INS values, documents or messages",
        description=(
            "Valide des valeurs ou des fichiers produits par un DUI / validates values or files a DUI "
            f"produced. Kinds: {', '.join(VALIDATORS)}. Exit 0 valid, 1 non-conformity, 2 usage error."
        ),
    )
    parser.add_argument("kind", metavar="KIND", help=f"what to validate: {', '.join(VALIDATORS)}")
    parser.add_argument(
        "inputs",
        metavar="INPUT",
        nargs="+",
        help="a value (INS: 15 characters, spaces allowed, or INS;OID) or a text / XML file",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--oid", help="assigning authority OID of values given without one")
    parser.add_argument(
        "--cda-pack",
        metavar="DIR",
        help="CI-SIS artefact pack (TestContenuCDA layout: XSD, schematrons, value sets); "
        "default: $DUI_HARNESS_CDA_PACK",
    )
    parser.add_argument(
        "--model-version",
        metavar="VERSION",
        action="append",
        default=[],
        help="cda: content-model version to judge with (2022.01, or MODEL=VERSION such as "
        "DLU-EHPAD-DLU=2022.01; repeatable); default: the document's, else the newest "
        "of the pack, with a warning",
    )
    parser.add_argument(
        "--schematron-engine",
        choices=("harness", "ans"),
        help="cda: compile the official schematrons with the project's compiler (default) or "
        "with the ANS tool's pipeline of the pack (schematrons/moteur/)",
    )
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    """Run the validator of ``args.kind`` on every input and print the report."""
    validator = VALIDATORS.get(args.kind)
    if validator is None:
        raise UsageError(
            f"type inconnu / unknown kind {args.kind!r}; types connus / known kinds: {', '.join(sorted(VALIDATORS))}",
            tip=f"dui-harness validate {sorted(VALIDATORS)[0]} INPUT...",
        )
    options = ValidateOptions(
        oid=args.oid,
        cda_pack=args.cda_pack,
        model_version=tuple(args.model_version),
        schematron_engine=args.schematron_engine,
    )
    results = [result for target in args.inputs for result in validator(target, options)]
    if args.json:
        payload = {"results": [r.as_dict() for r in results]}
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_text(results))
    return EXIT_OK if all(r.valid for r in results) else EXIT_NONCONFORMITY


def render_layers(result: ValidationResult) -> list[str]:
    """What judged the input and what did not, and why (kinds with layers: ``cda``)."""
    lines = []
    for layer in result.layers:
        state = f"ran ({layer.findings} finding(s))" if layer.ran else "NOT RUN"
        lines.append(f"  layer  {layer.name}: {state}")
        if layer.reason:
            lines.append(f"           {layer.reason}")
        lines += [f"           {note}" for note in layer.notes]
    return lines


def render_text(results: list[ValidationResult]) -> str:
    """The human report: one block per input, one line pair per finding, then a summary."""
    lines: list[str] = []
    for result in results:
        verdict = "VALID  " if result.valid else "INVALID"
        counts = (
            f"{result.checked} checked, {result.count(Severity.ERROR)} error(s), "
            f"{result.count(Severity.WARNING)} warning(s)"
        )
        partial = "  — jugement partiel / partial judgement" if result.partial else ""
        lines.append(f"{verdict}  {result.kind}  {result.file}  ({counts}){partial}")
        lines += render_layers(result)
        for finding in result.findings:
            label = " ".join(p for p in (finding.requirement, finding.rule) if p)
            where = f"  {finding.location}" if finding.location else ""
            lines.append(f"  {finding.severity.value.upper():<7}  {label}{where}")
            lines.append(f"           {finding.message}")
    valid = sum(1 for r in results if r.valid)
    lines.append("")
    lines.append(
        f"{len(results)} input(s): {valid} valid, {len(results) - valid} invalid / "
        f"{len(results)} entrée(s) : {valid} valide(s), {len(results) - valid} non valide(s)"
    )
    return "\n".join(lines) + "\n"
