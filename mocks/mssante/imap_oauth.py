"""IMAP ``AUTHENTICATE XOAUTH2`` of the API LPS (Ségur SC.MSS/CONF.07, SASL-IR SC.MSS/CONF.09) on pymap.

:class:`XOauth2Mechanism` reads the client's response into :class:`BearerCredentials`; the
connection (:meth:`mocks.mssante.imap_ext.MssImapConnection.authenticate`) has the operator check
the token (:class:`mocks.mssante.auth_oauth.BearerCheck`) and, on a refusal, sends the JSON status
continuation Gmail sends (``+ eyJzdGF0dXMiOiI0MDEi...``), reads the client's empty answer, and the
login then fails (``NO``). The decision rides on the credentials to :class:`mocks.mssante.imap._Login`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pysasl.creds.server import ServerCredentials
from pysasl.exception import InvalidResponse
from pysasl.identity import Identity
from pysasl.mechanism import ChallengeResponse, ServerChallenge
from pysasl.mechanism.oauth import OAuth2Mechanism

from mocks.mssante.auth_oauth import BearerVerdict, XOauth2Response, parse_response

__all__ = ["BearerCredentials", "XOauth2Mechanism"]


class BearerCredentials(ServerCredentials):
    """The mailbox (``authcid``) and bearer token of an XOAUTH2 response, with the operator's verdict."""

    __slots__: Sequence[str] = ["response", "verdict"]

    def __init__(self, response: XOauth2Response) -> None:
        super().__init__()
        self.response = response
        self.verdict: BearerVerdict | None = None

    @property
    def authcid(self) -> str:
        return self.response.user

    @property
    def authzid(self) -> str:
        return ""

    def verify(self, identity: Identity | None) -> bool:
        return self.verdict is not None and self.verdict.ok


class XOauth2Mechanism(OAuth2Mechanism):
    """pysasl's server XOAUTH2, yielding :class:`BearerCredentials` (and a bilingual reason when malformed)."""

    def server_attempt(self, responses: Sequence[ChallengeResponse]) -> Any:
        if not responses:
            raise ServerChallenge(b"")
        try:
            return BearerCredentials(parse_response(responses[0].response)), None
        except ValueError:
            raise InvalidResponse() from None
