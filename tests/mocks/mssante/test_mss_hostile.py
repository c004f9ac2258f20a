"""Hostile IMAP/SMTP input through real sockets: a precise answer, and the mail servers keep answering.

Regression tests of issue 17 (defects 1, 2, 7 and 8 on the MSSanté side).
"""

from __future__ import annotations

import smtplib
import socket

import pytest
from pymap.parsing.exceptions import NotParseable

from mocks.mssante import MssSimulator
from mocks.mssante.modutf7 import modutf7_decode


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


@pytest.mark.parametrize(("raw", "text"), [(b"&-", "&"), (b"Envoy&AOk-s", "Envoyés"), (b"INBOX", "INBOX"),
                                            (b"&ZeVnLIqe-", "日本語"), (b"a&-b&AOk-", "a&bé")])
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
