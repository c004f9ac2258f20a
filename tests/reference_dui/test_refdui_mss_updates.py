"""Received updates and deletions: what the harness sends and what the reference DUI reads and keeps."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

from harness.suites.mss.documents import cda_for, mss_person
from harness.suites.mss.messages import document_message
from harness.suites.mss.updates import document_id_of, new_version
from harness.validators.safexml import parse_xml
from reference_dui.mssante.correspondents import Correspondents
from reference_dui.mssante.updates import DocumentLifecycle, deleted_ids, replaced_id
from reference_dui.store import Store

SENDER, DUI = "documents.sortants@chu-essai.mssante.fr", "dui.reference@ehpad-essai.mssante.fr"


def _parsed(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, _class=EmailMessage, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_a_new_version_names_the_replaced_document() -> None:
    # given a biology report, when the harness writes its next version
    first = cda_for("cr-bio", mss_person("mss-roux-helene"))
    second = new_version(first)
    # then it has a new id, version 2 of the same set, and relatedDocument RPLC naming the first
    assert document_id_of(second) != document_id_of(first)
    assert replaced_id(second) == document_id_of(first) and replaced_id(first) is None
    root = parse_xml(second)
    ns = {"c": "urn:hl7-org:v3"}
    assert root.xpath("string(c:versionNumber/@value)", namespaces=ns) == "2"
    names = [child.tag.rpartition("}")[2] for child in root]
    assert names.index("relatedDocument") < names.index("componentOf")  # CDA R2 header order


def test_a_deletion_is_read_from_the_xdm_status() -> None:
    document = cda_for("vsm", mss_person("mss-roux-helene"))
    deletion = document_message(SENDER, DUI, [document], acknowledgement=False, deprecated=True)
    plain = document_message(SENDER, DUI, [document], acknowledgement=False)
    assert deleted_ids(_parsed(deletion.raw)) == {document_id_of(document)}
    assert deleted_ids(_parsed(plain.raw)) == set()


def test_changes_are_flagged_and_traced_unless_the_defect() -> None:
    lifecycle = DocumentLifecycle(Store())
    lifecycle.change("1.2^A", "p1", "replaced", "<m1@x>", by="1.2^B", traced=True)
    lifecycle.change("1.2^C", "p1", "deleted", "<m2@x>", by=None, traced=False)
    listed = lifecycle.with_status("p1", [{"document_id": "1.2^A"}, {"document_id": "1.2^B"}, {"document_id": "1.2^C"}])
    assert [d["status"] for d in listed] == ["replaced", "current", "deleted"]
    (traced,) = lifecycle.trace()
    assert (traced["document_id"], traced["action"], traced["replaced_by"]) == ("1.2^A", "replaced", "1.2^B")


def test_the_record_keeps_every_correspondent_unless_the_defect() -> None:
    given = {"correspondents": [{"name": f"C{n}", "address": f"c{n}@chu-essai.mssante.fr"} for n in range(12)]}
    kept = Correspondents()
    kept.record("p1", given, set())
    kept.record("p2", given, {"mss_correspondents_max_5"})
    assert len(kept.of("p1")) == 12 and len(kept.of("p2")) == 5
