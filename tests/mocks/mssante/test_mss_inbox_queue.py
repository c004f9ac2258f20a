"""The INBOX deliveries of accounts without an IMAP session wait for one (mocks.mssante.inbox, issue 18).

What a client sees must not change: every message, in arrival order, with its delivery time as
internal date; a message delivered while a session is open is seen by that session at once.
"""

from __future__ import annotations

import email.utils
import imaplib
import re
from datetime import UTC, datetime

from harness.pki import TestPki
from mocks.mssante import MssSimulator
from tests.mocks.mssante.conftest import DUI, DUI_PASSWORD, HARNESS, client_context, vsm_message


def _numbered(number: int) -> bytes:
    raw = vsm_message(HARNESS, DUI).raw
    return raw.replace(b"Message-ID: <", f"Message-ID: <queued-{number}.".encode(), 1)


def _message_ids(client: imaplib.IMAP4, count: int) -> list[str]:
    _, data = client.uid("SEARCH", "ALL")
    uids = (data[0] or b"").split()[-count:]
    ids = []
    for uid in uids:
        _, fetched = client.uid("FETCH", uid.decode(), "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        header = next(part[1] for part in fetched if isinstance(part, tuple))
        ids.append(header.decode().split(":", 1)[1].strip())
    return ids


def test_deliveries_wait_for_a_session_and_arrive_in_order_with_their_delivery_time(
    sim: MssSimulator, pki: TestPki
) -> None:
    # given three messages delivered while no IMAP session of the DUI's account is open
    before = sim.inboxes.pending(DUI)
    sent = [_numbered(n) for n in range(3)]
    for raw in sent:
        sim.deliver(raw, sender=HARNESS, recipient=DUI)
    delivered = datetime.now(UTC).replace(microsecond=0)
    assert sim.inboxes.pending(DUI) == before + 3
    # when the DUI logs in over IMAP
    with imaplib.IMAP4_SSL("127.0.0.1", sim.imaps_port, ssl_context=client_context(pki), timeout=15) as client:
        client.login(DUI, DUI_PASSWORD)
        client.select("INBOX")
        ids = _message_ids(client, 3)
        _, data = client.uid("SEARCH", "ALL")
        last = (data[0] or b"").split()[-1].decode()
        _, dates = client.uid("FETCH", last, "(INTERNALDATE)")
    # then it sees them all, in arrival order, dated when they were delivered, and none is left waiting
    assert ids == [f"<queued-{n}.{_id_of(raw)}" for n, raw in enumerate(sent)]
    assert sim.inboxes.pending(DUI) == 0
    found = re.search(rb'INTERNALDATE "([^"]+)"', dates[0] if isinstance(dates[0], bytes) else b"")
    assert found is not None
    internal = email.utils.parsedate_to_datetime(found.group(1).decode().replace("-", " "))
    assert internal <= delivered.astimezone(internal.tzinfo)


def _id_of(raw: bytes) -> str:
    line = next(x for x in raw.split(b"\r\n") if x.startswith(b"Message-ID: <queued-"))
    return line.decode().split(".", 1)[1]


def test_a_delivery_during_an_open_session_is_seen_by_it_at_once(sim: MssSimulator, pki: TestPki) -> None:
    with imaplib.IMAP4_SSL("127.0.0.1", sim.imaps_port, ssl_context=client_context(pki), timeout=15) as client:
        # given an open IMAP session of the DUI's account, its INBOX selected
        client.login(DUI, DUI_PASSWORD)
        _, count = client.select("INBOX")
        # when a message is delivered to it
        sim.deliver(_numbered(9), sender=HARNESS, recipient=DUI)
        # then nothing waits, and the session sees the message on its next command
        assert sim.inboxes.pending(DUI) == 0
        client.noop()
        _, data = client.uid("SEARCH", "ALL")
        assert len((data[0] or b"").split()) == int(count[0] or b"0") + 1
