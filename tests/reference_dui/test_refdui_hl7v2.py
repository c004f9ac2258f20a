"""The reference DUI's HL7 v2 feature: feed integration rules, ACKs, and its MLLP listener under hostile framing.

The feeds are the simulator's (``mocks.hl7v2.feeds``); the ACKs are read back with hl7apy.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from hl7apy.parser import parse_message

from mocks.hl7v2.feeds import build_feed
from mocks.hl7v2.mllp import MllpDecoder, frame
from reference_dui import DEFECTS
from reference_dui.hl7v2.emit import adt_message
from reference_dui.hl7v2.feeds import FeedStore
from reference_dui.hl7v2.mllp import MllpServer
from reference_dui.identity import Traits
from reference_dui.store import PersonRecord, StoredIns


def _ack(answer: bytes) -> tuple[str, str]:
    ack = parse_message(answer.decode().rstrip("\r"))
    return ack.msa.msa_1.to_er7(), ack.msa.msa_2.to_er7()


def _feed(store: FeedStore, scenario: str, control_id: str = "C1") -> tuple[str, str]:
    return _ack(store.receive(build_feed(scenario, control_id=control_id).payload, False))


def test_known_person_twice_is_one_identity_and_the_homonym_another() -> None:
    store = FeedStore()
    assert _feed(store, "known-person", "C1") == ("AA", "C1")
    assert _feed(store, "known-person-update", "C2") == ("AA", "C2")
    assert _feed(store, "homonym", "C3") == ("AA", "C3")
    identities = store.as_json()
    assert [i["local_ids"] for i in identities] == [["SIH-000101"], ["SIH-000102"]]
    assert identities[0]["messages"] == 2


def test_known_ins_with_other_traits_is_refused_and_nothing_changes() -> None:
    store = FeedStore()
    _feed(store, "known-person")
    assert _feed(store, "ins-traits-differ", "C9")[0] == "AE"
    assert [i["traits"]["birth_name"] for i in store.as_json()] == ["PAT-TROIS"]


def test_a_qualified_status_received_is_stored_provisional() -> None:
    store = FeedStore()
    _feed(store, "qualified-other-domain")
    (identity,) = store.as_json()
    assert (identity["status"], identity["ins"], identity["received_status"]) == ("PROV", None, "QUAL")
    assert identity["received_ins"] == {"value": "190027505612386", "oid": "1.2.250.1.213.1.4.10"}


def test_identifier_change_replaces_the_old_identifier() -> None:
    store = FeedStore()
    store.receive(
        build_feed("known-person", control_id="C1").payload.replace(b"SIH-000101^", b"SIH-000101-ANCIEN^"), False
    )
    assert _feed(store, "identifier-change")[0] == "AA"
    assert [i["local_ids"] for i in store.as_json()] == [["SIH-000101"]]


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (b"", "AR"),
        (b"\xff\xfe binary", "AR"),
        (b"MSH|#~\\&|A|B|C|D|20260101||ADT^A28^ADT_A05|X1|P|2.5\rPID|||1^^^A&1.2&ISO^PI", "AR"),
        (b"MSH|^~\\&|A|B|C|D|20260101||ORU^R01^ORU_R01|X2|P|2.5\rPID|||1^^^A&1.2&ISO^PI", "AR"),
        (b"MSH|^~\\&|A|B|C|D|20260101||ADT^A28^ADT_A05|X3|P|2.5\rEVN||20260101", "AR"),
    ],
)
def test_unreadable_or_unsupported_messages_get_ar(payload: bytes, code: str) -> None:
    assert _ack(FeedStore().receive(payload, False))[0] == code


@pytest.fixture
def listener() -> Iterator[tuple[MllpServer, FeedStore]]:
    store = FeedStore()
    server = MllpServer(store.receive, frame_timeout=2.0, idle_timeout=5.0).start()
    yield server, store
    server.stop()


def _answers(sock: socket.socket, count: int) -> list[bytes]:
    decoder, found = MllpDecoder(1 << 20), list[bytes]()
    while len(found) < count:
        data = sock.recv(65536)
        if not data:
            break
        found += [e.payload for e in decoder.feed(data) if e.kind == "message"]
    return found


def test_noise_and_a_truncated_frame_do_not_stop_the_next_message(listener: tuple[MllpServer, FeedStore]) -> None:
    server, store = listener
    feed = build_feed("known-person", control_id="AFTER").payload
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(bytes(range(1, 11)) + b"\x0b" + feed[:40] + frame(feed))
        (answer,) = _answers(sock, 1)
    assert _ack(answer) == ("AA", "AFTER")
    assert len(store.as_json()) == 1


def test_oversized_frame_gets_ar(listener: tuple[MllpServer, FeedStore]) -> None:
    server, _ = listener
    feed = build_feed("known-person", control_id="BIG").payload
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(frame(feed + b"Z" * (1024 * 1024 + 10)))
        (answer,) = _answers(sock, 1)
    assert _ack(answer) == ("AR", "BIG")


def test_defect_switches_bend_the_rules() -> None:
    store = FeedStore(frozenset({"hl7_keep_qualified", "hl7_ack_own_control_id"}))
    code, echoed = _feed(store, "qualified-other-domain", "C5")
    assert code == "AA" and echoed != "C5"
    assert store.as_json()[0]["status"] == "QUAL"


# -- each hl7_* defect switch changes exactly its own behaviour ----------------------------------

QUALIFIED = PersonRecord(
    "p1",
    Traits("PAT-TROIS", ("DOMINIQUE", "MARIE-LOUISE"), "F", "1979-03-28", "51215"),
    "QUAL",
    local_id="LOC-1",
    ins=StoredIns("279035121518989", "1.2.250.1.213.1.4.10"),
)
RECOVERED = PersonRecord(
    "p2",
    Traits("TESTHL7", ("CAMILLE",), "M", "1990-02-11", "75056"),
    "RECUP",
    local_id="LOC-2",
    ins=StoredIns("190027505612386", "1.2.250.1.213.1.4.10"),
)


def observe(defects: frozenset[str]) -> dict[str, object]:
    """What a partner sees of the DUI's HL7 v2: its ADT messages, its ACKs, what it stores from feeds."""
    _, qualified = adt_message(QUALIFIED, "A28", defects)
    _, recovered = adt_message(RECOVERED, "A28", defects)
    text = qualified.decode()
    segments = [s for s in text.replace("\n", "\r").split("\r") if s]
    pid = next(s for s in segments if s.startswith("PID")).split("|")
    msh = segments[0].split("|")
    store = FeedStore(defects)
    known = _ack(store.receive(build_feed("known-person", control_id="K1").payload, False))
    homonym = _ack(store.receive(build_feed("homonym", control_id="K2").payload, False))
    differ = _ack(store.receive(build_feed("ins-traits-differ", control_id="K3").payload, False))
    qualified_feed = _ack(store.receive(build_feed("qualified-other-domain", control_id="K4").payload, False))
    stored = store.as_json()
    return {
        "emit.separator": "LF" if "\n" in text else "CR",
        "emit.version": msh[11],
        "emit.evn": "EVN" in text,
        "emit.pid3": pid[3],
        "emit.pid11": pid[11],
        "emit.pid32": pid[32],
        "emit.recovered_ins": "^INS" in recovered.decode() or "^NH" in recovered.decode(),
        "ack.echo": (known[1], homonym[1], qualified_feed[1]) == ("K1", "K2", "K4"),
        "ack.refusal": differ[0],
        "feed.identities": len(stored),
        "feed.traits": stored[0]["traits"]["birth_name"],
        "feed.statuses": sorted({i["status"] for i in stored}),
    }


HL7_CLEAN = observe(frozenset())
HL7_CHANGES = {
    "hl7_lf_segments": {"emit.separator"},
    "hl7_msh_version_23": {"emit.version"},
    "hl7_no_evn": {"emit.evn"},
    "hl7_ins_type_nh": {"emit.pid3"},
    "hl7_ins_key_off_by_one": {"emit.pid3"},
    "hl7_ins_unqualified": {"emit.recovered_ins"},
    "hl7_pid32_history": {"emit.pid32"},
    "hl7_no_birth_place": {"emit.pid11"},
    "hl7_ack_own_control_id": {"ack.echo"},
    "hl7_ack_always_aa": {"ack.refusal"},
    "hl7_merge_homonyms": {"feed.identities"},
    "hl7_overwrite_traits": {"ack.refusal", "feed.traits"},
    "hl7_keep_qualified": {"feed.statuses"},
}


def test_the_clean_dui_emits_and_integrates_as_the_rules_say() -> None:
    assert HL7_CLEAN["emit.pid32"] == "QUAL" and HL7_CLEAN["emit.recovered_ins"] is False
    assert "279035121518989^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS" in str(HL7_CLEAN["emit.pid3"])
    assert (HL7_CLEAN["ack.refusal"], HL7_CLEAN["feed.identities"], HL7_CLEAN["feed.statuses"]) == ("AE", 3, ["PROV"])


def test_every_hl7_defect_is_observed() -> None:
    assert set(HL7_CHANGES) == {d for d in DEFECTS if d.startswith("hl7_")}


@pytest.mark.parametrize("defect", sorted(HL7_CHANGES))
def test_hl7_defect_changes_exactly_its_behaviour(defect: str) -> None:
    seen = observe(frozenset({defect}))
    changed = {key for key in HL7_CLEAN if seen[key] != HL7_CLEAN[key]}
    assert changed == HL7_CHANGES[defect], {key: (HL7_CLEAN[key], seen[key]) for key in changed}
