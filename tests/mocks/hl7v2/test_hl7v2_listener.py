"""The HL7 v2 simulator's MLLP listener with a plain socket client: ACKs, and hostile framing.

Every case checks three things: the client gets a clear answer (AA/AE/AR) or the connection is
closed, the simulator still answers a normal message afterwards, and every byte the client sent is
in the recorded exchanges.
"""

from __future__ import annotations

import time

from hl7apy.parser import parse_message

from harness.paths import fixtures_dir
from mocks.hl7v2.app import Hl7v2Simulator
from mocks.hl7v2.mllp import frame
from tests.mocks.hl7v2.conftest import LIMITS, RawClient, exchanges_since

VALID = (fixtures_dir() / "hl7v2" / "valid" / "a28-pat-trois-qualifiee.hl7").read_bytes()
NOT_QUALIFIED = (fixtures_dir() / "hl7v2" / "broken" / "ins-statut-validee.hl7").read_bytes()


def msa(ack: bytes) -> list[str]:
    line = next(s for s in ack.split(b"\r") if s.startswith(b"MSA"))
    return [*line.decode().split("|")[1:3], ""][:2]


def recorded_bytes(exchanges: list) -> int:  # type: ignore[type-arg]
    return sum(len(e.request.body) + int(e.request.header("Skipped-Bytes") or 0) for e in exchanges)


def assert_still_answers(sim: Hl7v2Simulator) -> None:
    fresh = RawClient(sim)
    try:
        [ack] = fresh.send(frame(VALID)).answers(1)
        assert msa(ack) == ["AA", "MSG-A28-0001"]
    finally:
        fresh.close()


def test_valid_message_gets_aa_and_is_recorded(sim: Hl7v2Simulator, client: RawClient) -> None:
    mark = sim.recorder.mark()
    [ack] = client.send(frame(VALID)).answers(1)
    assert msa(ack) == ["AA", "MSG-A28-0001"]
    parsed = parse_message(ack.decode().rstrip("\r"))  # hl7apy reads the simulator's ACK
    assert parsed.msa.msa_1.to_er7() == "AA"
    [exchange] = exchanges_since(sim, mark, 1)
    assert exchange.transaction == "ADT^A28" and exchange.request.body == VALID
    assert exchange.tags == {
        "direction": "from-dui",
        "control_id": "MSG-A28-0001",
        "event": "A28",
        "ins": "279035121518989",
    }
    assert exchange.findings == [] and exchange.response is not None and exchange.response.body == ack


def test_ins_for_a_non_qualified_identity_gets_ae_with_err(sim: Hl7v2Simulator, client: RawClient) -> None:
    [ack] = client.send(frame(NOT_QUALIFIED)).answers(1)
    assert msa(ack) == ["AE", "MSG-A28-0001"]
    err = next(s for s in ack.decode().split("\r") if s.startswith("ERR")).split("|")
    assert err[2] == "PID^1^3^2" and err[3].startswith("207^") and err[4] == "E"
    assert "HL7-INS-03" in err[7] and "EXI SI 08" in err[8]


def test_several_messages_on_one_connection_slowly(sim: Hl7v2Simulator, client: RawClient) -> None:
    wire = frame(VALID) + frame(VALID.replace(b"MSG-A28-0001", b"MSG-A28-0002"))
    for start in range(0, len(wire), 97):  # a client writing in small pieces, within the frame timeout
        client.send(wire[start : start + 97])
    assert [msa(a) for a in client.answers(2)] == [["AA", "MSG-A28-0001"], ["AA", "MSG-A28-0002"]]


def test_no_msh_gets_ar(sim: Hl7v2Simulator, client: RawClient) -> None:
    mark = sim.recorder.mark()
    body = b"PID|||123^^^X^PI\rPV1||N\r"
    [ack] = client.send(frame(body)).answers(1)
    assert msa(ack)[0] == "AR"
    [exchange] = exchanges_since(sim, mark, 1)
    assert exchange.request.body == body and "hl7.msh.missing" in {f.rule for f in exchange.findings}
    assert_still_answers(sim)


def test_wrong_delimiters_get_ar(sim: Hl7v2Simulator, client: RawClient) -> None:
    [ack] = client.send(frame(VALID.replace(b"MSH|^~\\&|", b"MSH|^~\\|"))).answers(1)
    assert msa(ack)[0] == "AR" and b"hl7.msh.delimiters" in ack


def test_binary_noise_is_recorded_then_resync(sim: Hl7v2Simulator, client: RawClient) -> None:
    mark = sim.recorder.mark()
    noise = bytes(range(1, 11)) + b"\xff\xfe garbage"
    [ack] = client.send(noise + frame(VALID)).answers(1)
    assert msa(ack) == ["AA", "MSG-A28-0001"]
    exchanges = exchanges_since(sim, mark, 2)
    assert [e.transaction for e in exchanges] == ["MLLP noise", "ADT^A28"]
    assert exchanges[0].request.body == noise and exchanges[0].findings[0].rule == "mllp.noise"
    assert recorded_bytes(exchanges) == len(noise) + len(VALID)


def test_binary_noise_inside_a_frame_gets_ar(sim: Hl7v2Simulator, client: RawClient) -> None:
    [ack] = client.send(frame(b"\x00\x01\x02\x03binary")).answers(1)
    assert msa(ack) == ["AR", ""] and b"hl7.binary" in ack


def test_truncated_frame_then_a_new_one(sim: Hl7v2Simulator, client: RawClient) -> None:
    mark = sim.recorder.mark()
    cut = VALID[:60]
    answers = client.send(b"\x0b" + cut + frame(VALID)).answers(2)
    assert [msa(a)[0] for a in answers] == ["AR", "AA"]
    exchanges = exchanges_since(sim, mark, 2)
    assert exchanges[0].summary["frame"] == "truncated" and exchanges[0].request.body == cut
    assert "mllp.truncated" in {f.rule for f in exchanges[0].findings}


def test_oversized_message_gets_ar_and_its_size_is_kept(sim: Hl7v2Simulator, client: RawClient) -> None:
    mark = sim.recorder.mark()
    big = VALID + b"NTE|1||" + b"x" * (LIMITS.max_frame * 2) + b"\r"
    [ack] = client.send(frame(big)).answers(1)
    assert msa(ack) == ["AR", "MSG-A28-0001"] and b"mllp.oversized" in ack
    [exchange] = exchanges_since(sim, mark, 1)
    assert len(exchange.request.body) == LIMITS.max_frame and recorded_bytes([exchange]) == len(big)
    assert_still_answers(sim)


def test_frame_cut_by_the_client_closing(sim: Hl7v2Simulator, client: RawClient) -> None:
    mark = sim.recorder.mark()
    client.send(b"\x0b" + VALID[:80])
    client.sock.shutdown(1)  # SHUT_WR: the client leaves mid-frame
    assert client.answers(1) == []
    [exchange] = exchanges_since(sim, mark, 1)
    assert exchange.request.body == VALID[:80] and exchange.response is not None
    assert exchange.response.start_line == "no ACK"
    assert "connection closed" in exchange.findings[0].message


def test_slow_client_is_answered_then_closed(sim: Hl7v2Simulator, client: RawClient) -> None:
    mark = sim.recorder.mark()
    client.send(b"\x0b" + VALID[:90])  # and nothing more: the frame timeout (1 s) runs out
    [ack] = client.answers(1)
    assert msa(ack) == ["AR", "MSG-A28-0001"] and b"timeout" in ack
    assert client.closed_by_server()
    [exchange] = exchanges_since(sim, mark, 1)
    assert exchange.request.body == VALID[:90]
    assert_still_answers(sim)


def test_trickling_bytes_do_not_extend_the_frame_timeout(sim: Hl7v2Simulator, client: RawClient) -> None:
    client.send(b"\x0b" + VALID[:20])
    deadline = time.monotonic() + 10  # bounded loop: one byte every 0.2 s until the server gives up
    closed = False
    for byte in VALID[20:]:
        if time.monotonic() > deadline:
            break
        try:
            client.send(bytes([byte]))
        except OSError:
            closed = True
            break
        time.sleep(0.2)
    answers = [] if closed else client.answers(1)
    assert closed or (answers and msa(answers[0])[0] == "AR")


def test_endless_noise_closes_the_connection(sim: Hl7v2Simulator, client: RawClient) -> None:
    mark = sim.recorder.mark()
    noise = b"\x01" * (LIMITS.max_noise + 10)
    client.send(noise)
    assert client.closed_by_server()
    exchanges = exchanges_since(sim, mark, 1)
    assert {e.transaction for e in exchanges} == {"MLLP noise"}
    assert recorded_bytes(exchanges) >= LIMITS.max_noise
    assert_still_answers(sim)


def test_connections_beyond_the_cap_are_refused_and_recorded() -> None:
    from harness.core.recorder import Recorder
    from mocks.hl7v2.listener import ListenerLimits

    with Hl7v2Simulator(Recorder(), limits=ListenerLimits(max_connections=1, idle_timeout=5)) as small:
        first = RawClient(small)
        try:
            [ack] = first.send(frame(VALID)).answers(1)  # the first connection is open and served
            assert msa(ack)[0] == "AA"
            second = RawClient(small)
            try:
                assert second.closed_by_server()
            finally:
                second.close()
        finally:
            first.close()
        refused = small.recorder.wait_for(service="HL7V2", transaction="MLLP refused", timeout=10)
        assert [f.rule for f in refused[0].findings] == ["mllp.connections"]
