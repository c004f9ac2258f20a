"""The trigger API client never reuses a keep-alive connection after a pause (``TriggerClient.idle_reuse``): a
server closing its idle connection just as a call is sent on it would make a conformant DUI look unreachable."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harness.errors import SutUnreachable
from harness.sut.trigger_client import TriggerClient


class _FirstRequestOnly(BaseHTTPRequestHandler):
    """Answers the first request of each connection; closes the connection on any later one without answering,
    as a server does when it closes an idle keep-alive connection at the moment the next request arrives."""

    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.answered = 0

    def do_GET(self) -> None:
        if self.answered:
            self.close_connection = True
            return
        self.answered += 1
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def server_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FirstRequestOnly)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_a_call_after_a_pause_opens_a_new_connection(server_url: str) -> None:
    # given a client for which every call comes after a pause (idle_reuse 0: each call is "after a pause")
    client = TriggerClient(server_url, timeout=5)
    client.idle_reuse = 0.0
    try:
        # then each call gets its answer on a connection of its own, never on one the server has closed
        assert client._call("GET", "/a") == {"ok": True}
        assert client._call("GET", "/b") == {"ok": True}
    finally:
        client.close()


def test_a_closed_keep_alive_connection_reused_gets_no_answer(server_url: str) -> None:
    # given a client that reuses its connection (calls in quick succession)
    client = TriggerClient(server_url, timeout=5)
    client.idle_reuse = 3600.0
    try:
        assert client._call("GET", "/a") == {"ok": True}
        # then a request on the connection the server closes gets no answer: what the pause rule avoids
        with pytest.raises(SutUnreachable):
            client._call("GET", "/b")
    finally:
        client.close()
