"""Stock mail clients against the MSSanté simulator: regression tests of issue 13 item 6.

Python's imaplib and smtplib, and ``openssl s_client`` and curl when the machine has them, as a DUI's mail
client would use them: a long-lived IMAPS session in IDLE while other clients send mail, SASL
EXTERNAL with an authorization identity after the ``334`` prompt, EXTERNAL offered only to a
client with a certificate, keywords kept, NAMESPACE / SASL-IR / SPECIAL-USE, and every failed
TLS handshake recorded as an exchange.
"""

from __future__ import annotations

import asyncio
import base64
import gc
import imaplib
import shutil
import smtplib
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from harness.pki import TestPki, generate
from mocks.mssante import MssSimulator
from mocks.mssante.tls import SESSIONS, TlsGate, stream_handover
from tests.mocks.mssante.conftest import DOCTOR, DUI, DUI_PASSWORD, HARNESS, client_context, vsm_message


def _imaps(sim: MssSimulator, pki: TestPki, certificate: str | None = None) -> imaplib.IMAP4_SSL:
    return imaplib.IMAP4_SSL("127.0.0.1", sim.imaps_port, ssl_context=client_context(pki, certificate), timeout=15)


def _exists(select: list[bytes | None]) -> int:
    """The message count a SELECT answered."""
    return int(select[0] or b"0")


def _read_until(client: imaplib.IMAP4, marker: bytes, lines: int = 20) -> list[bytes]:
    """Untagged lines read until one contains ``marker`` (bounded: a frozen server fails on the timeout)."""
    seen: list[bytes] = []
    for _ in range(lines):
        line = client.readline()
        assert line, f"EOF from the server after {seen}"
        seen.append(line)
        if marker in line:
            return seen
    raise AssertionError(f"{marker!r} not among {seen}")


# -- long-lived IMAPS sessions ----------------------------------------------------------------


def _collect_garbage() -> None:
    """A full collection, as other traffic triggers one (what earlier tests left unclosed is not reported here)."""
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _unraisable: None
    try:
        gc.collect()
    finally:
        sys.unraisablehook = hook


@pytest.fixture
def echo_gate(pki: TestPki) -> Iterator[int]:
    """A TlsGate listener whose session echoes one line, awaiting a stream nothing else references."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(pki.server_cert), str(pki.server_key))
    loop = asyncio.new_event_loop()
    started = threading.Event()
    port: list[int] = []
    servers: list[asyncio.Server] = []

    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(await reader.readline())
        await writer.drain()
        writer.close()

    async def serve() -> None:
        server = await loop.create_server(
            lambda: TlsGate(context, stream_handover(echo, 1024), lambda *_: None), "127.0.0.1", 0
        )
        servers.append(server)
        port.append(server.sockets[0].getsockname()[1])
        started.set()

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(serve(), loop).result(10)
    assert started.wait(10)
    try:
        yield port[0]
    finally:
        loop.call_soon_threadsafe(servers[0].close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def test_an_implicit_tls_session_is_not_collected_while_it_waits(echo_gate: int, pki: TestPki) -> None:
    # given an implicit-TLS session waiting for its client's line (no timer holds its task)
    with (
        socket.create_connection(("127.0.0.1", echo_gate), timeout=15) as raw,
        client_context(pki).wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        # when the garbage collector runs (as other traffic makes it do)
        for _ in range(3):
            _collect_garbage()
        assert SESSIONS, "the running session's task is held"
        # then the session is still there to answer
        tls.sendall(b"still here\r\n")
        assert tls.recv(64) == b"still here\r\n"


def test_a_long_imaps_idle_session_sees_mail_sent_by_other_clients(sim: MssSimulator, pki: TestPki) -> None:
    # given the DUI's mailbox open over IMAPS, in IDLE
    with _imaps(sim, pki) as client:
        client.login(DUI, DUI_PASSWORD)
        exists = _exists(client.select("INBOX")[1])
        client.send(b"i1 IDLE\r\n")
        assert client.readline().startswith(b"+")
        # when other clients send it mail, over both submission listeners, with collections in between
        for round_ in range(3):
            _collect_garbage()
            message = vsm_message(HARNESS, DUI).raw
            if round_ % 2:
                with smtplib.SMTP("127.0.0.1", sim.smtp_port, timeout=15) as smtp:
                    smtp.starttls(context=client_context(pki, "client-harness"))
                    assert smtp.sendmail(HARNESS, [DUI], message) == {}
            else:
                with smtplib.SMTP_SSL(
                    "127.0.0.1", sim.smtps_port, context=client_context(pki, "client-harness"), timeout=15
                ) as smtp:
                    assert smtp.sendmail(HARNESS, [DUI], message) == {}
            # then each message is announced in the IDLE session
            exists += 1
            _read_until(client, b"* %d EXISTS" % exists)
        client.send(b"DONE\r\n")
        assert _read_until(client, b"i1 ")[-1].startswith(b"i1 OK")
        assert client.noop()[0] == "OK"


def test_idle_outlasts_the_idle_timeout_of_commands(sim: MssSimulator, pki: TestPki) -> None:
    # given a simulator whose clients must send a command every half second, except in IDLE (RFC 2177)
    saved = sim.limits
    sim.limits = replace(saved, idle_timeout=0.5)
    try:
        with _imaps(sim, pki) as client:
            client.login(DUI, DUI_PASSWORD)
            exists = _exists(client.select("INBOX")[1])
            client.send(b"i2 IDLE\r\n")
            assert client.readline().startswith(b"+")
            # when mail arrives after more than that silence
            threading.Event().wait(1.0)
            sim.deliver(vsm_message(HARNESS, DUI).raw, sender=HARNESS, recipient=DUI)
            # then the IDLE session is still open and told
            _read_until(client, b"* %d EXISTS" % (exists + 1))
            client.send(b"DONE\r\n")
            assert _read_until(client, b"i2 ")[-1].startswith(b"i2 OK")
    finally:
        sim.limits = saved


# -- SASL EXTERNAL ----------------------------------------------------------------------------


def test_smtp_auth_external_with_the_authorization_identity_after_the_prompt(sim: MssSimulator, pki: TestPki) -> None:
    with smtplib.SMTP_SSL(
        "127.0.0.1", sim.smtps_port, context=client_context(pki, "client-mss-bal"), timeout=15
    ) as smtp:
        smtp.ehlo()
        # the authorization identity answered to the empty 334 challenge (not as an initial response)
        code, _ = smtp.auth(
            "EXTERNAL",
            lambda challenge=None: DUI if challenge is not None else None,  # type: ignore[arg-type]
            initial_response_ok=False,
        )
        assert code == 235
        assert smtp.sendmail(DUI, [DOCTOR], vsm_message().raw) == {}


def test_smtp_external_is_offered_only_to_a_client_with_a_certificate(sim: MssSimulator, pki: TestPki) -> None:
    with smtplib.SMTP_SSL("127.0.0.1", sim.smtps_port, context=client_context(pki), timeout=15) as smtp:
        smtp.ehlo()
        assert "EXTERNAL" not in smtp.esmtp_features["auth"].split() and "PLAIN" in smtp.esmtp_features["auth"]
        code, _ = smtp.docmd("AUTH", "EXTERNAL =")
        assert code == 504
    with smtplib.SMTP("127.0.0.1", sim.smtp_port, timeout=15) as smtp:
        smtp.starttls(context=client_context(pki, "client-mss-bal"))
        smtp.ehlo()
        assert "EXTERNAL" in smtp.esmtp_features["auth"].split()


def test_imap_external_is_offered_only_to_a_client_with_a_certificate(sim: MssSimulator, pki: TestPki) -> None:
    with _imaps(sim, pki) as client:
        assert "AUTH=EXTERNAL" not in client.capabilities and "AUTH=PLAIN" in client.capabilities
    with imaplib.IMAP4("127.0.0.1", sim.imap_port, timeout=15) as client:
        client.starttls(ssl_context=client_context(pki))
        assert b"AUTH=EXTERNAL" not in client.capability()[1][0]
    with imaplib.IMAP4("127.0.0.1", sim.imap_port, timeout=15) as client:
        client.starttls(ssl_context=client_context(pki, "client-mss-bal"))
        assert b"AUTH=EXTERNAL" in client.capability()[1][0]
        assert client.authenticate("EXTERNAL", lambda challenge: b"")[0] == "OK"


# -- keywords, NAMESPACE, SASL-IR, SPECIAL-USE --------------------------------------------------


def test_keywords_such_as_mdnsent_are_kept(sim: MssSimulator, pki: TestPki) -> None:
    # given a message in the DUI's mailbox
    sim.deliver(vsm_message(HARNESS, DUI).raw, sender=HARNESS, recipient=DUI)
    with _imaps(sim, pki) as client:
        client.login(DUI, DUI_PASSWORD)
        last = str(_exists(client.select("INBOX")[1]))
        assert b"\\*" in client.response("PERMANENTFLAGS")[1][0]
        assert b"\\*" not in client.response("FLAGS")[1][0]
        # when the client marks it $MDNSent (RFC 3503) and a private keyword
        assert client.store(last, "+FLAGS", "($MDNSent DuiIntegre)")[0] == "OK"
    # then another session sees both keywords
    with _imaps(sim, pki) as client:
        client.login(DUI, DUI_PASSWORD)
        client.select("INBOX")
        _, data = client.fetch(last, "(FLAGS)")
        flags = data[0]
        assert isinstance(flags, bytes) and b"$MDNSent" in flags and b"DuiIntegre" in flags


def test_namespace_sasl_ir_and_a_special_use_sent_folder(sim: MssSimulator, pki: TestPki) -> None:
    with _imaps(sim, pki) as client:
        assert {"NAMESPACE", "SASL-IR", "SPECIAL-USE"} <= set(client.capabilities)
        # SASL-IR: the PLAIN credentials in the AUTHENTICATE command itself (RFC 4959)
        initial = base64.b64encode(f"\0{DUI}\0{DUI_PASSWORD}".encode()).decode()
        typ, _ = client._simple_command("AUTHENTICATE", "PLAIN", initial)
        assert typ == "OK"
        client.state = "AUTH"
        assert client.namespace() == ("OK", [b'(("" "/")) NIL NIL'])
        _, folders = client.list()
        assert b'(\\HasNoChildren \\Sent) "/" Sent' in folders
        assert client.select("Sent")[0] == "OK"


def test_sasl_ir_with_a_bad_initial_response_is_refused_and_the_session_goes_on(
    sim: MssSimulator, pki: TestPki
) -> None:
    with _imaps(sim, pki) as client:
        with pytest.raises(imaplib.IMAP4.error):
            client._simple_command("AUTHENTICATE", "PLAIN", "not*base64")
        assert client.noop()[0] == "OK"
        client.login(DUI, DUI_PASSWORD)


# -- failed handshakes --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def other_ca(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("other-ca")).ca_cert


@pytest.mark.parametrize(
    ("listener", "starttls", "recorded_as"),
    [
        ("smtp_port", "smtp", "submission STARTTLS"),
        ("smtps_port", None, "smtps"),
        ("imap_port", "imap", "imap STARTTLS"),
        ("imaps_port", None, "imaps"),
    ],
)
def test_a_handshake_openssl_refuses_is_recorded(
    sim: MssSimulator, other_ca: Path, listener: str, starttls: str | None, recorded_as: str
) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed on this machine")
    # given openssl s_client trusting another CA than the simulator's, aborting on a verification error
    since = sim.recorder.mark()
    command = [
        openssl,
        "s_client",
        "-connect",
        f"127.0.0.1:{getattr(sim, listener)}",
        "-CAfile",
        str(other_ca),
        "-verify_return_error",
        *(["-starttls", starttls] if starttls else []),
    ]
    # when it connects
    done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, timeout=30, check=False)
    # then it fails, and the simulator recorded the failed handshake as an exchange
    assert done.returncode != 0, done.stdout[-500:]
    found = sim.recorder.wait_for(service="MSS", transaction="TLS", since=since, timeout=10)
    assert [e.summary["listener"] for e in found] == [recorded_as], [e.summary for e in found]


# -- curl ---------------------------------------------------------------------------------------


def _curl(pki: TestPki, *args: str) -> subprocess.CompletedProcess[str]:
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed on this machine")
    return subprocess.run(
        [curl, "-sS", "--max-time", "20", "--cacert", str(pki.ca_cert), *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.parametrize("listener", ["imaps", "imap"])
def test_curl_lists_the_folders_over_imaps_and_starttls(sim: MssSimulator, pki: TestPki, listener: str) -> None:
    # given curl logging in with SASL-IR (implicit TLS) or after STARTTLS
    url = f"imaps://127.0.0.1:{sim.imaps_port}/" if listener == "imaps" else f"imap://127.0.0.1:{sim.imap_port}/"
    extra = ["--sasl-ir"] if listener == "imaps" else ["--ssl-reqd"]
    # when it lists the folders
    done = _curl(pki, url, "--user", f"{DUI}:{DUI_PASSWORD}", *extra)
    # then it sees the INBOX and the special-use Sent folder
    assert done.returncode == 0, done.stderr
    assert '* LIST (\\HasNoChildren \\Sent) "/" Sent' in done.stdout and '"/" INBOX' in done.stdout


def test_curl_submits_with_starttls_and_with_its_certificate(sim: MssSimulator, pki: TestPki, tmp_path: Path) -> None:
    message = tmp_path / "message.eml"
    message.write_bytes(vsm_message().raw)
    cert, key = pki.client("client-mss-bal")
    since = sim.recorder.mark()
    # password over STARTTLS, then SASL EXTERNAL over implicit TLS with the mailbox's certificate
    by_password = _curl(
        pki,
        f"smtp://127.0.0.1:{sim.smtp_port}",
        "--ssl-reqd",
        "--user",
        f"{DUI}:{DUI_PASSWORD}",
        "--mail-from",
        DUI,
        "--mail-rcpt",
        DOCTOR,
        "--upload-file",
        str(message),
    )
    by_certificate = _curl(
        pki,
        f"smtps://127.0.0.1:{sim.smtps_port}",
        "--cert",
        str(cert),
        "--key",
        str(key),
        "--login-options",
        "AUTH=EXTERNAL",
        "--user",
        f"{DUI}:",
        "--mail-from",
        DUI,
        "--mail-rcpt",
        DOCTOR,
        "--upload-file",
        str(message),
    )
    assert by_password.returncode == 0, by_password.stderr
    assert by_certificate.returncode == 0, by_certificate.stderr
    recorded = sim.recorder.exchanges(service="MSS", transaction="SMTP", since=since)
    assert [(e.summary["tls_mode"], e.summary["account"], e.summary["reply"][:3]) for e in recorded] == [
        ("starttls", DUI, "250"),
        ("implicit", DUI, "250"),
    ]


def test_curl_authenticates_over_imaps_with_external_and_an_initial_response(sim: MssSimulator, pki: TestPki) -> None:
    cert, key = pki.client("client-mss-bal")
    done = _curl(
        pki,
        f"imaps://127.0.0.1:{sim.imaps_port}/INBOX",
        "--cert",
        str(cert),
        "--key",
        str(key),
        "--login-options",
        "AUTH=EXTERNAL",
        "--sasl-ir",
        "--user",
        f"{DUI}:",
        "--request",
        "NAMESPACE",
    )
    assert done.returncode == 0, done.stderr
    assert '* NAMESPACE (("" "/")) NIL NIL' in done.stdout
