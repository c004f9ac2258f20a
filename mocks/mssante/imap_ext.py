"""IMAP extensions stock mail clients expect from an operator, on top of pymap (issue 13).

pymap 0.36.7 (dict backend) knows none of these, and stock clients (mbsync, mutt,
Thunderbird) stumble without them:

- keywords (RFC 3501 §2.3.2): ``$MDNSent`` (RFC 3503) and any other keyword are kept, the
  mailbox announcing ``\\*`` in PERMANENTFLAGS (pymap dropped them silently);
- NAMESPACE (RFC 2342): one personal namespace, ``""`` with ``/`` as separator;
- SASL-IR (RFC 4959): ``AUTHENTICATE mechanism initial-response`` in one command;
- SPECIAL-USE (RFC 6154): every account has a ``Sent`` folder listed with ``\\Sent``.
"""

from __future__ import annotations

import binascii
from base64 import b64decode, b64encode
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pymap.backend.dict.mailbox import MailboxData
from pymap.parsing import EndLine, Params, Space
from pymap.parsing.command import CommandAuth
from pymap.parsing.command.nonauth import AuthenticateCommand
from pymap.parsing.commands import Commands
from pymap.parsing.exceptions import NotParseable
from pymap.parsing.primitives import Atom
from pymap.parsing.response import ResponseContinuation, UntaggedResponse
from pymap.parsing.specials.flag import Flag, Recent, Wildcard, get_system_flags
from pysasl.exception import AuthenticationError
from pysasl.mechanism import ChallengeResponse, ServerChallenge

from mocks.mssante.auth_oauth import BearerVerdict, XOauth2Response
from mocks.mssante.imap_guard import GuardedImapConnection
from mocks.mssante.imap_oauth import BearerCredentials

if TYPE_CHECKING:
    from pysasl.creds.server import ServerCredentials

__all__ = [
    "CAPABILITIES",
    "KEYWORDS",
    "SPECIAL_USE",
    "MssImapConnection",
    "NamespaceCommand",
    "commands",
    "install",
    "namespace_response",
]

#: capabilities added to pymap's (before and after authentication)
CAPABILITIES = (b"NAMESPACE", b"SASL-IR", b"SPECIAL-USE")
#: folder name -> RFC 6154 attribute (without its backslash), created in every account
SPECIAL_USE = {"Sent": b"Sent"}
#: keywords listed in FLAGS besides the system flags (any other keyword is accepted too)
KEYWORDS = (Flag(b"$MDNSent"),)
_PERMANENT = frozenset(get_system_flags() - {Recent} | {Wildcard})


def install() -> None:
    """Let pymap's in-memory mailboxes keep keywords (``\\*`` among their permanent flags)."""
    MailboxData.permanent_flags = property(lambda self: _PERMANENT)  # type: ignore[method-assign,assignment]


class _Mechanism(bytes):
    """A SASL mechanism name that carries the RFC 4959 initial response of its command."""

    initial: bytes | None = None


class SaslIrAuthenticateCommand(AuthenticateCommand):
    """``AUTHENTICATE mechanism [initial-response]`` (RFC 4959 §3; ``=`` is an empty response)."""

    @classmethod
    def parse(cls, buf: memoryview, params: Params) -> tuple[AuthenticateCommand, memoryview]:
        _, buf = Space.parse(buf, params)
        atom, after = Atom.parse(buf, params)
        mechanism = _Mechanism(atom.value.upper())
        try:
            _, rest = Space.parse(after, params)
            initial, rest = Atom.parse(rest, params)
        except NotParseable:
            pass
        else:
            mechanism.initial, after = initial.value, rest
        _, after = EndLine.parse(after, params)
        return cls(params.tag, mechanism), after


class NamespaceCommand(CommandAuth):
    """``NAMESPACE`` (RFC 2342): no argument, authenticated state."""

    command = b"NAMESPACE"

    @classmethod
    def parse(cls, buf: memoryview, params: Params) -> tuple[NamespaceCommand, memoryview]:
        _, buf = EndLine.parse(buf, params)
        return cls(params.tag), buf


class _Namespace(UntaggedResponse):
    @property
    def text(self) -> bytes:
        return b'NAMESPACE (("" "/")) NIL NIL'


def namespace_response() -> UntaggedResponse:
    """``* NAMESPACE (("" "/")) NIL NIL``: one personal namespace, no other users', none shared."""
    return _Namespace()


def commands() -> Commands:
    """pymap's commands with NAMESPACE and SASL-IR's AUTHENTICATE."""
    registry = Commands()
    registry.register(SaslIrAuthenticateCommand)
    registry.register(NamespaceCommand)
    return registry


class MssImapConnection(GuardedImapConnection):
    """The guarded connection, taking an AUTHENTICATE initial response (SASL-IR) and checking XOAUTH2 tokens."""

    #: the operator's decision on an XOAUTH2 response (:meth:`mocks.mssante.auth_oauth.BearerCheck.check`)
    check_bearer: Callable[[XOauth2Response], BearerVerdict] | None = None

    async def authenticate(self, state: Any, mech_name: bytes) -> ServerCredentials | None:
        creds = await self._credentials(state, mech_name)
        if isinstance(creds, BearerCredentials) and self.check_bearer is not None:
            creds.verdict = self.check_bearer(creds.response)
            if not creds.verdict.ok:  # Gmail's refusal: a JSON status, the client's empty answer, then NO
                await self.write_response(ResponseContinuation(b64encode(creds.verdict.error_json())))
                await self.read_continuation(0)
        return creds

    async def _credentials(self, state: Any, mech_name: bytes) -> ServerCredentials | None:
        initial = getattr(mech_name, "initial", None)
        if initial is None:
            return await super().authenticate(state, mech_name)
        mech = state.auth.get_server(mech_name)
        if not mech:
            return None
        try:
            first = b"" if initial == b"=" else b64decode(initial, validate=True)
        except binascii.Error as exc:
            raise AuthenticationError("Invalid base64 initial response.") from exc
        responses = [ChallengeResponse(b"", first)]
        try:
            attempt: tuple[ServerCredentials | None, bytes | None] = mech.server_attempt(responses)
        except ServerChallenge:  # the mechanism wants more: the exchange restarts with prompts
            return await super().authenticate(state, mech_name)
        return attempt[0]
