"""``dui-harness validate hl7v2 FILE…``: one ER7 file (one message, or several one after another).

Files are read with LF, CR LF or CR segment ends, at most :data:`MAX_FILE_BYTES` bytes. What is
not a readable HL7 v2 message (binary noise, no MSH, wrong delimiters, too large) is a finding of
``HL7-MSG-01`` (exit code 1); only a missing or unreadable file is an :class:`InputError` (exit 2).
A message judged here is taken as *emitted by the DUI*: an INS needs a qualified identity.
"""

from __future__ import annotations

import stat
from pathlib import Path

from harness.core.findings import Finding
from harness.errors import InputError
from harness.validators.hl7v2 import validate_hl7v2
from harness.validators.hl7v2.er7 import MAX_MESSAGE_BYTES, REQ_MESSAGE, split_messages
from harness.validators.result import ValidateOptions, ValidationResult

__all__ = ["MAX_FILE_BYTES", "validate_hl7v2_input"]

KIND = "hl7v2"
MAX_FILE_BYTES = 8 * MAX_MESSAGE_BYTES
_TIP = "donnez un fichier ER7 lisible (.hl7, .er7) / give a readable ER7 file (.hl7, .er7)"


def _read(target: str) -> bytes:
    path = Path(target)
    if not path.exists():
        raise InputError(f"{target}: no such file / fichier introuvable", tip=_TIP)
    if path.is_dir():
        raise InputError(f"{target}: is a folder, not a file / est un dossier", tip=_TIP)
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise InputError(f"{target}: illisible / cannot be read ({exc.strerror or exc})", tip=_TIP) from None
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):  # opening a FIFO would wait for a writer
        raise InputError(f"{target}: a pipe or socket, not a file / n'est pas un fichier", tip=_TIP)
    try:
        with path.open("rb") as stream:  # bounded: /dev/zero or a FIFO never fills memory
            return stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{target}: illisible / cannot be read ({exc.strerror or exc})", tip=_TIP) from None


def validate_hl7v2_input(target: str, options: ValidateOptions) -> list[ValidationResult]:
    """The :data:`~harness.validators.result.Validator` of kind ``hl7v2``.

    Raises:
        InputError: no such file, a folder, a file that cannot be read.
    """
    data = _read(target)
    if len(data) > MAX_FILE_BYTES:
        finding = Finding(
            "hl7.size",
            REQ_MESSAGE,
            f"file larger than {MAX_FILE_BYTES} bytes; trouvé / found: more; "
            "attendu / expected: HL7 v2 messages of a few kilobytes / fichier trop grand",
            location="file",
        )
        return [ValidationResult(target, KIND, (finding,), checked=0)]
    messages = split_messages(data)
    findings: list[Finding] = []
    for number, payload in enumerate(messages, start=1):
        for finding in validate_hl7v2(payload, emitted=True).findings:
            if len(messages) > 1:
                where = f"message {number}" + (f" {finding.location}" if finding.location else "")
                finding = Finding(finding.rule, finding.requirement, finding.message, finding.severity, where)
            findings.append(finding)
    return [ValidationResult(target, KIND, tuple(findings), checked=len(messages))]
