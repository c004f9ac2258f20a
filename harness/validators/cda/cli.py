"""``dui-harness validate cda FILE… [--cda-pack DIR]``: one CDA document per file.

Each file is judged by :func:`harness.validators.cda.validate_cda`: the embedded rules, and with
a pack (``--cda-pack`` or ``DUI_HARNESS_CDA_PACK``) the CDA_extended XSD and the official
schematrons. What cannot be read as XML raises :class:`harness.errors.InputError` (exit code 2)
with the reason, as for the other kinds: a missing file, a folder, a file that cannot be read.
A file that was read but is a broken document — over :data:`~harness.validators.cda.MAX_CDA_BYTES`
(refused from its size, never read), empty, not well-formed, a DTD / external entity / entity
bomb / XInclude (refused, never expanded) — is a non-conformity of the document
(:mod:`harness.validators.broken`: finding ``cda.xml`` with its location, exit code 1), as is a
well-formed document that is not a ``ClinicalDocument``.
"""

from __future__ import annotations

import re
from pathlib import Path

from harness.errors import InputError, UsageError
from harness.validators.broken import oversized_document
from harness.validators.cda import MAX_CDA_BYTES, resolve_pack, validate_cda
from harness.validators.cda.rules_header import REQ_HEADER
from harness.validators.input_file import OversizedInput, read_input_file
from harness.validators.result import ValidateOptions, ValidationResult

__all__ = ["validate_cda_input"]

KIND = "cda"
_TIP = "donnez un fichier XML CDA R2 lisible / give a readable CDA R2 XML file"


def validate_cda_input(target: str, options: ValidateOptions) -> list[ValidationResult]:
    """The :data:`~harness.validators.result.Validator` of kind ``cda``.

    Raises:
        InputError: no such file, a folder, unreadable, or an artefact pack that is not one
            (``CdaPackError``).
    """
    pack = resolve_pack(options.cda_pack, route=options.schematron_engine)
    path = Path(target)
    if not path.exists():
        raise InputError(f"{target}: fichier introuvable / no such file", tip=_TIP)
    try:
        data = read_input_file(path, target, MAX_CDA_BYTES, tip=_TIP)  # bounded even if the file grows meanwhile
    except OversizedInput as exc:
        return [
            oversized_document(target, KIND, size=exc.size, limit=MAX_CDA_BYTES, rule="cda.xml", requirement=REQ_HEADER)
        ]
    report = validate_cda(
        data, pack=pack, model_version=model_pins(options.model_version) or None, route=options.schematron_engine
    )
    if report.layers and not any(layer.ran for layer in report.layers):
        raise InputError(
            f"{target}: rien n'a pu juger le document / nothing could judge the document: "
            + "; ".join(f"{layer.name}: {layer.reason}" for layer in report.layers),
            tip=_TIP,
        )
    return [ValidationResult(target, KIND, tuple(report.findings), checked=1, layers=tuple(report.layers))]


def model_pins(values: tuple[str, ...]) -> dict[str, str]:
    """``--model-version`` values (``2022.01`` for any model, ``STEM=VERSION`` for one) as pins.

    Raises:
        UsageError: a value that is not a version.
    """
    pins: dict[str, str] = {}
    for value in values:
        stem, _, version = value.rpartition("=")
        if not re.fullmatch(r"[\d][\d._]*", version) or (_ and not stem):
            raise UsageError(
                f"--model-version {value!r}: attendu / expected VERSION (2022.01) ou / or MODEL=VERSION "
                "(DLU-EHPAD-DLU=2022.01)",
                tip="dui-harness validate cda FILE --model-version 2022.01",
            )
        pins[stem or "*"] = version
    return pins
