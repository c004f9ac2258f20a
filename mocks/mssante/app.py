"""The MSSanté operator simulator: SMTP (aiosmtpd) and IMAP (pymap) on loopback, one recorder.

:class:`MssSimulator` is a :class:`~mocks.common.simulator.Simulator`: its HTTP server serves
only the control API (``/_harness/...``, with ``/_harness/mss/...`` for mailboxes and
deliveries); the mail servers run on their own event loop thread:

==========  =============================================================  ===============
listener    protocol                                                       attribute
==========  =============================================================  ===============
submission  SMTP, STARTTLS required, then AUTH (or client certificate)     ``smtp_port``
smtps       SMTP over implicit TLS                                          ``smtps_port``
imap        IMAP4rev1, STARTTLS required before authentication              ``imap_port``
imaps       IMAP4rev1 over implicit TLS                                      ``imaps_port``
==========  =============================================================  ===============

Without TLS settings (``--dui-no-tls``) only plain submission and IMAP run, authentication
is then allowed in clear text and every exchange carries a warning.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pymap.backend.dict.filter import FilterSet
from pymap.backend.dict.mailbox import MailboxSet
from pymap.user import UserMetadata
from starlette.routing import BaseRoute, Route

from harness.core.recorder import Recorder
from harness.errors import SimulatorError
from harness.validators.cda.pack import CdaPack
from harness.validators.mail import MailReport, validate_message
from mocks.common.limits import LimitExceeded
from mocks.common.pipeline import JUDGING_THREADS, Answer, Call
from mocks.common.server import LOOPBACK, TlsSettings
from mocks.common.simulator import Simulator
from mocks.mssante.annuaire import EXTRACTION_PATH, extraction
from mocks.mssante.auth_oauth import BearerCheck, LpsMailboxes
from mocks.mssante.autoconfig import AUTOCONFIG_PATH, autoconfig_answer
from mocks.mssante.client_hello import HelloLog, watch
from mocks.mssante.control import mss_routes
from mocks.mssante.directory import Directory, default_directory_file
from mocks.mssante.imap import ImapBackend, imap_callback
from mocks.mssante.imap_ext import SPECIAL_USE
from mocks.mssante.inbox import InboxQueue
from mocks.mssante.mailstore import MailStore, StoredMessage
from mocks.mssante.recording import MailRecording
from mocks.mssante.shutdown import released
from mocks.mssante.smtp import MssSmtp, MssSmtpHandler
from mocks.mssante.tls import TlsGate, stream_handover

if TYPE_CHECKING:
    from aiosmtpd.smtp import Envelope, Session

__all__ = ["MssSimulator"]

SERVICE = "MSS"
#: aiosmtpd logs every session at INFO and a deprecation notice at WARNING on each AUTH
logging.getLogger("mail.log").setLevel(logging.ERROR)


def _listen(port: int, name: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((LOOPBACK, port))
    except OSError as exc:
        sock.close()
        raise SimulatorError(
            f"simulateur MSSanté ({name}) : écoute impossible / MSSante simulator: cannot listen on "
            f"{LOOPBACK}:{port} ({exc})",
            tip="choose another port, or 0 for a free one / choisissez un autre port",
        ) from exc
    sock.listen(64)
    sock.setblocking(False)
    return sock


def server_context(tls: TlsSettings) -> ssl.SSLContext:
    """TLS 1.2+ server context asking (not requiring) a client certificate of the test CA."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(tls.certfile), str(tls.keyfile))
    if tls.client_ca is not None:
        context.load_verify_locations(str(tls.client_ca))
        context.verify_mode = ssl.CERT_OPTIONAL
    return context


class MssSimulator(Simulator, MailRecording):
    """Simulated MSSanté operator.

    Args:
        recorder: the run's shared recorder.
        port: control API port (0: free).
        tls: server certificate and client CA; None for clear-text mail (warnings recorded).
        smtp_port, smtps_port, imap_port, imaps_port: mail listener ports (0: free).
        directory: the test directory (default: ``fixtures/mssante/annuaire.json``).
        max_message_bytes: SIZE limit of a message (SMTP 552 beyond it).
        store_bytes: storage of the whole operator (SMTP 452 beyond it).
        dui_certificate: ``(cert, key)`` of the test PKI certificate of the DUI's mailbox, told to a
            DUI through ``PUT /config/endpoints``.
        server_tls: the mail listeners' TLS context in place of the one built from ``tls`` (an
            operator presenting a weak configuration, :mod:`mocks.mssante.server_tls`).
        crl_url: where the test CA's CRL is published, told to a DUI in its ``mssante`` entry.
    """

    service = SERVICE
    allowed_methods = ("GET",)  # the pipeline serves the Annuaire Santé extraction only
    fault_kinds = ("smtp_reply",)

    def __init__(
        self,
        recorder: Recorder,
        *,
        port: int = 0,
        tls: TlsSettings | None = None,
        smtp_port: int = 0,
        smtps_port: int = 0,
        imap_port: int = 0,
        imaps_port: int = 0,
        directory: Directory | None = None,
        max_message_bytes: int = 20 * 1024 * 1024,
        store_bytes: int = 256 * 1024 * 1024,
        dui_certificate: tuple[Path, Path] | None = None,
        server_tls: ssl.SSLContext | None = None,
        crl_url: str | None = None,
        cda_pack: CdaPack | None = None,
    ) -> None:
        #: the run's official CI-SIS pack: the attached CDA documents are judged with it, once (issue 10)
        self.cda_pack = cda_pack
        self.dui_certificate = dui_certificate
        self.crl_url = crl_url
        #: the API LPS mailboxes opened with a Pro Santé Connect token, and the operator's token check
        self.lps = LpsMailboxes.load()
        self.directory = self.lps.extend(directory or Directory.load())
        self.bearer = BearerCheck(self.lps)  # no PSC linked yet: :func:`mocks.mssante.auth_psc.link_psc`
        self.store = MailStore(store_bytes)
        self.max_message_bytes = max_message_bytes
        self.mail_tls = tls
        self.requested = {"submission": smtp_port, "smtps": smtps_port, "imap": imap_port, "imaps": imaps_port}
        self.ports: dict[str, int] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        #: the threads judging the messages received over SMTP (made with the mail servers' event loop)
        self.judging: ThreadPoolExecutor | None = None
        self._thread: threading.Thread | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        #: open client connections (closed when the simulator stops)
        self.connections: weakref.WeakSet[asyncio.BaseTransport] = weakref.WeakSet()
        self._failure: BaseException | None = None
        self._context = server_tls or (server_context(tls) if tls is not None else None)
        self.hellos = HelloLog()  # the DUI's ClientHellos (SC.MSS/CONF.03: what it offers)
        if self._context is not None:
            watch(self._context, self.hellos)
        self._imap = ImapBackend(self, self._context)
        #: INBOX deliveries waiting for an IMAP session of their account (pymap parses them then)
        self.inboxes = InboxQueue(self._mailboxes)
        self._quota_used: dict[str, int] = {}
        self._quota_lock = threading.Lock()
        super().__init__(recorder, port=port, tls=tls)

    # -- Simulator ------------------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        # the Annuaire Santé extraction goes through the request pipeline: recorded, faults apply
        return [
            *mss_routes(self),
            Route(EXTRACTION_PATH, self.handler("ANNUAIRE"), methods=["GET"]),
            Route(AUTOCONFIG_PATH, self.handler("AUTOCONFIG"), methods=["GET"]),  # SC.MSS/CONF.04
        ]

    async def respond(self, call: Call) -> Answer:
        """``GET /annuaire/extraction-mssante.txt``: the public extraction of MSSanté addresses; the
        autoconfiguration document (:mod:`mocks.mssante.autoconfig`)."""
        if call.route == "AUTOCONFIG":
            return autoconfig_answer(self, call)
        source = Path(self.directory.source) if self.directory.source else default_directory_file()
        body = extraction(source)
        return Answer(
            200,
            body,
            content_type="text/plain; charset=utf-8",
            transaction="ANNUAIRE",
            summary={"extraction": EXTRACTION_PATH, "lines": body.count(b"\r\n") - 1},
        )

    def state(self) -> dict[str, Any]:
        return {
            "endpoints": self.endpoints(),
            "max_message_bytes": self.max_message_bytes,
            "mailboxes": self.store.addresses(),
            "directory": self.directory.source,
        }

    def update_state(self, data: dict[str, Any]) -> None:
        unknown = set(data) - {"max_message_bytes"}
        if unknown:
            raise ValueError(f"unknown MSSante state keys {sorted(unknown)}; known: max_message_bytes")
        if "max_message_bytes" in data:
            value = int(data["max_message_bytes"])
            if value < 1024:
                raise ValueError("max_message_bytes must be at least 1024")
            self.max_message_bytes = value

    def reset(self) -> None:
        super().reset()
        self.store.clear()
        if self._loop is not None and self._loop.is_running():
            asyncio.run_coroutine_threadsafe(self._clear_imap(), self._loop).result(5)

    def control_body_limit(self, path: str) -> int:
        """``/_harness/mss/deliver`` takes a whole message (up to the SIZE limit)."""
        if path == "/_harness/mss/deliver":
            return self.max_message_bytes + 64 * 1024
        return super().control_body_limit(path)

    def charge_imap_quota(self, account: str, size: int) -> None:
        """Count ``size`` APPENDed bytes against ``account``'s quota, or raise :class:`LimitExceeded`."""
        with self._quota_lock:
            used = self._quota_used.get(account, 0)
            if used + size > self.limits.imap_quota_bytes:
                raise LimitExceeded("IMAP APPEND bytes of the account", self.limits.imap_quota_bytes, used + size)
            self._quota_used[account] = used + size

    async def _clear_imap(self) -> None:
        self._quota_used.clear()
        self.inboxes.clear()
        self._imap.config.set_cache.clear()
        for address in self.directory.accounts:
            await self._mailboxes(address)

    async def _mailboxes(self, address: str) -> MailboxSet:
        """The IMAP folders of an account, created with its special-use folders (RFC 6154)."""
        cache = self._imap.config.set_cache
        if address not in cache:
            mailbox_set = MailboxSet()
            for name in SPECIAL_USE:
                await mailbox_set.add_mailbox(name)
            cache[address] = (mailbox_set, FilterSet())
        return cache[address][0]

    def serve_lines(self) -> list[str]:
        dui, client = self.directory.with_role("dui"), self.dui_certificate
        lines = ["  MSSanté (opérateur simulé / simulated operator), 127.0.0.1:"]
        lines += [f"      {name}: {url}" for name, url in self.endpoints().items() if name != "control"]
        lines.append(
            f"      BAL de la DUI / DUI mailbox: {dui.address} (password {dui.password}"
            + (f", or certificate {client[0].name} for SASL EXTERNAL)" if client else ")")
        )
        lines.append(
            f"      control API: {self.url}/_harness/mss/directory, /_harness/mss/mailboxes, /_harness/mss/deliver"
        )
        return lines

    def endpoint_details(self) -> dict[str, Any]:
        """The ``mssante`` entry of ``PUT /config/endpoints``: listeners and the DUI's mailbox."""
        account = self.directory.with_role("dui")
        details: dict[str, Any] = {
            "host": LOOPBACK,
            "tls": self.mail_tls is not None,
            "address": account.address,
            "password": account.password,
            "smtp_port": self.ports.get("submission"),
            "smtps_port": self.ports.get("smtps"),
            "imap_port": self.ports.get("imap"),
            "imaps_port": self.ports.get("imaps"),
        }
        details["annuaire_url"] = self.url + EXTRACTION_PATH  # the Annuaire Santé extraction (SC.ANN.01.MS1)
        contact = next((a for a in self.directory.accounts.values() if a.role == "dui-contact"), None)
        if contact is not None:  # the DUI's organisational mailbox, for Reply-To (SC.MSS.13, SC.MSS.26)
            details["reply_to"] = contact.address
        if self.dui_certificate is not None:
            details.update(client_cert=str(self.dui_certificate[0]), client_key=str(self.dui_certificate[1]))
        if self.mail_tls is not None and self.mail_tls.client_ca is not None:
            details["ca"] = str(self.mail_tls.client_ca)
        if self.crl_url is not None:
            details["crl_url"] = self.crl_url
        return details

    # -- addresses ------------------------------------------------------------------------
    def endpoints(self) -> dict[str, str]:
        out = {"control": self.url}
        if self.ports:
            out.update(
                {
                    "smtp": f"smtp://{LOOPBACK}:{self.ports['submission']} (STARTTLS)",
                    "imap": f"imap://{LOOPBACK}:{self.ports['imap']} (STARTTLS)",
                }
            )
            if "smtps" in self.ports:
                out["smtps"] = f"smtps://{LOOPBACK}:{self.ports['smtps']}"
                out["imaps"] = f"imaps://{LOOPBACK}:{self.ports['imaps']}"
        return out

    @property
    def smtp_port(self) -> int:
        return self.ports["submission"]

    @property
    def smtps_port(self) -> int:
        return self.ports["smtps"]

    @property
    def imap_port(self) -> int:
        return self.ports["imap"]

    @property
    def imaps_port(self) -> int:
        return self.ports["imaps"]

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> MssSimulator:
        super().start()
        self._thread = threading.Thread(target=self._run, name="sim-mssante-mail", daemon=True)
        self._thread.start()
        if not self._ready.wait(10) or self._failure is not None:
            self.stop()
            failure = self._failure
            if isinstance(failure, SimulatorError):
                raise failure
            raise SimulatorError(f"serveurs MSSanté non démarrés / MSSante mail servers did not start: {failure!r}")
        return self

    def stop(self) -> None:
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None and loop.is_running():
            loop.call_soon_threadsafe(stopping.set)
        if self._thread is not None:
            self._thread.join(5)
        self._thread = None
        super().stop()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        loop.set_exception_handler(self._loop_exception)
        # the operator's checks of each message run in JUDGING_THREADS threads: more of them contend for the
        # interpreter lock (issue 18: 13.8 ms of CPU a message on an idle machine against 6.7 ms under load)
        self.judging = ThreadPoolExecutor(max_workers=JUDGING_THREADS, thread_name_prefix="mss-judging")
        try:
            loop.run_until_complete(self._serve())
        except BaseException as exc:
            self._failure = exc
            self._ready.set()
        finally:
            loop.close()
            self.judging.shutdown(wait=False)

    async def _serve(self) -> None:
        self._stopping = asyncio.Event()
        self._imap.apply_context()
        for account in self.directory.accounts.values():
            self._imap.login.users_dict[account.address] = UserMetadata(self._imap.config, account.address)
            await self._mailboxes(account.address)
        loop = asyncio.get_running_loop()
        handler = MssSmtpHandler(self)
        context = self._context
        sockets = {
            name: _listen(port, name)
            for name, port in self.requested.items()
            if context is not None or name in ("submission", "imap")
        }
        self.ports = {name: sock.getsockname()[1] for name, sock in sockets.items()}

        def smtp(implicit: bool) -> MssSmtp:
            return MssSmtp(
                handler,
                implicit_tls=implicit,
                loop=loop,
                tls_context=None if implicit else context,
                require_starttls=context is not None and not implicit,
                auth_required=False,
                auth_require_tls=context is not None,
                authenticator=handler.authenticator,
                data_size_limit=self.max_message_bytes,
                timeout=self.limits.idle_timeout,
            )

        servers = [
            await loop.create_server(lambda: smtp(False), sock=sockets["submission"]),
            await asyncio.start_server(
                imap_callback(self._imap, implicit_tls=False), sock=sockets["imap"], limit=1024 * 1024
            ),
        ]
        if context is not None:

            def failed(listener: str) -> Any:
                return lambda peer, exc: self.record_tls_failure(listener, peer, exc)

            async def smtps_handover(transport: asyncio.BaseTransport, early: bytes) -> None:
                protocol = smtp(True)  # aiosmtpd takes the encrypted transport over
                transport.set_protocol(protocol)
                protocol.connection_made(transport)
                if early:
                    protocol.data_received(early)

            imaps = stream_handover(imap_callback(self._imap, implicit_tls=True), limit=1024 * 1024)
            servers.append(
                await loop.create_server(
                    lambda: TlsGate(context, smtps_handover, failed("smtps")), sock=sockets["smtps"]
                )
            )
            servers.append(
                await loop.create_server(lambda: TlsGate(context, imaps, failed("imaps")), sock=sockets["imaps"])
            )
        self._ready.set()
        try:
            await self._stopping.wait()
        finally:
            for server in servers:
                server.close()
            for transport in list(self.connections):
                transport.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await released(tasks, list(self.connections))  # the events themselves, not a fixed pause

    def _loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if isinstance(context.get("exception"), (ssl.SSLError, ConnectionError)):
            return  # a client that went away or broke TLS mid-session: its session ends, the server goes on
        loop.default_exception_handler(context)

    # -- delivery ---------------------------------------------------------------------------
    def inspect(self, raw: bytes, sender: str, recipients: list[str]) -> MailReport:
        return validate_message(
            raw,
            envelope_sender=sender or None,
            recipients=recipients,
            patient_domain=self.directory.patient_domain,
            max_bytes=self.max_message_bytes,
            kind_of=self.directory.kind_of,
            pack=self.cda_pack,
        )

    async def deliver_async(
        self, raw: bytes, sender: str, recipient: str, *, origin: str, headers: tuple[str, str] | None = None
    ) -> StoredMessage:
        """Put ``raw`` in the mailbox of ``recipient`` (journal, and IMAP INBOX for an account); ``headers``: its
        ``(Message-ID, Subject)`` when already parsed (:meth:`MailStore.add`)."""
        stamp = (
            f"Return-Path: <{sender}>\r\nReceived: from dui-harness by {LOOPBACK} (MSSante simulator) "
            f"for <{recipient}>; {format_datetime(datetime.now(UTC))}\r\n"
        ).encode("ascii", "replace")
        stored = self.store.add(recipient, sender, raw, origin=origin, headers=headers)
        address = recipient.lower()
        if address in self.directory.accounts:
            await self.inboxes.deliver(address, stamp + raw, datetime.now(UTC))
        return stored

    def deliver(self, raw: bytes, *, sender: str, recipient: str) -> StoredMessage:
        """Deliver a message from another operator (the harness) to ``recipient``; recorded as DELIVER.

        Raises:
            ValueError: the recipient is not a mailbox of the simulated MSSanté space.
        """
        if self.directory.kind_of(recipient) is None:
            raise ValueError(f"{recipient} is not a mailbox of the MSSante simulator's directory")
        if self._loop is None or not self._loop.is_running():
            raise SimulatorError("le simulateur MSSanté n'est pas démarré / the MSSante simulator is not running")
        future = asyncio.run_coroutine_threadsafe(
            self.deliver_async(raw, sender, recipient, origin="harness"), self._loop
        )
        stored = future.result(10)
        self.record_delivery(stored)
        return stored

    def smtp_session_facts(self, server: MssSmtp, session: Session, envelope: Envelope) -> dict[str, Any]:
        return {**server.tls_facts(), "port": "smtps" if server.implicit_tls else "submission"}
