"""## Requirements
DMP-UPD-01 (replacement by a new version, RPLC), DMP-UPD-02 (masking from professionals and
invisibility to the patient, ITI-57).

## Dependencies
DMP simulator (registry with versions and statuses); the DUI publishes a DLU then replaces it,
and publishes an N1 then masks it.

## Methodology
Replacement: the new CDA keeps the setId, increments versionNumber and carries relatedDocument
RPLC to the previous id; the ITI-41 carries an RPLC association to the previous entryUUID; the
DMP then holds the previous entry as Deprecated. Masking: an ITI-57 update reaches the DMP and
is accepted; the current entry then carries MASQUE_PS and INVISIBLE_PATIENT.
"""

from __future__ import annotations

import pytest
from lxml import etree

from harness.core.findings import Finding
from harness.plugin.evidence import Scenario
from harness.suites.dmp.checks import (
    expect,
    require,
    require_accepted,
    require_first_published,
    rplc_targets,
    submissions,
)
from harness.validators.cda.pack import CdaPack
from harness.validators.xds.ebrim import STATUS_DEPRECATED
from mocks.common.simulator import Simulator
from mocks.dmp import DmpSimulator

CDA = {"cda": "urn:hl7-org:v3"}


def _first(root: etree._Element | None, xpath: str) -> str:
    found = root.xpath(xpath, namespaces=CDA) if root is not None else []
    return str(found[0]) if isinstance(found, list) and found else ""


@pytest.mark.requirement("DMP-UPD-01")
def test_replacement_is_a_new_version_with_rplc(replaced: Scenario, dmp: Simulator, cda_pack: CdaPack | None) -> None:
    """New version: same setId, version + 1, relatedDocument RPLC, RPLC association; the old one Deprecated."""
    first = replaced.data["first"]
    require_first_published(replaced, "DMP-UPD-01")
    first_ids = set(replaced.data["first_exchanges"])
    pairs = [(e, r) for e, r in submissions(replaced, "DMP-UPD-01", cda_pack) if e.id not in first_ids]
    if not pairs:
        expect(
            "Remplacement / replacement",
            [
                Finding(
                    "dmp.upd.none",
                    "DMP-UPD-01",
                    "the DUI sent no ITI-41 for the new version",
                    location="DMP simulator /dmp/repository",
                )
            ],
        )
    findings = []
    for exchange, report in pairs:
        targets = rplc_targets(report)
        if first.get("entry_uuid") and first["entry_uuid"] not in targets:
            findings.append(
                Finding(
                    "dmp.upd.rplc",
                    "DMP-UPD-01",
                    f"the new version's ITI-41 has no RPLC association "
                    f"to the previous entry {first.get('entry_uuid')} (found: {targets or 'none'})",
                    location=f"exchange {exchange.id} rim:Association",
                )
            )
        for cda in report.cda.values():
            root = cda.root
            if _first(root, "cda:setId/@root") != first.get("set_id"):
                findings.append(
                    Finding(
                        "dmp.upd.set_id",
                        "DMP-UPD-01",
                        "the new version changes the setId",
                        location="/ClinicalDocument/setId",
                    )
                )
            if _first(root, "cda:versionNumber/@value") != str(int(first.get("version") or 1) + 1):
                findings.append(
                    Finding(
                        "dmp.upd.version",
                        "DMP-UPD-01",
                        "versionNumber is not the previous one + 1",
                        location="/ClinicalDocument/versionNumber",
                    )
                )
            parent = _first(root, "cda:relatedDocument[@typeCode='RPLC']/cda:parentDocument/cda:id/@root")
            if parent != first.get("document_id"):
                findings.append(
                    Finding(
                        "dmp.upd.related",
                        "DMP-UPD-01",
                        f"relatedDocument RPLC names {parent!r}, not the replaced document {first.get('document_id')}",
                        location="/ClinicalDocument/relatedDocument",
                    )
                )
    expect("Remplacement / replacement", findings)
    require_accepted(replaced, [e for e, _ in pairs])
    assert isinstance(dmp, DmpSimulator)
    old = dmp.registry.entry(str(first.get("entry_uuid")))
    if old is not None and old.status != STATUS_DEPRECATED:
        expect(
            "Remplacement / replacement",
            [
                Finding(
                    "dmp.upd.not_deprecated",
                    "DMP-UPD-01",
                    f"the previous entry is still {old.status} in the DMP",
                    location=f"DMP registry {old.entry_uuid}",
                )
            ],
        )


@pytest.mark.requirement("DMP-UPD-02")
def test_masking_and_invisibility_by_metadata_update(masked: Scenario, dmp: Simulator) -> None:
    """ITI-57 accepted; the document is then masked from professionals and invisible to the patient."""
    require_first_published(masked, "DMP-UPD-02")
    updates = require(masked, "ITI-57", "DMP-UPD-02")
    findings = [
        Finding(f.rule, "DMP-UPD-02", f"[{f.requirement}] {f.message}", f.severity, f.location, (f"exchange {e.id}",))
        for e in updates
        for f in e.findings
        if f.severity.value == "error"
    ]
    expect("Masquage / masking (ITI-57)", findings)
    require_accepted(masked, updates)
    assert isinstance(dmp, DmpSimulator)
    document_id = str(masked.data["publication"].get("document_id"))
    current = [e for e in dmp.registry.entries_by_unique_id(document_id) if e.status.endswith("Approved")]
    codes = {c.split("^")[0] for e in current for c in e.confidentiality}
    missing = {"MASQUE_PS", "INVISIBLE_PATIENT"} - codes
    if missing:
        expect(
            "Masquage / masking (ITI-57)",
            [
                Finding(
                    "dmp.upd.codes",
                    "DMP-UPD-02",
                    f"the current entry of {document_id} lacks {', '.join(sorted(missing))}",
                    location="DMP registry confidentialityCode",
                )
            ],
        )
