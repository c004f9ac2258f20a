"""``dui-harness validate xds FILE… [--cda-pack DIR]``: one ITI-41 message per file.

A file is an ITI-41 *Provide and Register Document Set-b* request as captured: a raw HTTP
request (as the recorder writes ``reports/exchanges/*.request``), a MIME entity, a bare
multipart/related MTOM body, or a bare SOAP 1.2 envelope (inline documents). It is judged by
:func:`harness.validators.xds.validate_submission`: XDS metadata, value sets, formats, each CDA
document, and CDA ↔ metadata consistency; the signed submission set (IHE DSG XAdES, DMP-SIGN-01,
:func:`harness.validators.xds.dsg.check_signature`) as warnings: offline there is no trusted CA, so the
signature is verified with the certificate it carries. A missing or unreadable file is an
:class:`~harness.errors.InputError` (exit 2); an unusable message (empty, oversized, broken MIME
boundary, not SOAP, DTD) is a finding (exit 1), as the DMP would refuse it
(:mod:`harness.validators.broken`, the rule of every kind).
"""

from __future__ import annotations

from pathlib import Path

from harness.errors import InputError
from harness.validators.broken import broken_document, oversized_document
from harness.validators.cda import resolve_pack
from harness.validators.input_file import OversizedInput, read_input_file
from harness.validators.result import ValidateOptions, ValidationResult
from harness.validators.xds import validate_submission
from harness.validators.xds.capture import read_capture
from harness.validators.xds.dsg import check_signature

__all__ = ["MAX_MESSAGE_BYTES", "validate_xds_input"]

KIND = "xds"
MAX_MESSAGE_BYTES = 256 * 1024 * 1024
_REQ = "DMP-XDS-01"
_TIP = "donnez une requête ITI-41 capturée (HTTP, MTOM ou SOAP) / give a captured ITI-41 request"


def validate_xds_input(target: str, options: ValidateOptions) -> list[ValidationResult]:
    """The :data:`~harness.validators.result.Validator` of kind ``xds``."""
    pack = resolve_pack(options.cda_pack, route=options.schematron_engine)
    path = Path(target)
    if not path.exists():
        raise InputError(f"{target}: fichier introuvable / no such file", tip=_TIP)
    try:
        data = read_input_file(path, target, MAX_MESSAGE_BYTES, tip=_TIP)  # bounded even if the file grows
    except OversizedInput as exc:
        return [
            oversized_document(
                target, KIND, size=exc.size, limit=MAX_MESSAGE_BYTES, rule="xds.message", requirement=_REQ
            )
        ]
    if not data.strip():
        return [broken_document(target, KIND, rule="xds.message", requirement=_REQ, message="empty file")]
    body, content_type = read_capture(data)
    report = validate_submission(body, content_type, pack=pack)
    if report.submission is not None:  # no trusted CA offline: warnings (DMP-SIGN-01)
        report.findings += check_signature(report.submission, report.documents, trust_ca=None)
    checked = len(report.submission.documents) if report.submission else 0
    return [ValidationResult(target, KIND, tuple(report.findings), checked=max(checked, 1))]
