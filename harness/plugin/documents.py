"""The documents a suite validated (CDA, FHIR bundles, mails), kept as evidence under ``reports/documents/``.

A suite that validates a document the DUI produced records it once with
:meth:`DocumentLog.add`: the bytes go to ``documents/<nnnn>-<name>``, a sidecar
``<file>.json`` says what it is (kind, requirement ids, findings, the exchange it came in)
and its SHA-256. The evidence bundle carries the whole folder; the document is also
attached to the Allure result of the test that validated it.

Example::

    def test_cda_header(dmp_submission: Scenario, validated_documents: DocumentLog) -> None:
        report = validate_cda(cda_bytes)
        validated_documents.add("ppa.xml", cda_bytes, kind="CDA", requirements=["CDA-HDR-01"],
                                findings=report.findings, exchange=dmp_submission.exchanges[0].id)
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import allure

from harness.core.findings import Finding
from harness.validators.result import Layer

__all__ = ["DocumentLog"]

_SAFE = re.compile(r"[^A-Za-z0-9._-]")


class DocumentLog:
    """Writes each validated document and its description under ``directory``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._count = 0

    def add(
        self,
        name: str,
        content: bytes,
        *,
        kind: str,
        requirements: Sequence[str] = (),
        findings: Iterable[Finding] = (),
        exchange: str | None = None,
        media_type: str = "application/octet-stream",
        attach: bool = True,
        layers: Iterable[Layer] = (),
    ) -> Path:
        """Keep ``content`` as evidence; returns the file written.

        ``layers`` says what judged the document and what did not (e.g. the official schematrons
        run, a value-set file derived for one, a layer not run and why).
        """
        with self._lock:
            self._count += 1
            number = self._count
        self.directory.mkdir(parents=True, exist_ok=True)
        stem = _SAFE.sub("_", name)[-120:] or "document"
        path = self.directory / f"{number:04d}-{stem}"
        path.write_bytes(content)
        meta: dict[str, Any] = {
            "name": name,
            "file": path.name,
            "kind": kind,
            "media_type": media_type,
            "sha256": hashlib.sha256(content).hexdigest(),
            "size": len(content),
            "requirements": list(requirements),
            "findings": [f.as_dict() for f in findings],
            "exchange": exchange,
        }
        judged_by = [layer.as_dict() for layer in layers]
        if judged_by:
            meta["layers"] = judged_by
        path.with_name(path.name + ".json").write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
        if attach:
            allure.attach(
                content,
                name=f"document validé / validated document: {name}",
                extension=Path(stem).suffix.lstrip(".") or None,
            )
        return path

    def __len__(self) -> int:
        return self._count
