"""## Requirements
MSS-RCV-03 (SC.CDA/INT.15): when it imports a CDA document conforming to the CI-SIS structuration minimale,
the DUI stores the CDA document and its producer's stylesheet (when there is one).

## Dependencies
The receiving scenario of the MSSanté suite (``received``, case ``known-with-stylesheet``): the document must
first be integrated for the right person (MSS-RCV-01, which blocks this one otherwise). The DUI's trigger API
says what it stored: ``content_sha256`` (SHA-256 of the CDA bytes kept) and ``stylesheet`` (``name``,
``sha256``) on each document of ``GET /persons/{id}/mss/documents``. A DUI that does not report them (an
attended run, an older trigger API) is not judged: the harness cannot look into its storage.

## Methodology
The harness, as a producer, delivers a biology report whose CDA names its stylesheet
(``<?xml-stylesheet type="text/xsl" href="PRODUCTEUR.XSL"?>``) with the stylesheet beside it in the
IHE_XDM archive's subset; once the DUI has integrated it, the fingerprints it reports must be those of
the bytes delivered: the CDA unchanged, the producer's stylesheet kept (not replaced by the DUI's own).
"""

from __future__ import annotations

import pytest

from harness.core.findings import Blocked, Finding, NonConformity
from harness.plugin.evidence import Scenario
from harness.suites.mss.conftest import RECEIVING

REQUIREMENT = "MSS-RCV-03"
CASE = "known-with-stylesheet"
WHERE = "trigger API GET /persons/{id}/mss/documents"


def _stored(scenario: Scenario) -> dict[str, object] | None:
    """What the DUI lists for the case's person with the delivered document's id, or None."""
    from harness.validators.cda import read_header
    from harness.validators.safexml import parse_xml

    document_id = read_header(parse_xml(scenario.data["document"].encode("utf-8"))).document_id
    listed = scenario.data["documents"].get(RECEIVING[CASE].person) or []
    return next((d for d in listed if d.get("document_id") == document_id), None)


@pytest.mark.requirement(REQUIREMENT)
@pytest.mark.parametrize("received", [CASE], indirect=True)
def test_the_cda_and_its_producers_stylesheet_are_stored(received: Scenario) -> None:
    """The CDA is kept byte for byte, and the producer's stylesheet shipped with it is kept too."""
    stored = _stored(received)
    if stored is None:
        raise Blocked(f"{received.name}: the document was not integrated for its person", ("MSS-RCV-01",))
    if "content_sha256" not in stored and "stylesheet" not in stored:
        pytest.skip(
            "the DUI's trigger API does not say what it stored (content_sha256, stylesheet): SC.CDA/INT.15 not judged"
        )
    expected = received.data["stylesheet"]
    findings = []
    if stored.get("content_sha256") != received.data["document_sha256"]:
        findings.append(
            Finding(
                "mss.store.cda",
                REQUIREMENT,
                f"the CDA stored (SHA-256 {stored.get('content_sha256')}) is not the document received "
                f"(SHA-256 {received.data['document_sha256']})",
                location=WHERE,
            )
        )
    kept = stored.get("stylesheet")
    if not isinstance(kept, dict) or kept.get("sha256") != expected["sha256"]:
        findings.append(
            Finding(
                "mss.store.stylesheet",
                REQUIREMENT,
                f"the producer's stylesheet {expected['name']} (SHA-256 {expected['sha256'][:16]}…), named by the "
                f"CDA and shipped in the IHE_XDM archive, was not stored with the document (the DUI reports "
                f"{kept!r})",
                location=WHERE,
            )
        )
    if findings:
        raise NonConformity(f"{received.name}: the document or its producer's stylesheet was not stored", findings)
