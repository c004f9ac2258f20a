"""The Pro Santé Connect simulator: an OpenID Connect provider on loopback, PSC paths and claims.

Paths follow the PSC realm (Keycloak) layout of the research digest §5.1, under
``<url>/auth/realms/esante-wallet`` (the issuer):

=======================================================  =========================================
``GET  {issuer}/.well-known/openid-configuration``        discovery (also ``wallet-openid-configuration``)
``GET|POST /auth``                                        authorization endpoint (the "wallet" UI)
``POST {issuer}/protocol/openid-connect/token``           token endpoint
``GET|POST {issuer}/protocol/openid-connect/userinfo``    userinfo (PSC claim structure)
``GET  {issuer}/protocol/openid-connect/certs``           JWKS (RS256 key)
``GET|POST {issuer}/protocol/openid-connect/logout``      end_session_endpoint (:mod:`.session_endpoints`)
``POST {issuer}/protocol/openid-connect/revoke``          revocation, RFC 7009
``POST {issuer}/protocol/openid-connect/token/introspect``  introspection, RFC 7662
``POST {issuer}/protocol/openid-connect/ext/ciba/auth``   CIBA backchannel authentication (:mod:`.ciba`)
=======================================================  =========================================

The token endpoint serves the code, refresh-token (rotation) and CIBA grants; clients authenticate
with a secret (basic, post) or ``private_key_jwt`` (:mod:`.client_auth`); the authorization endpoint
answers in ``query`` or ``form_post`` response mode.

Every request is recorded (service ``PSC``) with its findings. Faults (control API
``POST /_harness/faults``): ``bad_signature``, ``alg_none``, ``wrong_issuer``, ``expired``,
``wrong_audience``, ``wrong_nonce`` (the next ID token), ``wrong_state`` (the next
authorization answer), ``userinfo_other_sub`` (the next userinfo), ``oauth_error`` (an error
answer: ``params: {error, error_description, status}``), plus ``http_status`` and ``delay``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from harness.core.recorder import Exchange, Recorder
from mocks.common.faults import Fault, FaultPlan
from mocks.common.pipeline import Answer, Call
from mocks.common.server import TlsSettings
from mocks.common.simulator import Simulator
from mocks.psc.answers import answer, oauth_error
from mocks.psc.authorize import handle_authorize
from mocks.psc.ciba import CONSENTS, handle_backchannel
from mocks.psc.client_auth import AUTH_METHODS
from mocks.psc.professionals import ProfessionalBase
from mocks.psc.realm import DEFAULT_CLIENT, Client, Realm
from mocks.psc.session_endpoints import handle_introspect, handle_logout, handle_revoke
from mocks.psc.token_endpoint import CIBA_GRANT, handle_token
from mocks.psc.tokens import ID_TOKEN_DEFECTS, TokenSigner
from mocks.psc.userinfo import handle_userinfo

__all__ = ["AUTHORIZE_PATH", "REALM_PATH", "PscSimulator"]

REALM_PATH = "/auth/realms/esante-wallet"
AUTHORIZE_PATH = "/auth"
OIDC = f"{REALM_PATH}/protocol/openid-connect"
#: fault kind -> the only operation it can apply to
FAULT_OPERATIONS = {
    **dict.fromkeys(ID_TOKEN_DEFECTS, "token"),
    "wrong_state": "authorize",
    "userinfo_other_sub": "userinfo",
}
OPERATIONS = ("discovery", "jwks", "authorize", "token", "userinfo", "logout", "revoke", "introspect", "ciba_auth")
STATE_KEYS = (
    "next_professional",
    "clients",
    "add_professionals",
    "remove_professionals",
    "code_lifetime",
    "access_token_lifetime",
    "id_token_lifetime",
    "refresh_token_lifetime",
    "ciba_interval",
    "ciba_lifetime",
    "ciba_consent",
    "ciba_polls_before_consent",
)


class PscFaultPlan(FaultPlan):
    """Faults of the PSC simulator: a token fault always targets the operation it makes sense for."""

    def add(self, kind: str, operation: str | None = None, times: int | None = 1, **params: Any) -> Fault:
        natural = FAULT_OPERATIONS.get(kind)
        if operation is not None and operation not in OPERATIONS:
            raise ValueError(f"unknown PSC operation {operation!r}; known: {', '.join(OPERATIONS)}")
        if natural is not None:
            if operation not in (None, natural):
                raise ValueError(f"fault {kind!r} applies to the {natural} operation, not {operation!r}")
            operation = natural
        return super().add(kind, operation, times, **params)


class PscSimulator(Simulator):
    """Simulated Pro Santé Connect (OpenID Connect provider of the health professionals).

    Args:
        recorder: the recorder shared by the run.
        port: 0 for a free port.
        tls: TLS settings (PSC is HTTPS only; None serves plain HTTP for tests).
        professionals: the test professionals (the packaged fixture by default).
        clients: the registered relying parties (by default one client for the DUI under test).
    """

    service = "PSC"
    allowed_methods = None  # each operation says which methods it reads
    faults_first = False  # a fault applies once the request is judged valid
    fault_kinds = (*ID_TOKEN_DEFECTS, "wrong_state", "userinfo_other_sub", "oauth_error")
    max_body = 64 * 1024

    def __init__(
        self,
        recorder: Recorder,
        *,
        port: int = 0,
        tls: TlsSettings | None = None,
        professionals: ProfessionalBase | None = None,
        clients: tuple[Client, ...] = (DEFAULT_CLIENT,),
    ) -> None:
        self._initial_professionals = professionals if professionals is not None else ProfessionalBase.load()
        self._initial_clients = clients
        self.realm = Realm(self._initial_professionals.copy(), clients)
        super().__init__(recorder, port=port, tls=tls)
        self.faults = PscFaultPlan(self.fault_kinds)
        self.signer = TokenSigner(self.issuer)

    # -- where things are -----------------------------------------------------------------
    @property
    def issuer(self) -> str:
        return self.url + REALM_PATH

    @property
    def discovery_url(self) -> str:
        return self.issuer + "/.well-known/openid-configuration"

    def serve_lines(self) -> list[str]:
        details = self.endpoint_details()
        return [
            f"  Pro Santé Connect (OpenID Connect), issuer: {self.issuer}",
            f"      discovery: {self.discovery_url}",
            f"      client: {details['client_id']} / {details['client_secret']}",
            f"      control API: {self.url}/_harness/state, /_harness/faults (bad tokens on demand)",
            "      also: refresh (rotation), logout, revocation, introspection, form_post, private_key_jwt, CIBA",
        ]

    def endpoint_details(self) -> dict[str, Any]:
        """What a DUI needs besides the URL: issuer, discovery document, its client registration."""
        client = next(iter(self.realm.clients.values()), DEFAULT_CLIENT)
        return {
            "issuer": self.issuer,
            "discovery": self.discovery_url,
            "client_id": client.client_id,
            "client_secret": client.client_secret,
        }

    def metadata(self) -> dict[str, Any]:
        """The discovery document (OpenID Connect Discovery 1.0 §3)."""
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.url + AUTHORIZE_PATH,
            "token_endpoint": self.url + OIDC + "/token",
            "userinfo_endpoint": self.url + OIDC + "/userinfo",
            "jwks_uri": self.url + OIDC + "/certs",
            "end_session_endpoint": self.url + OIDC + "/logout",
            "revocation_endpoint": self.url + OIDC + "/revoke",
            "introspection_endpoint": self.url + OIDC + "/token/introspect",
            "backchannel_authentication_endpoint": self.url + OIDC + "/ext/ciba/auth",
            "backchannel_token_delivery_modes_supported": ["poll"],
            "backchannel_user_code_parameter_supported": False,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query", "form_post"],
            "grant_types_supported": ["authorization_code", "refresh_token", CIBA_GRANT],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": list(AUTH_METHODS),
            "token_endpoint_auth_signing_alg_values_supported": ["RS256", "PS256", "ES256"],
            "revocation_endpoint_auth_methods_supported": list(AUTH_METHODS),
            "introspection_endpoint_auth_methods_supported": list(AUTH_METHODS),
            "scopes_supported": ["openid", "scope_all"],
            "acr_values_supported": ["eidas1"],
            "code_challenge_methods_supported": ["S256", "plain"],
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "nonce",
                "acr",
                "preferred_username",
                "given_name",
                "family_name",
                "SubjectNameID",
                "SubjectRefPro",
                "SubjectOrganization",
                "SubjectOrganizationID",
                "SubjectRole",
                "Secteur_Activite",
                "Palier_Authentification",
                "PSI_Locale",
                "otherIds",
                "codeCivilite",
            ],
            "claims_parameter_supported": False,
            "request_parameter_supported": False,
        }

    def start(self) -> PscSimulator:
        super().start()
        self.signer.issuer = self.issuer  # the port is known once the server listens
        return self

    def register_redirect_uris(self, uris: list[str], client_id: str | None = None) -> None:
        """Add redirect URIs to a client's registration (the first client by default); ``ValueError`` if invalid."""
        with self.realm.lock:
            client = self.realm.clients.get(client_id) if client_id else next(iter(self.realm.clients.values()))
            if client is None:
                raise ValueError(f"no client {client_id!r} is registered")
            known = list(client.redirect_uris)
            data = {**client.public(), "redirect_uris": known + [u for u in uris if u not in known]}
            checked = Client.from_json({**data, "client_secret": client.client_secret})  # public() masks it
            self.realm.clients[client.client_id] = checked

    def introspect(self, token: str) -> dict[str, Any]:
        """RFC 7662 §2.2 answer for ``token``, in-process (for the other simulators' resource servers):
        ``{"active": false}`` or the token's facts (client_id, sub, username = idNat, scope, exp, sid…)."""
        return self.realm.introspect(token, self.issuer)

    def select(self, professional: str | None) -> None:
        """Choose who authenticates at the next authorizations without login_hint (idNat or fixture id)."""
        self.update_state({"next_professional": professional})

    # -- routes: each operation goes through the pipeline of mocks.common.pipeline -------------------
    def routes(self) -> list[BaseRoute]:
        every = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
        return [
            Route(REALM_PATH + "/.well-known/openid-configuration", self.handler("discovery"), methods=every),
            Route(REALM_PATH + "/.well-known/wallet-openid-configuration", self.handler("discovery"), methods=every),
            Route(AUTHORIZE_PATH, self.handler("authorize"), methods=every),
            Route(AUTHORIZE_PATH + "/", self.handler("authorize"), methods=every),
            Route(OIDC + "/auth", self.handler("authorize"), methods=every),
            Route(OIDC + "/token", self.handler("token"), methods=every),
            Route(OIDC + "/userinfo", self.handler("userinfo"), methods=every),
            Route(OIDC + "/certs", self.handler("jwks"), methods=every),
            Route(OIDC + "/logout", self.handler("logout"), methods=every),
            Route(OIDC + "/revoke", self.handler("revoke"), methods=every),
            Route(OIDC + "/token/introspect", self.handler("introspect"), methods=every),
            Route(OIDC + "/ext/ciba/auth", self.handler("ciba_auth"), methods=every),
        ]

    async def respond(self, call: Call) -> Answer:
        return await _HANDLERS[call.operation](self, call)

    def unavailable(self, call: Call, status: int, params: dict[str, Any]) -> Answer:
        default = f"Pro Santé Connect indisponible (dui-harness: injected HTTP {status})"
        return Answer(status, str(params.get("body", default)).encode(), "text/plain; charset=utf-8")

    def internal_error(self, call: Call, exc: Exception) -> Answer:
        text = f"simulator error {type(exc).__name__}: {exc}"
        return answer(
            oauth_error(500, "server_error", text),
            {"operation": call.operation, "error": "server_error", "error_description": text},
        )

    def describe_exchange(self, call: Call, answer: Answer, exchange: Exchange) -> None:
        summary = exchange.summary
        exchange.tags.update({k: str(summary[k]) for k in ("client_id", "professional", "login") if summary.get(k)})

    # -- scenario state -------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        realm = self.realm
        with realm.lock:
            return {
                "issuer": self.issuer,
                "discovery": self.discovery_url,
                "next_professional": realm.selected,
                "professionals": realm.professionals.summary(),
                "clients": [c.public() for c in realm.clients.values()],
                "code_lifetime": realm.code_lifetime,
                "access_token_lifetime": realm.access_token_lifetime,
                "id_token_lifetime": self.signer.id_token_lifetime,
                "refresh_token_lifetime": realm.refresh_token_lifetime,
                "ciba_interval": realm.ciba_interval,
                "ciba_lifetime": realm.ciba_lifetime,
                "ciba_consent": realm.ciba_consent,
                "ciba_polls_before_consent": realm.ciba_polls_before_consent,
                "kid": self.signer.kid,
                **realm.counts(),
            }

    def update_state(self, data: dict[str, Any]) -> None:
        """Keys: ``next_professional`` (idNat, fixture id or null), ``clients`` (registrations replacing
        the current ones), ``add_professionals`` / ``remove_professionals``, ``code_lifetime``,
        ``access_token_lifetime``, ``id_token_lifetime``, ``refresh_token_lifetime``, ``ciba_interval``,
        ``ciba_lifetime`` (seconds), ``ciba_consent`` (approve, deny, ignore), ``ciba_polls_before_consent``."""
        unknown = set(data) - set(STATE_KEYS)
        if unknown:
            raise ValueError(f"unknown PSC state keys {sorted(unknown)}; known: {', '.join(STATE_KEYS)}")
        realm = self.realm
        with realm.lock:
            base = realm.professionals.copy()
            for entry in data.get("add_professionals") or []:
                base.add(entry)
            for key in data.get("remove_professionals") or []:
                base.remove(str(key))
            clients = realm.clients
            if "clients" in data:
                if not isinstance(data["clients"], list) or not data["clients"]:
                    raise ValueError("clients must be a non-empty list of registrations")
                clients = {c.client_id: c for c in map(Client.from_json, data["clients"])}
            selected = realm.selected
            if "next_professional" in data:
                wanted = data["next_professional"]
                found = base.find(str(wanted)) if wanted is not None else None
                if wanted is not None and found is None:
                    raise ValueError(f"next_professional {wanted!r} is no test professional of the simulator")
                selected = found.id_nat if found else None
            lifetimes = {k: _positive(data[k], k) for k in STATE_KEYS[4:10] if k in data}
            consent = data.get("ciba_consent", realm.ciba_consent)
            if consent not in CONSENTS:
                raise ValueError(f"ciba_consent must be one of {', '.join(CONSENTS)}, not {consent!r}")
            polls = data.get("ciba_polls_before_consent", realm.ciba_polls_before_consent)
            if isinstance(polls, bool) or not isinstance(polls, int) or polls < 0:
                raise ValueError(f"ciba_polls_before_consent must be an integer >= 0, not {polls!r}")
            realm.professionals, realm.clients, realm.selected = base, clients, selected
            realm.code_lifetime = lifetimes.get("code_lifetime", realm.code_lifetime)
            realm.access_token_lifetime = int(lifetimes.get("access_token_lifetime", realm.access_token_lifetime))
            self.signer.id_token_lifetime = int(lifetimes.get("id_token_lifetime", self.signer.id_token_lifetime))
            realm.refresh_token_lifetime = int(lifetimes.get("refresh_token_lifetime", realm.refresh_token_lifetime))
            realm.ciba_interval = int(lifetimes.get("ciba_interval", realm.ciba_interval))
            realm.ciba_lifetime = int(lifetimes.get("ciba_lifetime", realm.ciba_lifetime))
            realm.ciba_consent, realm.ciba_polls_before_consent = consent, polls

    def reset(self) -> None:
        super().reset()
        fresh = Realm(self._initial_professionals.copy(), self._initial_clients)
        with self.realm.lock:  # in place: other simulators may hold this realm (realm.token())
            lock = self.realm.lock
            self.realm.__dict__.update({**fresh.__dict__, "lock": lock})
        self.signer.id_token_lifetime = 300

    def oversize_response(self, reason: str) -> tuple[int, str, bytes]:
        body = oauth_error(413, "invalid_request", reason).body
        return 413, "application/json", bytes(body)


def _positive(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError(f"{name} must be a positive number of seconds, not {value!r}")
    return float(value)


async def _discovery(sim: PscSimulator, call: Call) -> Answer:
    return await _document(sim, call, "discovery", sim.metadata)


async def _jwks(sim: PscSimulator, call: Call) -> Answer:
    return await _document(sim, call, "the JWKS", sim.signer.jwks, kid=sim.signer.kid)


async def _document(
    sim: PscSimulator, call: Call, what: str, body: Callable[[], dict[str, Any]], **facts: Any
) -> Answer:
    """A document read with GET (discovery, JWKS): 405 otherwise; faults apply."""
    summary: dict[str, Any] = {}
    if call.request.method not in ("GET", "HEAD"):
        summary["error"] = "invalid_request"
        return answer(
            oauth_error(
                405, "invalid_request", f"{what} is read with GET, not {call.request.method}", {"Allow": "GET"}
            ),
            summary,
        )
    early = await sim.inject_fault(call)
    if call.fault is not None:
        summary["fault"] = call.fault_text
    if early is not None:
        return early
    summary.update(facts)
    return answer(JSONResponse(body()), summary)


_HANDLERS: dict[str, Callable[[PscSimulator, Call], Awaitable[Answer]]] = {
    "discovery": _discovery,
    "jwks": _jwks,
    "authorize": handle_authorize,
    "token": handle_token,
    "userinfo": handle_userinfo,
    "logout": handle_logout,
    "revoke": handle_revoke,
    "introspect": handle_introspect,
    "ciba_auth": handle_backchannel,
}
