"""Scenarios of the HL7 v2 suite (IHE PAM France identity feeds).

* ``hl7v2_feeds``: the simulator sends its feeds to the DUI's MLLP endpoint, in order: a person
  (A28), the same person again (A31), a homonym, the known INS with other strict traits, a
  *qualifiée* identity from another domain, a merge (A40), an identifier change (A47); then the
  DUI says what it stored (``listHl7v2Identities``).
* ``hl7v2_hostile``: malformed messages, noise and a truncated frame sent to the same endpoint.
* ``hl7v2_emitted``: the DUI qualifies one person (INSi 00 and an ID card) and recovers another
  (INSi 00, no document), then emits A28/A31 for each to the simulator, which judges them.

The persons and scenarios are those of ``fixtures/hl7v2/feed-identities.json`` and of the INSi
identity base.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.core.recorder import Recorder
from harness.plugin.evidence import Scenario
from harness.suites.hl7v2.checks import dui_endpoint
from harness.suites.identity import require_qualified
from harness.suites.ins.persons import person
from harness.sut.driver import IdentityDocument, SutDriver
from mocks.hl7v2.hostile import HOSTILE_CASES
from mocks.hl7v2.service import Hl7v2Service

FEED_ORDER = (
    "known-person",
    "known-person-update",
    "homonym",
    "ins-traits-differ",
    "qualified-other-domain",
    "merge",
    "identifier-change",
)
CNI = IdentityDocument("CNI", verified=True)


def _endpoint(sut: SutDriver) -> dict[str, Any]:
    return dui_endpoint(sut)


@pytest.fixture(scope="session")
def hl7v2_feeds(sut: SutDriver, recorder: Recorder, hl7v2: Hl7v2Service) -> Scenario:
    """The seven feeds sent to the DUI, their ACKs, and the identities it stored."""
    endpoint = _endpoint(sut)
    since = recorder.mark()
    sent, after = {}, {}
    for name in FEED_ORDER:
        sent[name] = hl7v2.send_feed(name, str(endpoint["host"]), int(endpoint["port"]), tls=bool(endpoint.get("tls")))
        after[name] = sut.hl7v2_identities()  # what the DUI holds once this feed is integrated
    return Scenario(
        name="Flux d'identité reçus / identity feeds received",
        exchanges=hl7v2.sent(since),
        data={
            "sent": {name: e.id for name, e in sent.items()},
            "acks": {n: e.summary.get("ack") for n, e in sent.items()},
            "after": after,
            "identities": after[FEED_ORDER[-1]],
        },
    )


@pytest.fixture(scope="session")
def hl7v2_hostile(sut: SutDriver, recorder: Recorder, hl7v2: Hl7v2Service, hl7v2_feeds: Scenario) -> Scenario:
    """The hostile cases sent after the feeds, and what the DUI stored afterwards."""
    endpoint = _endpoint(sut)
    since = recorder.mark()
    for case in HOSTILE_CASES:
        hl7v2.send_hostile(case, str(endpoint["host"]), int(endpoint["port"]), tls=bool(endpoint.get("tls")))
    return Scenario(
        name="Entrées hostiles / hostile input",
        exchanges=hl7v2.sent(since),
        data={"identities": sut.hl7v2_identities()},
    )


@pytest.fixture(scope="session")
def hl7v2_emitted(sut: SutDriver, recorder: Recorder, hl7v2: Hl7v2Service) -> Scenario:
    """BERNARD-ESSAI ANDRE qualified (A28 then A31), LEFEVRE-ESSAI JEANNE recovered only (A28)."""
    _endpoint(sut)
    since = recorder.mark()
    qualified = sut.create_person(person("bernard-andre").traits, CNI)
    qualified_id = str(qualified["person_id"])
    sut.lookup_ins(qualified_id)
    identity = sut.identity(qualified_id)
    require_qualified(recorder, since, identity, "bernard-andre")
    recovered = sut.create_person(person("lefevre-jeanne").traits, None)
    recovered_id = str(recovered["person_id"])
    sut.lookup_ins(recovered_id)
    recovered_identity = sut.identity(recovered_id)
    mark = recorder.mark()
    emissions = [
        sut.hl7v2_emit(qualified_id, "A28"),
        sut.hl7v2_emit(qualified_id, "A31"),
        sut.hl7v2_emit(recovered_id, "A28"),
    ]
    return Scenario(
        name="ADT émis par la DUI / ADT emitted by the DUI",
        person_id=qualified_id,
        exchanges=hl7v2.received(mark),
        data={"emissions": emissions, "qualified": identity, "recovered": recovered_identity},
    )
