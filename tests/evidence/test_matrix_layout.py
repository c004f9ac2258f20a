"""The conformity matrix fits a 1,400 px window and breaks no word, measured in headless Chromium.

Skipped where Chromium is absent; by hand: ``python -m tests.evidence.layout_check
reports/conformity-matrix.html --png matrix.png``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from harness.evidence.matrix_html import render_matrix_html
from harness.evidence.services import VERDICT_LABELS, service_labels
from tests.evidence.layout_check import chromium, measure, screenshot

pytestmark = pytest.mark.skipif(chromium() is None, reason="chromium not installed (apt-get install -y chromium)")


def _matrix() -> tuple[dict[str, object], dict[str, dict[str, object]]]:
    """Every verdict in every service, long titles, a finding with a long XPath."""
    rows: list[dict[str, object]] = []
    requirements: dict[str, dict[str, object]] = {}
    for service in service_labels():
        for n, verdict in enumerate(VERDICT_LABELS):
            rid = f"{service}-REQ-{n:02d}"
            finding = {
                "rule": "xds.slot.missing",
                "requirement": rid,
                "message": "le slot sourcePatientId manque",
                "location": "/soap:Envelope/soap:Body/xdsb:ProvideAndRegisterDocumentSetRequest/lcm:"
                "SubmitObjectsRequest/rim:RegistryObjectList/rim:ExtrinsicObject[1]/rim:Slot[3]",
                "evidence": ["exchange 00012"],
            }
            rows.append(
                {
                    "id": rid,
                    "service": service,
                    "verdict": verdict,
                    "level": "MUST",
                    "title_fr": "L'identité numérique de l'usager porte un et un seul statut de confiance "
                    "(provisoire, récupérée, validée, qualifiée) conforme au RNIV",
                    "applicability": "medicalised",
                    "tests": [
                        {
                            "test": f"harness/suites/x/test_{n}.py::test_long_name_of_a_scenario[{verdict}]",
                            "verdict": verdict,
                            "reason": "no ITI-41 request",
                            "findings": [finding],
                            "exchanges": ["00012"],
                            "message": "E   NonConformity: " + "x" * 300,
                        }
                    ],
                }
            )
            requirements[rid] = {
                "summary_en": "Each digital identity carries exactly one trust status",
                "source": "RNIV 2021 §3.2",
                "url": "https://example.invalid/rniv",
            }
    counts = {v: len(service_labels()) for v in VERDICT_LABELS}
    return {
        "requirements": rows,
        "counts": counts,
        "profile": {"name": "p", "version": "1", "title": "P"},
    }, requirements


def test_matrix_fits_1400px_and_breaks_no_word(tmp_path: Path) -> None:
    matrix, requirements = _matrix()
    page = tmp_path / "conformity-matrix.html"
    page.write_text(
        render_matrix_html(
            matrix,
            requirements,
            {},
            {"name": "DUI", "version": "1"},
            ["exchanges/00012-DMP-ITI-41.json"],
            generated=datetime.now(UTC),
        ),
        encoding="utf-8",
    )
    result = measure(page, width=1400)
    assert result["scrollWidth"] <= 1400, result
    assert max(result["tables"]) <= 1400, result
    assert result["broken"] == [], result
    assert result["overflowing"] == [], result
    assert screenshot(page, tmp_path / "matrix.png").stat().st_size > 10_000
