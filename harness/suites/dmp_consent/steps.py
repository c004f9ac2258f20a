"""Steps shared by the consent and historical-feeding scenarios: a person qualified, the quiet bound."""

from __future__ import annotations

from harness.core.recorder import Recorder
from harness.errors import HarnessCheckError
from harness.suites.identity import require_qualified
from harness.suites.ins.persons import TestPerson
from harness.sut.driver import IdentityDocument, SutDriver

__all__ = ["CNI", "QUIET", "qualified"]

CNI = IdentityDocument("CNI", verified=True)
#: seconds the DMP is watched for an exchange that must not come (woken by each exchange, no sleep)
QUIET = 2.0


def qualified(sut: SutDriver, recorder: Recorder, who: TestPerson) -> tuple[str, str]:
    """The person created with an identity document checked and qualified (INSi); her id and INS.

    Blocked by the INS requirement at fault when the DUI could not qualify the person usably.
    """
    if who.ins is None:
        raise HarnessCheckError(f"fixture person {who.id} has no INS")
    since = recorder.mark()
    person_id = str(sut.create_person(who.traits, CNI)["person_id"])
    sut.lookup_ins(person_id)
    identity = sut.identity(person_id)
    require_qualified(recorder, since, identity, f"{who.traits.birth_name} {who.traits.first_names[0]}")
    return person_id, who.ins
