"""Scenario helpers of the INS lifecycle tests: drive the DUI, keep what INSi saw, block on root causes."""

from __future__ import annotations

from typing import Any

from harness.core.findings import Blocked, Severity
from harness.core.ins import Traits
from harness.core.recorder import Exchange, Recorder
from harness.plugin.evidence import Scenario
from harness.suites.identity import identity_blockers
from harness.sut.driver import IdentityDocument, SutDriver

__all__ = ["CNI", "block_on_refused_insi", "data", "lookup", "qualified", "require_established"]

CNI = IdentityDocument("CNI", verified=True)


def lookup(
    name: str, sut: SutDriver, recorder: Recorder, traits: Traits, document: IdentityDocument | None = None
) -> Scenario:
    """Create the person, make the DUI search its INS, read the identity back."""
    since = recorder.mark()
    created = sut.create_person(traits, document)
    person_id = str(created["person_id"])
    outcome = sut.lookup_ins(person_id)
    return Scenario(
        name=name,
        person_id=person_id,
        exchanges=recorder.exchanges(service="INS", since=since),
        data={"lookup": outcome, "identity": sut.identity(person_id), "since": since},
    )


def qualified(name: str, sut: SutDriver, recorder: Recorder, traits: Traits) -> Scenario:
    """A person the DUI qualified (ID card checked, INSi 00); check :func:`require_established` before use."""
    return lookup(name, sut, recorder, traits, CNI)


def require_established(scenario: Scenario, *, status: tuple[str, ...] = ("RECUP", "QUAL")) -> None:
    """Block when the person is not the RECUP/QUAL identity with an INS the scenario needs, because of an INS
    requirement judged elsewhere (INSi refused the DUI's requests, wrong key, wrong INS stored…).

    ``data["qualifying_exchanges"]``, when set, are the INSi exchanges that qualified the person (those after
    them, e.g. a verification, answer for another INS on purpose)."""
    identity = scenario.data.get("identity_before") or scenario.data.get("identity") or {}
    qualifying = scenario.data.get("qualifying_exchanges")
    blocking, why = identity_blockers(identity, qualifying if isinstance(qualifying, list) else scenario.exchanges)
    if blocking:
        raise Blocked(f"{scenario.name}: {why}", blocking)
    if identity.get("status") not in status or not identity.get("ins"):
        raise Blocked(
            f"{scenario.name}: the DUI did not give the person a {'/'.join(status)} identity with its "
            f"INS (status {identity.get('status')}), which EXI SI 07 and INS-RES-01 judge",
            ("EXI SI 07", "INS-RES-01"),
        )


def block_on_refused_insi(scenario: Scenario, exchanges: list[Exchange] | None = None) -> None:
    """Block when INSi refused the DUI's requests (INS-INSI-01 to 05): no INSi answer could be judged."""
    seen = scenario.exchanges if exchanges is None else exchanges
    if any(e.summary.get("cr") for e in seen):
        return
    refused = sorted(
        {
            f.requirement
            for e in seen
            for f in e.findings
            if f.severity is Severity.ERROR and f.requirement.startswith("INS-")
        }
    )
    if refused:
        raise Blocked(
            f"{scenario.name}: INSi refused the DUI's requests, so its answer could not be used", tuple(refused)
        )


def data(scenario: Scenario, key: str) -> dict[str, Any]:
    value = scenario.data.get(key)
    return value if isinstance(value, dict) else {}
