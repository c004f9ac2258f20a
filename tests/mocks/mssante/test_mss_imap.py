"""The IMAP side and the control API of the MSSanté simulator, with Python's standard imaplib and requests."""

from __future__ import annotations

import imaplib
import socket

import pytest
import requests

from harness.pki import TestPki
from mocks.mssante import MssSimulator
from tests.mocks.mssante.conftest import DUI, DUI_PASSWORD, HARNESS, client_context, vsm_message


def _unread(client: imaplib.IMAP4) -> list[bytes]:
    client.select("INBOX")
    _, data = client.uid("SEARCH", "UNSEEN")
    return list((data[0] or b"").split())


def test_starttls_login_and_fetch_is_recorded(sim: MssSimulator, pki: TestPki) -> None:
    # given a document delivered to the DUI's mailbox by another operator (the harness)
    message = vsm_message(HARNESS, DUI, ack=True)
    sim.deliver(message.raw, sender=HARNESS, recipient=DUI)
    since = sim.recorder.mark()
    # when the DUI's client reads it over IMAP with STARTTLS and LOGIN
    with imaplib.IMAP4("127.0.0.1", sim.imap_port, timeout=15) as client:
        assert "STARTTLS" in client.capabilities and "LOGINDISABLED" in client.capabilities
        client.starttls(ssl_context=client_context(pki))
        client.login(DUI, DUI_PASSWORD)
        uids = _unread(client)
        _, fetched = client.uid("FETCH", uids[-1].decode(), "(BODY.PEEK[])")
    # then it gets the message as delivered (with the operator's trace headers) and the fetch is recorded
    raw = next(part[1] for part in fetched if isinstance(part, tuple))
    assert raw.endswith(message.raw) and raw.startswith(b"Return-Path: <")
    (exchange,) = sim.recorder.exchanges(service="MSS", transaction="IMAP FETCH", since=since)
    assert exchange.tags == {"account": DUI, "message_id": message.message_id}
    assert exchange.summary["tls"] is True and exchange.request.body == raw


def test_login_is_refused_in_clear_text(sim: MssSimulator) -> None:
    with imaplib.IMAP4("127.0.0.1", sim.imap_port, timeout=15) as client, pytest.raises(imaplib.IMAP4.error):
        client.login(DUI, DUI_PASSWORD)


def test_imaps_with_sasl_external_and_a_client_certificate(sim: MssSimulator, pki: TestPki) -> None:
    sim.deliver(vsm_message(HARNESS, DUI).raw, sender=HARNESS, recipient=DUI)
    with imaplib.IMAP4_SSL(
        "127.0.0.1", sim.imaps_port, ssl_context=client_context(pki, "client-mss-bal"), timeout=15
    ) as client:
        assert "AUTH=EXTERNAL" in client.capabilities and "STARTTLS" not in client.capabilities
        typ, _ = client.authenticate("EXTERNAL", lambda challenge: b"")
        assert typ == "OK"
        assert _unread(client)


def test_wrong_password_and_unknown_certificate_are_refused(sim: MssSimulator, pki: TestPki) -> None:
    with (
        imaplib.IMAP4_SSL("127.0.0.1", sim.imaps_port, ssl_context=client_context(pki), timeout=15) as client,
        pytest.raises(imaplib.IMAP4.error),
    ):
        client.login(DUI, "wrong")
    with (
        imaplib.IMAP4_SSL(
            "127.0.0.1", sim.imaps_port, ssl_context=client_context(pki, "client-insi-auto"), timeout=15
        ) as client,
        pytest.raises(imaplib.IMAP4.error),
    ):
        client.authenticate("EXTERNAL", lambda challenge: b"")


def test_expunged_messages_stay_in_the_operator_journal(sim: MssSimulator, pki: TestPki) -> None:
    # given a message the DUI deletes from its INBOX
    message = vsm_message(HARNESS, DUI)
    sim.deliver(message.raw, sender=HARNESS, recipient=DUI)
    with imaplib.IMAP4_SSL("127.0.0.1", sim.imaps_port, ssl_context=client_context(pki), timeout=15) as client:
        client.login(DUI, DUI_PASSWORD)
        client.select("INBOX")
        client.store("1:*", "+FLAGS", "(\\Deleted)")
        client.expunge()
        _, data = client.search(None, "ALL")
        assert data[0] == b""
    # then the operator still knows it was delivered (nothing lost for the evidence)
    assert sim.store.messages(DUI, message_id=message.message_id)


def test_garbage_and_broken_tls_do_not_stop_the_imap_server(sim: MssSimulator, pki: TestPki) -> None:
    since = sim.recorder.mark()
    with socket.create_connection(("127.0.0.1", sim.imap_port), timeout=15) as raw:
        raw.recv(200)
        raw.sendall(b"\x00\xff garbage without tag\r\n" * 3 + b"a1 FETCH 1 (BODY[])\r\n")
        assert raw.recv(200)
    with socket.create_connection(("127.0.0.1", sim.imaps_port), timeout=15) as raw:
        raw.sendall(b"a1 LOGIN clear text\r\n")
    assert sim.recorder.wait_for(service="MSS", transaction="TLS", since=since, timeout=15)
    with imaplib.IMAP4_SSL("127.0.0.1", sim.imaps_port, ssl_context=client_context(pki), timeout=15) as client:
        assert client.noop()[0] == "OK"


def test_control_api_directory_deliver_and_mailboxes(sim: MssSimulator) -> None:
    http = requests.Session()
    http.trust_env = False
    http.headers.update(sim.control_headers())
    assert sim.mail_tls is not None and sim.mail_tls.client_ca is not None
    http.verify = str(sim.mail_tls.client_ca)
    base = f"{sim.url}/_harness/mss"
    directory = http.get(f"{base}/directory", timeout=15).json()
    assert {e["kind"] for e in directory["entries"]} == {"personal", "organisational", "applicative"}
    assert http.get(f"{base}/endpoints", timeout=15).json()["ports"]["smtps"] == sim.smtps_port
    message = vsm_message(HARNESS, DUI)
    created = http.post(f"{base}/deliver", params={"from": HARNESS, "to": DUI}, data=message.raw, timeout=15)
    assert created.status_code == 201
    stored_id = created.json()["id"]
    assert http.get(f"{base}/messages/{stored_id}", timeout=15).content == message.raw
    assert any(m["id"] == stored_id for m in http.get(f"{base}/mailboxes/{DUI}", timeout=15).json())
    refused = http.post(f"{base}/deliver", params={"from": HARNESS, "to": "x@gmail.com"}, data=b"x", timeout=15)
    assert refused.status_code == 400 and "directory" in refused.json()["error"]
    assert http.get(f"{base}/messages/nope", timeout=15).status_code == 404
    details = sim.endpoint_details()
    assert details["address"] == DUI and details["smtp_port"] == sim.smtp_port and details["client_cert"]
