"""## Requirements
HL7-ACK-01 (each feed acknowledged, MSA-2 = MSH-10), HL7-FEED-01 (known person: no duplicate;
homonym: never merged), HL7-FEED-02 (known INS with other traits not integrated as is),
HL7-FEED-03 (a *qualifiée* status received is not kept as qualified, rule 30); SC.INS/va1.16.

## Dependencies
HL7 v2 simulator (sends the feeds of ``fixtures/hl7v2/feed-identities.json``, judges the ACKs),
the DUI's MLLP endpoint (trigger API ``getHl7v2Endpoint``), ``listHl7v2Identities``.

## Methodology
Seven feeds in order (A28, A31 of the same person, a homonym, the known INS with other strict
traits, a qualified identity from another domain, A40, A47); then what the DUI stored is read
back and compared with what each rule allows.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.core.findings import Finding
from harness.plugin.evidence import Scenario
from harness.suites.hl7v2.checks import by_local_id, expect
from mocks.hl7v2.feeds import load_feeds

WHERE = "trigger API GET /hl7v2/identities"


def _person(key: str) -> dict[str, Any]:
    person: dict[str, Any] = load_feeds()["persons"][key]
    return person


@pytest.mark.requirement("HL7-ACK-01")
def test_each_feed_is_acknowledged(hl7v2_feeds: Scenario) -> None:
    """An ACK for each of the seven messages: MSA-1 AA/AE/AR, MSA-2 the message's MSH-10, MSH-9 ACK."""
    hl7v2_feeds.assert_no_findings("HL7-ACK-01", "acknowledgments")


@pytest.mark.requirement("HL7-FEED-01")
def test_known_person_updated_and_homonym_kept_apart(hl7v2_feeds: Scenario) -> None:
    """SIH-000101 (A28 then A31) is one identity; the homonym SIH-000102 is another one (right after the
    homonym's feed, and at the end)."""
    known = _person("pat-trois")["local_id"]
    homonym = _person("pat-trois-homonyme")["local_id"]
    findings = []
    for moment, identities in (
        ("homonym", hl7v2_feeds.data["after"]["homonym"]),
        ("end", hl7v2_feeds.data["identities"]),
    ):
        holders = by_local_id(identities, known)
        if len(holders) != 1:
            findings.append(
                Finding(
                    "hl7.feed.duplicate",
                    "HL7-FEED-01",
                    f"{len(holders)} identities hold the sender "
                    f"identifier {known} after an A28 and an A31 for the same person ({moment}); "
                    f"trouvé / found: {[i.get('identity_id') for i in holders]}; attendu / expected: "
                    "exactly one (no duplicate) / doublon",
                    location=WHERE,
                )
            )
        merged = [i for i in holders if homonym in (i.get("local_ids") or [])]
        if merged:
            traits = _person("pat-trois-homonyme")
            findings.append(
                Finding(
                    "hl7.feed.homonym-merged",
                    "HL7-FEED-01",
                    f"the homonym {homonym} "
                    f"({traits['birth_name']} {traits['first_names'][0]}, born {traits['birth_date']}, "
                    f"another INS) was merged into the known person {known} ({moment}); trouvé / "
                    f"found: identity {merged[0].get('identity_id')} holds {merged[0].get('local_ids')}"
                    "; attendu / expected: two distinct identities / homonymes confondus",
                    location=WHERE,
                )
            )
    expect("known person and homonym", findings)


@pytest.mark.requirement("HL7-FEED-02")
def test_known_ins_with_other_traits_is_not_integrated_as_is(hl7v2_feeds: Scenario) -> None:
    """Once that feed is integrated, the stored PAT-TROIS keeps her strict traits and no identity takes the INS
    with the other traits (read right after it: the later A40/A47 of PAT-TROIS could hide an overwrite)."""
    identities = hl7v2_feeds.data["after"]["ins-traits-differ"]
    known, other = _person("pat-trois"), _person("pat-trois-traits-differents")
    findings = []
    for identity in by_local_id(identities, known["local_id"]):
        traits = identity.get("traits") or {}
        stored = (traits.get("birth_name"), traits.get("birth_date"))
        if stored != (known["birth_name"], known["birth_date"]):
            findings.append(
                Finding(
                    "hl7.feed.traits-overwritten",
                    "HL7-FEED-02",
                    f"the feed with INS {other['ins']} "
                    f"and other strict traits changed the stored identity; trouvé / found: {stored}; "
                    f"attendu / expected: {(known['birth_name'], known['birth_date'])} kept until the "
                    "INS is verified with INSi (SC.INS.26.MS1) / traits écrasés",
                    location=WHERE,
                )
            )
    for identity in identities:
        traits = identity.get("traits") or {}
        if traits.get("birth_name") == other["birth_name"] and (identity.get("ins") or {}).get("value") == other["ins"]:
            findings.append(
                Finding(
                    "hl7.feed.ins-taken",
                    "HL7-FEED-02",
                    f"identity {identity.get('identity_id')} "
                    f"({other['birth_name']}, born {other['birth_date']}) holds INS {other['ins']}, "
                    "the INS of another stored identity; attendu / expected: not integrated as is",
                    location=WHERE,
                )
            )
    expect("known INS with other traits", findings)


@pytest.mark.requirement("HL7-FEED-03")
def test_qualified_status_received_is_not_kept(hl7v2_feeds: Scenario) -> None:
    """Every feed said QUAL in PID-32; without its own procedure the DUI stores no identity as qualified."""
    qualified = [i for i in hl7v2_feeds.data["identities"] if i.get("status") == "QUAL"]
    expect(
        "rule 30",
        [
            Finding(
                "hl7.feed.kept-qualified",
                "HL7-FEED-03",
                f"identity {i.get('identity_id')} ({i.get('local_ids')}) is "
                "stored qualified from the PID-32 status of the feed (guide INS rule 30, SC.INS.38/39); trouvé / "
                "found: "
                "QUAL; attendu / expected: PROV (or RECUP after an INSi call), QUAL only after the DUI's own "
                "procedure / "
                "identité qualifiée reçue conservée qualifiée",
                location=WHERE,
            )
            for i in qualified
        ],
    )
