"""Hostile IMAP/SMTP input through real sockets: a precise answer, and the mail servers keep answering.

Regression tests of issue 17 (defects 1, 2, 7 and 8 on the MSSanté side).
"""

from __future__ import annotations

import imaplib
import smtplib
import socket
import ssl
from dataclasses import replace

import pytest
from pymap.parsing.exceptions import NotParseable

from harness.pki import TestPki
from mocks.mssante import MssSimulator
from mocks.mssante.modutf7 import modutf7_decode
from tests.mocks.mssante.conftest import DUI, DUI_PASSWORD, client_context


class RawImap:
    """A line-level IMAP client on a plain socket, with a timeout so that a frozen server fails the test."""

    def __init__(self, port: int, timeout: float = 10.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.file = self.sock.makefile("rb")
        self.greeting = self.file.readline()

    def command(self, line: bytes) -> list[bytes]:
        """Send one command line and read until its tagged answer (or the server's BYE and close)."""
        tag = line.split(b" ", 1)[0]
        self.sock.sendall(line + b"\r\n")
        answer: list[bytes] = []
        while True:
            got = self.file.readline()
            if not got:
                return answer
            answer.append(got)
            if got.startswith(tag + b" "):
                return answer

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def _still_answers(sim: MssSimulator) -> None:
    """A normal client still gets IMAP and SMTP answers."""
    imap = RawImap(sim.imap_port)
    try:
        assert imap.greeting.startswith(b"* OK")
        assert imap.command(b"z1 NOOP")[-1].startswith(b"z1 OK")
    finally:
        imap.close()
    with smtplib.SMTP("127.0.0.1", sim.smtp_port, timeout=10) as smtp:
        assert smtp.noop()[0] == 250


@pytest.mark.parametrize("name", [b"&Z", b"&", b"a&AGE", b"&AGE-&"])
def test_unterminated_shift_is_refused_in_one_pass(name: bytes) -> None:
    with pytest.raises(NotParseable, match="modified UTF-7"):
        modutf7_decode(name)


@pytest.mark.parametrize(
    ("raw", "text"),
    [(b"&-", "&"), (b"Envoy&AOk-s", "Envoyés"), (b"INBOX", "INBOX"), (b"&ZeVnLIqe-", "日本語"), (b"a&-b&AOk-", "a&bé")],
)
def test_valid_names_decode_as_rfc3501_says(raw: bytes, text: str) -> None:
    assert modutf7_decode(raw) == text


def test_select_unterminated_shift_gets_bad_and_the_servers_keep_answering(sim: MssSimulator) -> None:
    # given a client that is not logged in
    imap = RawImap(sim.imap_port)
    try:
        # when it selects a mailbox whose modified UTF-7 name never closes its shift (froze pymap 0.36.7)
        answer = imap.command(b'a1 SELECT "&Z"')
    finally:
        imap.close()
    # then it gets a tagged BAD, and IMAP and SMTP still answer other clients
    assert answer and answer[-1].startswith(b"a1 BAD"), answer
    _still_answers(sim)


def test_literal_plus_before_login_is_refused_before_it_is_read(sim: MssSimulator) -> None:
    # given a client that is not logged in, announcing a LITERAL+ of nearly 1 GB
    imap = RawImap(sim.imap_port)
    try:
        imap.sock.sendall(b"a1 LOGIN {999999999+}\r\n")
        # then the server says why and closes, without waiting for (or buffering) the bytes
        answer = imap.file.readline()
        assert answer.startswith(b"* BYE [TOOBIG]") and b"limit exceeded" in answer, answer
        assert imap.file.readline() == b""
    finally:
        imap.close()
    _still_answers(sim)


def test_synchronising_append_literal_before_login_is_refused(sim: MssSimulator) -> None:
    imap = RawImap(sim.imap_port)
    try:
        answer = imap.command(b"a1 APPEND INBOX {200000}")
        assert answer[-1].startswith(b"a1 BAD") and b"limit exceeded" in answer[-1], answer
        assert imap.command(b"a2 NOOP")[-1].startswith(b"a2 OK")
    finally:
        imap.close()
    _still_answers(sim)


def test_search_with_ten_thousand_nested_parentheses_gets_bad_not_serverbug(sim: MssSimulator) -> None:
    imap = RawImap(sim.imap_port)
    try:
        answer = imap.command(b"a1 SEARCH " + b"(" * 10_000 + b"ALL" + b")" * 10_000)
        assert answer[-1].startswith(b"a1 BAD") and b"nested deeper" in answer[-1], answer
        assert imap.command(b"a2 NOOP")[-1].startswith(b"a2 OK")
    finally:
        imap.close()


def test_silent_client_is_disconnected_after_the_idle_timeout(sim: MssSimulator) -> None:
    # given a simulator whose idle timeout is short
    saved = sim.limits
    sim.limits = replace(saved, idle_timeout=0.5)
    try:
        imap = RawImap(sim.imap_port)
        try:
            # when the client says nothing, then the server says goodbye and closes
            assert imap.file.readline().startswith(b"* BYE [UNAVAILABLE]")
            assert imap.file.readline() == b""
        finally:
            imap.close()
    finally:
        sim.limits = saved
    _still_answers(sim)


def test_append_beyond_the_account_quota_gets_overquota(sim: MssSimulator, pki: TestPki) -> None:
    saved = sim.limits
    sim.limits = replace(saved, imap_quota_bytes=4096)
    try:
        with imaplib.IMAP4("127.0.0.1", sim.imap_port, timeout=15) as client:
            client.starttls(ssl_context=client_context(pki))
            client.login(DUI, DUI_PASSWORD)
            # when the DUI appends more than its quota allows
            typ, data = client.append("INBOX", None, None, b"Subject: big\r\n\r\n" + b"x" * 5000)
        # then the append is refused with RFC 9208's OVERQUOTA
        assert typ == "NO" and b"OVERQUOTA" in data[0], data
    finally:
        sim.limits = saved


def test_failed_starttls_handshake_is_recorded(sim: MssSimulator) -> None:
    since = sim.recorder.mark()
    untrusting = ssl.create_default_context()  # does not know the test CA: the client aborts the handshake
    client = imaplib.IMAP4("127.0.0.1", sim.imap_port, timeout=15)
    try:
        with pytest.raises(ssl.SSLError):
            client.starttls(ssl_context=untrusting)
    finally:
        client.sock.close()
    found = sim.recorder.wait_for(service="MSS", transaction="TLS", since=since, timeout=10)
    assert found and found[0].summary["listener"] == "imap STARTTLS", [e.summary for e in found]
    _still_answers(sim)


def test_failed_smtp_starttls_handshake_is_recorded(sim: MssSimulator) -> None:
    since = sim.recorder.mark()
    untrusting = ssl.create_default_context()  # does not know the test CA: the client aborts the handshake
    smtp = smtplib.SMTP("127.0.0.1", sim.smtp_port, timeout=15)
    try:
        smtp.ehlo()
        with pytest.raises((ssl.SSLError, smtplib.SMTPException, ConnectionError)):
            smtp.starttls(context=untrusting)
    finally:
        smtp.close()
    found = sim.recorder.wait_for(service="MSS", transaction="TLS", since=since, timeout=10)
    assert found and found[0].summary["listener"] == "submission STARTTLS", [e.summary for e in found]
    _still_answers(sim)


def test_control_deliver_takes_a_whole_message_other_control_calls_one_mebibyte(sim: MssSimulator) -> None:
    assert sim.control_body_limit("/_harness/mss/deliver") == sim.max_message_bytes + 64 * 1024
    assert sim.control_body_limit("/_harness/faults") == sim.limits.control_body_bytes == 1024 * 1024
