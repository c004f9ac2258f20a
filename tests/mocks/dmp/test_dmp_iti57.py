"""ITI-57 Update Document Set over real HTTP: masking by a new metadata version, status changes, errors."""

from __future__ import annotations

import uuid

from lxml import etree

from harness.validators.xds.ebrim import ASSOC_HAS_MEMBER, ASSOC_UPDATE_STATUS, NS, SS
from mocks.dmp.samples import envelope, iti18_request, iti43_request, metadata_for, vihf
from tests.mocks.dmp.conftest import INS, OID, Caller, document

RIM, LCM = NS["rim"], NS["lcm"]
ACTION = "urn:ihe:iti:2010:UpdateDocumentSet"
ARCHIVED = "urn:asip:ci-sis:2010:StatusType:Archived"


def _slot(parent: etree._Element, name: str, value: str) -> None:
    slot = etree.SubElement(parent, f"{{{RIM}}}Slot", name=name)
    etree.SubElement(etree.SubElement(slot, f"{{{RIM}}}ValueList"), f"{{{RIM}}}Value").text = value


def _update(caller: Caller, build: object) -> object:
    body = etree.Element(f"{{{LCM}}}SubmitObjectsRequest", nsmap={"lcm": LCM, "rim": RIM})
    objects = etree.SubElement(body, f"{{{RIM}}}RegistryObjectList")
    ss = etree.SubElement(objects, f"{{{RIM}}}RegistryPackage", id="SS")
    _slot(ss, "submissionTime", "20260101120000")
    author = etree.SubElement(
        ss,
        f"{{{RIM}}}Classification",
        classificationScheme=SS.AUTHOR,
        classifiedObject="SS",
        nodeRepresentation="",
        id="a1",
    )
    _slot(author, "authorPerson", "899900000011^URGENTISTE-ESSAI^Camille^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS")
    content = etree.SubElement(
        ss,
        f"{{{RIM}}}Classification",
        classificationScheme=SS.CONTENT_TYPE,
        classifiedObject="SS",
        nodeRepresentation="04",
        id="c1",
    )
    _slot(content, "codingScheme", "1.2.250.1.213.1.1.4.2.2")
    for scheme, value in (
        (SS.UNIQUE_ID, f"2.25.{uuid.uuid4().int}"),
        (SS.SOURCE_ID, "1.2.250.1.213.1.1.9.99"),
        (SS.PATIENT_ID, f"{INS}^^^&{OID}&ISO^NH"),
    ):
        etree.SubElement(
            ss,
            f"{{{RIM}}}ExternalIdentifier",
            identificationScheme=scheme,
            registryObject="SS",
            value=value,
            id=f"e{uuid.uuid4().hex[:6]}",
        )
    etree.SubElement(
        objects,
        f"{{{RIM}}}Classification",
        id="n1",
        classifiedObject="SS",
        classificationNode="urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd",
    )
    build(objects)  # type: ignore[operator]
    soap = envelope(ACTION, body, vihf(INS, OID, signer=caller.signer))
    return caller.post(soap, f'application/soap+xml; action="{ACTION}"', "/dmp/registry")


def test_masking_is_a_new_version(caller: Caller) -> None:
    cda = document("N1")
    first = caller.submit(cda).exchange.summary["registered"][0]

    def new_version(objects: etree._Element, previous: str = "1") -> None:
        metadata_for(objects, cda, "NewVersion", extra_confidentiality=("MASQUE_PS", "INVISIBLE_PATIENT"))
        objects.find(f"{{{RIM}}}ExtrinsicObject").set("lid", first["entry_uuid"])
        assoc = etree.SubElement(
            objects,
            f"{{{RIM}}}Association",
            id="as1",
            associationType=ASSOC_HAS_MEMBER,
            sourceObject="SS",
            targetObject="NewVersion",
        )
        _slot(assoc, "SubmissionSetStatus", "Original")
        _slot(assoc, "PreviousVersion", previous)

    reply = _update(caller, new_version)
    assert reply.status == "Success", reply.exchange.summary  # type: ignore[attr-defined]
    versions = caller.sim.registry.entries_by_unique_id(first["unique_id"])
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].status.endswith("Deprecated") and versions[1].status.endswith("Approved")
    assert {c.split("^")[0] for c in versions[1].confidentiality} == {"N", "MASQUE_PS", "INVISIBLE_PATIENT"}
    # a stale PreviousVersion is refused and changes nothing
    stale = _update(caller, new_version)
    assert stale.codes == ["XDSMetadataVersionError"]  # type: ignore[attr-defined]
    assert len(caller.sim.registry.entries_by_unique_id(first["unique_id"])) == 2


def test_status_change_and_errors(caller: Caller) -> None:
    first = caller.submit(document("VSM")).exchange.summary["registered"][0]

    def archive(
        objects: etree._Element,
        original: str = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved",
        target: str = first["entry_uuid"],
    ) -> None:
        assoc = etree.SubElement(
            objects,
            f"{{{RIM}}}Association",
            id="up1",
            associationType=ASSOC_UPDATE_STATUS,
            sourceObject="SS",
            targetObject=target,
        )
        _slot(assoc, "OriginalStatus", original)
        _slot(assoc, "NewStatus", ARCHIVED)

    assert _update(caller, archive).status == "Success"  # type: ignore[attr-defined]
    assert caller.sim.registry.entry(first["entry_uuid"]).status == ARCHIVED  # type: ignore[union-attr]
    assert _update(caller, archive).codes == ["XDSMetadataUpdateError"]  # type: ignore[attr-defined]
    unknown = _update(caller, lambda objects: archive(objects, target="urn:uuid:00000000-0000-4000-8000-00000000000a"))
    assert unknown.codes == ["XDSMetadataUpdateError"]  # type: ignore[attr-defined]
    assert _update(caller, lambda objects: None).codes == ["XDSMetadataUpdateError"]  # type: ignore[attr-defined]


def test_a_deleted_document_is_found_and_retrieved_no_more(caller: Caller) -> None:
    # given a registered VSM, deleted (TD3.3c modelled as an ITI-57 status update to Deleted)
    first = caller.submit(document("VSM")).exchange.summary["registered"][0]
    deleted = "urn:asip:ci-sis:2010:StatusType:Deleted"

    def delete(objects: etree._Element) -> None:
        assoc = etree.SubElement(
            objects,
            f"{{{RIM}}}Association",
            id="del1",
            associationType=ASSOC_UPDATE_STATUS,
            sourceObject="SS",
            targetObject=first["entry_uuid"],
        )
        _slot(assoc, "OriginalStatus", "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved")
        _slot(assoc, "NewStatus", deleted)

    assert _update(caller, delete).status == "Success"  # type: ignore[attr-defined]
    assert caller.sim.registry.entry(first["entry_uuid"]).status == deleted  # type: ignore[union-attr]
    # then no query returns it, even asked by its entryUUID, and the repository does not give it
    body, ctype = iti18_request(
        "urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4",
        {"$XDSDocumentEntryEntryUUID": [f"('{first['entry_uuid']}')"]},
        ins=INS,
        oid=OID,
        signer=caller.signer,
    )
    assert caller.post(body, ctype, "/dmp/registry").exchange.summary["documents"] == []
    body, ctype = iti43_request(caller.sim.repository_id, [first["unique_id"]], ins=INS, oid=OID, signer=caller.signer)
    assert caller.post(body, ctype).codes == ["XDSMissingDocument"]


def test_td03_is_offered_answered_and_flagged(caller: Caller) -> None:
    namespace = "urn:dui-harness:dmp:td03:1"
    request = etree.Element(f"{{{namespace}}}td03AddAuthorizationRequest", nsmap={"td03": namespace})
    etree.SubElement(request, f"{{{namespace}}}patientId").text = f"{INS}^^^&{OID}&ISO^NH"
    action = "urn:dui-harness:dmp:td03AddAuthorization"
    reply = caller.post(
        envelope(action, request, vihf(INS, OID, signer=caller.signer)),
        f'application/soap+xml; action="{action}"',
        "/dmp/td03",
    )
    assert reply.exchange.transaction == "TD0.3" and reply.exchange.tags["td03"] == "used"
    assert b"AUTORISATION_AJOUTEE" in reply.response.content
    caller.sim.update_state({"patients": {INS: "EXPIRE"}})
    again = caller.post(
        envelope(action, request, vihf(INS, OID, signer=caller.signer)),
        f'application/soap+xml; action="{action}"',
        "/dmp/td03",
    )
    assert b"REFUSEE_EXPIRE" in again.response.content
    assert caller.sim.patient_status(INS, OID)[0] == "EXPIRE"  # the status set by the scenario is kept
    bad = caller.post(
        envelope(action, etree.Element(f"{{{namespace}}}other"), vihf(INS, OID, signer=caller.signer)),
        f'application/soap+xml; action="{action}"',
        "/dmp/td03",
    )
    assert bad.response.status_code == 400 and b"td03" in bad.response.content
