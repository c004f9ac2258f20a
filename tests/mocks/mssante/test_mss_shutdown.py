"""The operator simulator stops on its events (sessions ended, sockets closed), not after a fixed pause."""

from __future__ import annotations

import asyncio
import imaplib
import smtplib
import socket

import pytest

from harness.core.recorder import Recorder
from mocks.common.server import LOOPBACK
from mocks.mssante import MssSimulator
from mocks.mssante.shutdown import released


def test_open_sessions_are_ended_when_the_simulator_stops() -> None:
    sim = MssSimulator(Recorder()).start()
    smtp = smtplib.SMTP(LOOPBACK, sim.smtp_port, timeout=5)
    imap = imaplib.IMAP4(LOOPBACK, sim.imap_port, timeout=5)
    try:
        smtp.ehlo("client.test")
        sim.stop()
        with pytest.raises(smtplib.SMTPServerDisconnected):
            smtp.noop()
        with pytest.raises((imaplib.IMAP4.abort, OSError)):
            imap.noop()
    finally:
        smtp.close()
        imap.shutdown()


def test_released_returns_once_the_cancelled_tasks_ended_and_the_sockets_closed() -> None:
    async def scenario() -> tuple[bool, int]:
        loop = asyncio.get_running_loop()
        server_side, client_side = socket.socketpair()
        transport, _ = await loop.connect_accepted_socket(asyncio.Protocol, server_side)
        session = loop.create_task(asyncio.sleep(3600))
        transport.close()
        session.cancel()
        await released([session], [transport], limit=30.0)
        client_side.close()
        return session.cancelled(), transport.get_extra_info("socket").fileno()

    cancelled, fileno = asyncio.run(scenario())
    assert cancelled
    assert fileno == -1
