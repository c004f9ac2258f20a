"""## Requirements
DMP-VIS-01 (SC.DOC.01.MS1 and SC.DOC.02.MS1: the masking from professionals and the visibility
for the patient and the legal representatives the user chooses are set on the document fed to
the DMP: confidentialityCode MASQUE_PS, INVISIBLE_PATIENT, INVISIBLE_REPRESENTANTS_LEGAUX).

## Dependencies
The scenario ``hidden_at_submission``: a document is created masked from professionals and
invisible to the patient and to her legal representatives, then fed to the DMP.

## Methodology
The *first* ITI-41 request of the scenario (the DMPi guide: the codes belong to the first
submission; a first version visible to everybody, masked later by ITI-57, has already been
seen) must carry, in its DocumentEntry, one confidentialityCode per choice, of the coding scheme
1.2.250.1.213.1.1.4.13 (JDV_J08), beside the document's confidentiality level. An entry with no
confidentialityCode at all breaks DMP-XDS-02 first: this test is then *blocked* by it.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Blocked, Finding
from harness.plugin.evidence import Scenario
from harness.suites.dmp.checks import expect
from harness.suites.doc.produced import produced
from harness.validators.cda.pack import CdaPack
from harness.validators.xds.ebrim import DE

REQ = "DMP-VIS-01"
SCHEME = "1.2.250.1.213.1.1.4.13"
#: trigger API choice -> the confidentialityCode the DocumentEntry carries
CODES = {
    "masked_from_professionals": "MASQUE_PS",
    "invisible_to_patient": "INVISIBLE_PATIENT",
    "invisible_to_legal_representatives": "INVISIBLE_REPRESENTANTS_LEGAUX",
}


@pytest.mark.requirement(REQ)
@pytest.mark.parametrize("scenario", ["hidden_at_submission"], indirect=True)
def test_visibility_is_set_at_the_first_submission(scenario: Scenario, cda_pack: CdaPack | None) -> None:
    """The first ITI-41 DocumentEntry carries MASQUE_PS, INVISIBLE_PATIENT and INVISIBLE_REPRESENTANTS_LEGAUX."""
    wanted = {CODES[k] for k, on in scenario.data["visibility"].items() if on}
    exchange, report = produced(scenario, REQ, cda_pack)[0]
    entries = report.submission.documents if report.submission else []
    found = []
    if not entries:
        found.append(
            Finding(
                "dmp.visibility.entry",
                REQ,
                "the first ITI-41 registers no DocumentEntry",
                location="SubmitObjectsRequest",
                evidence=(f"exchange {exchange.id}",),
            )
        )
    if entries and not any(entry.codes.get("confidentialityCode") for entry in entries):
        raise Blocked(
            f"{scenario.name}: the DocumentEntry has no confidentialityCode at all (its own requirement), so the "
            "visibility codes beside it cannot be judged",
            ("DMP-XDS-02",),
        )
    for entry in entries:
        codes = entry.codes.get("confidentialityCode", [])
        present = {c.code for c in codes if c.scheme == SCHEME}
        elsewhere = {c.code for c in codes if c.scheme != SCHEME} & wanted
        for code in sorted(wanted - present):
            hint = f" (sent with another coding scheme: use {SCHEME})" if code in elsewhere else ""
            found.append(
                Finding(
                    "dmp.visibility.first-submission",
                    REQ,
                    f"chosen at the document's creation, confidentialityCode {code} (JDV_J08, {SCHEME}) is missing "
                    f"from the first submission{hint}: the first version is visible",
                    location=f"{entry.location}/rim:Classification[@classificationScheme='{DE.CONFIDENTIALITY}']",
                    evidence=(f"exchange {exchange.id}",),
                )
            )
    expect(f"{scenario.name}: visibility at the first submission", found)
