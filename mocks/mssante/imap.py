"""IMAP4rev1 side of the simulated MSSanté operator, on pymap's in-memory backend.

pymap parses and answers every IMAP command; this module only decides who may log in and
records what the DUI fetches. Authentication is offered only once the connection is
encrypted (after STARTTLS, or from the first byte on the IMAPS listener), including from
loopback, which pymap would otherwise trust: SASL PLAIN / LOGIN and the LOGIN command with a
test account's password, or SASL EXTERNAL with a client certificate of the test PKI. Every
message body fetched is recorded as one exchange (``MSS`` / ``IMAP FETCH``).

pymap parses every delivered message's headers with the ``email`` package's header registry
(its class attribute ``ParsedHeaders._registry``): this module gives it the harness's
:class:`~harness.validators.mail.headerregistry.SharedHeaderRegistry` (each header class built
once, short values parsed once per process; issue 18: that parsing was the largest part of a
delivery's CPU).
"""

from __future__ import annotations

from argparse import Namespace
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager, closing
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from proxyprotocol.sock import SocketInfo
from pymap.backend.dict import Config, Identity, Login, Session
from pymap.concurrent import Subsystem
from pymap.context import connection_exit, socket_info
from pymap.exceptions import AuthorizationFailure, InvalidAuth
from pymap.imap.state import ConnectionState
from pymap.mime.parsed import ParsedHeaders
from pymap.parsing.commands import Commands
from pymap.parsing.response import ResponseCode, ResponseNo, ResponseOk
from pymap.parsing.response.specials import FlagsResponse, ListResponse
from pymap.parsing.specials.flag import Wildcard
from pysasl import SASLAuth
from pysasl.creds.external import ExternalCredentials
from pysasl.identity import ClearIdentity
from pysasl.mechanism.external import ExternalMechanism
from pysasl.mechanism.login import LoginMechanism
from pysasl.mechanism.plain import PlainMechanism

from harness.validators.mail.headerregistry import SharedHeaderRegistry
from mocks.common.limits import LimitExceeded
from mocks.mssante import imap_ext, modutf7
from mocks.mssante.auth_record import AuthAttempt, record_auth
from mocks.mssante.imap_ext import MssImapConnection
from mocks.mssante.imap_oauth import BearerCredentials, XOauth2Mechanism

modutf7.install()  # pymap 0.36.7's decoder loops forever on b"&Z" (issue 17)
imap_ext.install()  # keywords kept (issue 13)
ParsedHeaders._registry = SharedHeaderRegistry()  # pymap parses the same headers again and again (issue 18)

if TYPE_CHECKING:
    import ssl

    from mocks.mssante.app import MssSimulator

__all__ = ["ImapBackend", "imap_callback"]

BODY_ATTRIBUTES = (b"BODY", b"BODY.PEEK", b"RFC822", b"RFC822.TEXT", b"BINARY", b"BINARY.PEEK")


class _Config(Config):
    """pymap's dict backend configuration: authentication mechanisms offered over TLS."""

    @property
    def tls_auth(self) -> SASLAuth:
        return SASLAuth([PlainMechanism(), LoginMechanism(), ExternalMechanism(), XOauth2Mechanism()])

    @property
    def commands(self) -> Commands:
        return imap_ext.commands()

    @property
    def greeting(self) -> bytes:
        return b"MSSante simulator (dui-harness TEST) ready"


class _Identity(Identity):
    """pymap's identity, its session opened once the account's pending INBOX deliveries are in
    (:class:`~mocks.mssante.inbox.InboxQueue`)."""

    @asynccontextmanager
    async def new_session(self) -> AsyncIterator[Session]:
        assert isinstance(self.login, _Login)
        async with self.login.sim.inboxes.session(self.name), super().new_session() as session:
            yield session


class _Login(Login):
    """Accounts of the simulator's directory, by password or by client certificate."""

    def __init__(self, config: _Config, sim: MssSimulator) -> None:
        super().__init__(config)
        self.sim = sim

    async def authenticate(self, credentials: Any) -> Identity:
        directory = self.sim.directory
        if isinstance(credentials, BearerCredentials):  # XOAUTH2: decided by the connection (imap_ext)
            if not credentials.verify(None):
                raise InvalidAuth()
            return _Identity(credentials.authcid, self, None, frozenset())
        if isinstance(credentials, ExternalCredentials):
            cert = socket_info.get().peercert
            cn = next((str(v) for rdn in (cert or {}).get("subject", ()) for k, v in rdn if k == "commonName"), None)
            account = directory.by_certificate(cn)
            if account is None:
                raise InvalidAuth()
            return _Identity(account.address, self, None, frozenset())
        login = str(getattr(credentials, "authcid", "")).lower()
        account = directory.accounts.get(login)
        if account is not None and _certified_application(account, socket_info.get().peercert):
            return _Identity(account.address, self, None, frozenset())  # SC.MSS/CONF.12: certificate, then PLAIN
        if account is None or account.password is None:
            raise InvalidAuth()
        if not credentials.verify(ClearIdentity(login, account.password)):
            raise InvalidAuth()
        return _Identity(account.address, self, None, frozenset())

    async def authorize(self, authenticated: Any, authzid: str) -> Identity:
        name = str(authenticated.name)
        if authzid and authzid.lower() != name:
            raise AuthorizationFailure()
        return _Identity(name, self, None, frozenset())


class _State(ConnectionState):
    """pymap's connection state, with authentication only over TLS and recorded fetches."""

    def __init__(self, login: _Login, config: _Config, *, implicit_tls: bool) -> None:
        super().__init__(login, config)
        self.sim = login.sim
        self.implicit_tls = implicit_tls
        self.encrypted = implicit_tls
        self.mailbox_name = ""
        if implicit_tls and b"STARTTLS" in self._capability:
            self._capability.remove(b"STARTTLS")
        self._capability.extend(imap_ext.CAPABILITIES)

    @property
    def auth(self) -> SASLAuth:
        """The mechanisms offered now: EXTERNAL only to a client that presented a certificate."""
        if self._auth.get_server(b"EXTERNAL") is None or socket_info.get().peercert:
            return self._auth
        return SASLAuth([mech for mech in self._auth.server_mechanisms if mech.name != b"EXTERNAL"])

    @auth.setter
    def auth(self, value: SASLAuth) -> None:
        self._auth = value

    async def do_greeting(self) -> Any:
        response = await super().do_greeting()
        # pymap trusts loopback clients in clear text; an MSSante operator never does
        self.auth = self.config.tls_auth if self.implicit_tls else self.config.initial_auth
        return type(response)(b"*", self.config.greeting, self.capability)

    async def do_starttls(self, cmd: Any) -> Any:
        result = await super().do_starttls(cmd)
        self.encrypted = True
        return result

    async def do_authenticate(self, cmd: Any, creds: Any) -> Any:
        """pymap's login, then one ``IMAP AUTH`` exchange saying how it went (:mod:`mocks.mssante.auth_record`)."""
        name = getattr(cmd, "mech_name", None)
        info = socket_info.get()
        attempt = AuthAttempt(
            "IMAP",
            bytes(name).decode("ascii", "replace").upper() if name is not None else "LOGIN-COMMAND",
            login=str(getattr(creds, "authcid", "") or "") if creds is not None else "",
            tls_mode=("implicit" if self.implicit_tls else "starttls") if self.encrypted else "none",
            client_cn=_common_name(info.peercert),
            sasl_ir=getattr(name, "initial", None) is not None,
            peer=str(info.peername_str or ""),
        )
        if isinstance(creds, BearerCredentials) and creds.verdict is not None:
            attempt.oauth = creds.verdict.facts()
        if isinstance(creds, ExternalCredentials) and not attempt.login:
            account = self.sim.directory.by_certificate(attempt.client_cn)
            attempt.login = account.address if account is not None else ""
        try:
            response = await super().do_authenticate(cmd, creds)
        except Exception as exc:
            attempt.reply = f"NO {type(exc).__name__}"
            record_auth(self.sim.listener_recording, self.sim.directory, attempt)
            raise
        attempt.success = self._session is not None
        attempt.reply = "OK" if attempt.success else "NO"
        record_auth(self.sim.listener_recording, self.sim.directory, attempt)
        return response

    async def do_select(self, cmd: Any) -> Any:
        response, updates = await super().do_select(cmd)
        self.mailbox_name = str(cmd.mailbox)
        for untagged in getattr(response, "_untagged", ()):
            if isinstance(untagged, FlagsResponse):  # ``\*`` belongs to PERMANENTFLAGS only (RFC 3501 §7.1)
                untagged.flags = frozenset({*untagged.flags, *imap_ext.KEYWORDS} - {Wildcard})
        return response, updates

    async def do_namespace(self, cmd: Any) -> Any:
        response = ResponseOk(cmd.tag, b"NAMESPACE completed.")
        response.add_untagged(imap_ext.namespace_response())
        return response, None

    async def do_list(self, cmd: Any) -> Any:
        """LIST with the RFC 6154 attribute of the special-use folders (``\\Sent``)."""
        response, updates = await super().do_list(cmd)
        for untagged in getattr(response, "_untagged", ()):
            special = imap_ext.SPECIAL_USE.get(getattr(untagged, "mailbox", ""))
            if isinstance(untagged, ListResponse) and special is not None:
                untagged.attrs = [*untagged.attrs, special]
        return response, updates

    async def do_append(self, cmd: Any) -> Any:
        """APPEND within the account's quota (RFC 9208 ``NO [OVERQUOTA]`` beyond it), counted before storing."""
        size = sum(len(message.literal) for message in cmd.messages)
        try:
            self.sim.charge_imap_quota(self.session.owner, size)
        except LimitExceeded as exc:
            return ResponseNo(cmd.tag, str(exc).encode("ascii", "replace"), ResponseCode.of(b"OVERQUOTA")), None
        return await super().do_append(cmd)

    async def do_fetch(self, cmd: Any) -> Any:
        result = await super().do_fetch(cmd)
        if any(bytes(attr.value).upper() in BODY_ATTRIBUTES for attr in cmd.attributes):
            selected = self.selected
            messages, _ = await self.session.fetch_messages(selected, cmd.sequence_set, False)
            info = socket_info.get()
            for _seq, message in messages:
                content = getattr(message, "_content", None)
                if content is not None:
                    self.sim.record_fetch(
                        self.session.owner,
                        self.mailbox_name,
                        int(message.uid),
                        bytes(content),
                        peer=str(info.peername_str or ""),
                        tls=self.encrypted,
                    )
        return result


def _common_name(cert: Mapping[str, Any] | None) -> str | None:
    return next((str(v) for rdn in (cert or {}).get("subject", ()) for k, v in rdn if k == "commonName"), None)


def _certified_application(account: Any, cert: Mapping[str, Any] | None) -> bool:
    """An application mailbox whose certificate opened the TLS session (SC.MSS/CONF.12: the certificate
    authenticates, the PLAIN login names the mailbox; its password is not checked)."""
    return bool(
        account.kind == "applicative" and account.certificate_cn and _common_name(cert) == account.certificate_cn
    )


class ImapBackend:
    """The pymap login and configuration shared by both IMAP listeners."""

    def __init__(self, sim: MssSimulator, ssl_context: ssl.SSLContext | None) -> None:
        args = Namespace(passlib_cfg=None, proxy_protocol=None, debug=False)
        self.config = _Config(
            args,
            host="127.0.0.1",
            port=0,
            demo_data=False,
            demo_user="-",
            demo_password="-",
            ssl_context=ssl_context,
            tls_enabled=ssl_context is not None,
            reject_dnsbl=False,
            invalid_user_sleep=0.05,
            cpu_subsystem=Subsystem.for_asyncio(),
            max_append_len=sim.max_message_bytes,
            bad_command_limit=10,
        )
        self.login = _Login(self.config, sim)

    def apply_context(self) -> None:
        self.config.apply_context()


def imap_callback(backend: ImapBackend, *, implicit_tls: bool) -> Callable[..., Awaitable[None]]:
    """The ``asyncio.start_server`` callback of one IMAP listener."""

    async def serve(reader: Any, writer: Any, sock_info: SocketInfo) -> None:
        backend.login.sim.connections.add(writer.transport)
        sim = backend.login.sim
        conn = MssImapConnection(backend.config.commands, backend.config, reader, writer, sock_info)
        conn.limits = sim.limits
        conn.on_tls_failure = lambda peer, exc: sim.record_tls_failure("imap STARTTLS", peer, exc)
        conn.check_bearer = lambda response: sim.bearer.check(response)
        state = _State(backend.login, backend.config, implicit_tls=implicit_tls)
        async with AsyncExitStack() as stack:
            connection_exit.set(stack)
            stack.enter_context(closing(conn))
            try:
                await conn.run(state)
            except Exception:
                return

    async def connected(reader: Any, writer: Any) -> None:
        """The session runs in the caller's task (never a detached one: see :mod:`mocks.mssante.tls`)."""
        await serve(reader, writer, SocketInfo.get(writer, None, unique_id=uuid4().bytes))

    return connected
