"""TD0.3 positioning the professional's individual access authorisation (SC.DMP/UX.50) over real HTTP.

Good requests (added for an INS of ``td03_grants`` with no authorisation, never past INTERDIT), malformed
ones and hostile XML: a precise fault, nothing granted, and the simulator still answers afterwards.
"""

from __future__ import annotations

import pytest
from lxml import etree

from mocks.dmp import td03
from mocks.dmp.samples import envelope, vihf
from tests.mocks.dmp.conftest import INS, OID, OTHER_INS, Caller
from tests.mocks.dmp.test_dmp_hostile import BOMB, XXE

CTYPE = f'application/soap+xml; action="{td03.ACTION}"'


def _request(patient: str) -> etree._Element:
    body = etree.Element(f"{{{td03.NAMESPACE}}}td03AddAuthorizationRequest", nsmap={"td03": td03.NAMESPACE})
    etree.SubElement(body, f"{{{td03.NAMESPACE}}}patientId").text = patient
    return body


def _post(caller: Caller, body: etree._Element, ins: str = INS) -> tuple[int, bytes, dict[str, str], dict[str, object]]:
    reply = caller.post(envelope(td03.ACTION, body, vihf(ins, OID, signer=caller.signer)), CTYPE, "/dmp/td03")
    return reply.response.status_code, reply.response.content, reply.exchange.tags, reply.exchange.summary


@pytest.mark.parametrize("missing", td03.GRANTABLE)
def test_a_missing_authorisation_is_added_for_a_granted_ins(caller: Caller, missing: str) -> None:
    # given: no authorisation positioned for the professional (NON_EXISTE or EXPIRE), TD0.3 allowed to add it
    caller.sim.update_state({"patients": {INS: missing}, "td03_grants": [INS]})
    # when: the DUI asks TD0.3
    status, content, tags, summary = _post(caller, _request(f"{INS}^^^&{OID}&ISO^NH"))
    # then: added, flagged, and TD0.2 now answers VALIDE
    assert status == 200 and b"AUTORISATION_AJOUTEE" in content
    assert tags["td03"] == "used" and tags["authorisation"] == "added"
    assert summary["td02_before"] == missing and summary["granted_to"]
    assert caller.sim.patient_status(INS, OID)[0] == "VALIDE"
    assert caller.sim.state()["td03_grants"] == [INS]


def test_nothing_is_added_outside_the_grants_or_past_interdit(caller: Caller) -> None:
    caller.sim.update_state({"patients": {INS: "INTERDIT", OTHER_INS: "NON_EXISTE"}, "td03_grants": [INS]})
    status, content, tags, _ = _post(caller, _request(f"{INS}^^^&{OID}&ISO^NH"))
    assert status == 200 and b"REFUSEE_INTERDIT" in content and "authorisation" not in tags
    assert caller.sim.patient_status(INS, OID)[0] == "INTERDIT"  # the person barred the professional
    status, content, tags, _ = _post(caller, _request(f"{OTHER_INS}^^^&{OID}&ISO^NH"), ins=OTHER_INS)
    assert b"REFUSEE_NON_EXISTE" in content and "authorisation" not in tags
    assert caller.sim.patient_status(OTHER_INS, OID)[0] == "NON_EXISTE"


@pytest.mark.parametrize(
    "patient",
    ["", "not-a-cx", f"{INS}^^^&1.2.3.4&ISO^NH", f"{INS}^^^&{OID}&ISO^NH" + "x" * 5000],
    ids=["empty", "not-cx", "foreign-oid", "oversized"],
)
def test_a_malformed_request_gets_a_fault_and_grants_nothing(caller: Caller, patient: str) -> None:
    caller.sim.update_state({"patients": {INS: "NON_EXISTE"}, "td03_grants": [INS]})
    status, content, tags, _ = _post(caller, _request(patient))
    if status == 200:  # a well-formed CX of another authority: answered, never granted
        assert b"AUTORISATION_AJOUTEE" not in content
    else:
        assert status == 400 and b"dmp_td03_request" in content
    assert "authorisation" not in tags
    assert caller.sim.patient_status(INS, OID)[0] == "NON_EXISTE"


def test_a_wrong_body_element_gets_a_fault(caller: Caller) -> None:
    caller.sim.update_state({"patients": {INS: "NON_EXISTE"}, "td03_grants": [INS]})
    status, content, _, _ = _post(caller, etree.Element(f"{{{td03.NAMESPACE}}}td03Other"))
    assert status == 400 and b"td03AddAuthorizationRequest" in content
    assert caller.sim.patient_status(INS, OID)[0] == "NON_EXISTE"


@pytest.mark.parametrize("hostile", [BOMB, XXE], ids=["xml-bomb", "xxe"])
def test_hostile_xml_to_td03_is_refused_before_anything_is_granted(caller: Caller, hostile: bytes) -> None:
    caller.sim.update_state({"patients": {INS: "NON_EXISTE"}, "td03_grants": [INS]})
    reply = caller.post(hostile, CTYPE, "/dmp/td03")
    assert reply.response.status_code == 400 and b"DOCTYPE" in reply.response.content
    assert b"root:" not in reply.response.content  # /etc/passwd never read
    assert caller.sim.patient_status(INS, OID)[0] == "NON_EXISTE"
    # and the simulator still answers a good request
    status, content, _, _ = _post(caller, _request(f"{INS}^^^&{OID}&ISO^NH"))
    assert status == 200 and b"AUTORISATION_AJOUTEE" in content


def test_td03_grants_are_validated_and_reset(caller: Caller) -> None:
    with pytest.raises(ValueError, match="td03_grants"):
        caller.sim.update_state({"td03_grants": "not-a-list"})
    with pytest.raises(ValueError, match="td03_grants"):
        caller.sim.update_state({"td03_grants": [1]})
    caller.sim.update_state({"td03_grants": [INS]})
    caller.sim.reset()
    assert caller.sim.state()["td03_grants"] == []
