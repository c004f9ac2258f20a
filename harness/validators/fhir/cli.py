"""``dui-harness validate fhir FILE.json…``: one FHIR JSON file per input.

Each file is read safely (:func:`~harness.validators.fhir.jsonio.parse_fhir_json`) and judged
by :func:`~harness.validators.fhir.validate_fhir`: a transaction/batch Bundle as a TDDUI flux 1
body, a Patient by FR Core PatientINS, a MedicationAdministration by the e-prescription rules,
anything else by its FHIR R4 structure. A missing or unreadable file raises
:class:`harness.errors.InputError` (exit code 2); a file that was read but is broken (over the
size limit, empty, binary, not JSON, duplicate keys, too deep) is a non-conformity of the
document (:mod:`harness.validators.broken`, exit code 1), as for the other kinds.
"""

from __future__ import annotations

from pathlib import Path

from harness.errors import InputError
from harness.validators.broken import broken_document, oversized_document
from harness.validators.fhir import validate_fhir
from harness.validators.fhir.jsonio import MAX_BYTES, FhirInputError, parse_fhir_json
from harness.validators.fhir.tddui import STRUCT
from harness.validators.input_file import OversizedInput, read_input_file
from harness.validators.result import ValidateOptions, ValidationResult

__all__ = ["validate_fhir_input"]

KIND = "fhir"
_TIP = "donnez un fichier JSON FHIR lisible / give a readable FHIR JSON file"


def validate_fhir_input(target: str, options: ValidateOptions) -> list[ValidationResult]:
    """The :data:`~harness.validators.result.Validator` of kind ``fhir``.

    Raises:
        InputError: no such file, a folder, a FIFO or device, unreadable.
    """
    path = Path(target)
    if not path.exists():
        raise InputError(f"{target}: fichier introuvable / no such file", tip=_TIP)
    try:
        data = read_input_file(path, target, MAX_BYTES, tip=_TIP)  # FIFO, device, folder: InputError (exit 2)
    except OversizedInput as exc:
        return [
            oversized_document(
                target, KIND, size=exc.size, limit=MAX_BYTES, rule="fhir.json.too-costly", requirement=STRUCT
            )
        ]
    try:
        resource = parse_fhir_json(data)
    except FhirInputError as exc:
        return [
            broken_document(
                target,
                KIND,
                rule=f"fhir.json.{exc.code}",
                requirement=STRUCT,
                message=exc.message,
                location=exc.location or "$",
            )
        ]
    report = validate_fhir(resource)
    count = 1
    if isinstance(resource, dict) and resource.get("resourceType") == "Bundle":
        count += sum(1 for e in resource.get("entry") or [] if isinstance(e, dict) and "resource" in e)
    return [ValidationResult(target, KIND, tuple(report.findings), checked=count)]
