"""Checks of what an OpenID Connect client sends to Pro Santé Connect: parameters in, findings out.

Pure functions, shared by the PSC simulator (which records the findings on each exchange and
answers the first error as OAuth 2.0 does) and by anyone re-checking a recorded request:

* :func:`parse_parameters`: an ``application/x-www-form-urlencoded`` string (query or body)
  into single values, a finding per repeated or undecodable parameter (RFC 6749 §3.1);
* :func:`check_authorize` : the authorization request's own parameters (response_type, scope,
  ``acr_values=eidas1``, ``state``, ``nonce``, PKCE). Whether the client and its redirect URI
  are registered is the simulator's business (it knows the registrations).

Each :class:`Problem` pairs a finding with the OAuth 2.0 ``error`` code that answers it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote_plus

from harness.core.findings import Finding, Severity
from harness.core.rules import rule

__all__ = ["MIN_STATE_LENGTH", "ParsedParameters", "Problem", "check_authorize", "parse_parameters"]

MIN_STATE_LENGTH = 16
MAX_PARAMETER_LENGTH = 4096
PKCE_VALUE = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")
REQUIRED_ACR = "eidas1"


@dataclass(frozen=True)
class Problem:
    """A finding and the OAuth 2.0 error code a server answers it with (None: recorded only)."""

    finding: Finding
    error: str | None = "invalid_request"

    @property
    def blocking(self) -> bool:
        return self.error is not None and self.finding.severity is Severity.ERROR


@dataclass
class ParsedParameters:
    values: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        return self.values.get(name)


def _problem(
    rule: str,
    requirement: str,
    message: str,
    location: str,
    error: str | None = "invalid_request",
    severity: Severity = Severity.ERROR,
) -> Problem:
    return Problem(Finding(rule, requirement, message, severity, location), error)


@rule(
    "psc.param",
    requirement="PSC-AUTHZ-01",
    summary="parameters well encoded, bounded, not repeated",
    also=("PSC-TOKEN-01", "PSC-USER-01"),
)
def parse_parameters(raw: str, *, where: str, requirement: str) -> ParsedParameters:
    """Decode ``a=1&b=2``; repeated, over-long or undecodable parameters become problems.

    Args:
        raw: the query string or form body, still percent-encoded.
        where: how locations are prefixed (``"authorize query"``, ``"token body"``).
        requirement: the requirement a malformed parameter breaks.
    """
    parsed = ParsedParameters()
    seen: set[str] = set()
    for part in raw.split("&") if raw else []:
        if not part:
            continue
        name_raw, _, value_raw = part.partition("=")
        try:
            name = unquote_plus(name_raw, errors="strict")
            value = unquote_plus(value_raw, errors="strict")
        except UnicodeDecodeError:
            parsed.problems.append(
                _problem(
                    "psc.param.encoding",
                    requirement,
                    f"parameter {name_raw[:40]!r} is not UTF-8 once percent-decoded",
                    f"{where} {name_raw[:40]}",
                )
            )
            continue
        if len(value) > MAX_PARAMETER_LENGTH:
            parsed.problems.append(
                _problem(
                    "psc.param.too_long",
                    requirement,
                    f"parameter {name[:40]!r} is {len(value)} characters long (limit {MAX_PARAMETER_LENGTH})",
                    f"{where} {name[:40]}",
                )
            )
            continue
        if name in seen:
            parsed.problems.append(
                _problem(
                    "psc.param.repeated",
                    requirement,
                    f"parameter {name!r} is sent more than once (RFC 6749 §3.1: "
                    "parameters MUST NOT be included more than once)",
                    f"{where} {name}",
                )
            )
            continue
        seen.add(name)
        parsed.values[name] = value
    return parsed


@rule("psc.authorize.response_type", requirement="PSC-AUTHZ-01", summary="authorization code flow")
@rule("psc.authorize.scope_openid", requirement="PSC-AUTHZ-01", summary="scope contains openid")
@rule("psc.authorize.scope_all", requirement="PSC-AUTHZ-01", summary="scope contains scope_all")
@rule("psc.authorize.acr_missing", requirement="PSC-AUTHZ-02", summary="acr_values sent")
@rule("psc.authorize.acr_value", requirement="PSC-AUTHZ-02", summary="acr_values=eidas1")
@rule("psc.authorize.state_missing", requirement="PSC-AUTHZ-03", summary="state sent")
@rule("psc.authorize.state_short", requirement="PSC-AUTHZ-03", summary="state long enough to be unguessable")
@rule("psc.authorize.nonce_missing", requirement="PSC-AUTHZ-04", summary="nonce sent")
@rule("psc.authorize.nonce_short", requirement="PSC-AUTHZ-04", summary="nonce long enough to be unguessable")
def check_authorize(params: dict[str, str], *, where: str = "authorize query") -> list[Problem]:
    """The problems of an authorization request's own parameters, most serious first."""
    problems: list[Problem] = []
    response_type = params.get("response_type")
    if response_type != "code":
        problems.append(
            _problem(
                "psc.authorize.response_type",
                "PSC-AUTHZ-01",
                f"response_type is {response_type!r}; the DUI must use the authorization code flow "
                "(response_type=code)",
                f"{where} response_type",
                "invalid_request" if response_type is None else "unsupported_response_type",
            )
        )
    scopes = (params.get("scope") or "").split()
    if "openid" not in scopes:
        problems.append(
            _problem(
                "psc.authorize.scope_openid",
                "PSC-AUTHZ-01",
                f"scope {params.get('scope')!r} does not contain 'openid': this is not an OpenID Connect request",
                f"{where} scope",
                "invalid_scope",
            )
        )
    elif "scope_all" not in scopes:
        problems.append(
            _problem(
                "psc.authorize.scope_all",
                "PSC-AUTHZ-01",
                "scope has no 'scope_all': PSC clients ask for 'openid scope_all' to receive the "
                "professional's exercices",
                f"{where} scope",
                None,
                Severity.WARNING,
            )
        )
    acr = params.get("acr_values")
    if acr is None:
        problems.append(
            _problem(
                "psc.authorize.acr_missing",
                "PSC-AUTHZ-02",
                "acr_values is missing: Pro Santé Connect requires acr_values=eidas1",
                f"{where} acr_values",
            )
        )
    elif REQUIRED_ACR not in acr.split():
        problems.append(
            _problem(
                "psc.authorize.acr_value",
                "PSC-AUTHZ-02",
                f"acr_values is {acr!r}; Pro Santé Connect requires acr_values=eidas1",
                f"{where} acr_values",
            )
        )
    state = params.get("state")
    if not state:
        problems.append(
            _problem(
                "psc.authorize.state_missing",
                "PSC-AUTHZ-03",
                "state is missing or empty: the DUI cannot bind the answer to its request (CSRF)",
                f"{where} state",
            )
        )
    elif len(state) < MIN_STATE_LENGTH:
        problems.append(
            _problem(
                "psc.authorize.state_short",
                "PSC-AUTHZ-03",
                f"state has {len(state)} characters: too short to be unguessable "
                f"(at least {MIN_STATE_LENGTH} random characters expected)",
                f"{where} state",
                None,
                Severity.WARNING,
            )
        )
    nonce = params.get("nonce")
    if not nonce:
        problems.append(
            _problem(
                "psc.authorize.nonce_missing",
                "PSC-AUTHZ-04",
                "nonce is missing or empty: the ID token cannot be bound to this request (replay)",
                f"{where} nonce",
            )
        )
    elif len(nonce) < MIN_STATE_LENGTH:
        problems.append(
            _problem(
                "psc.authorize.nonce_short",
                "PSC-AUTHZ-04",
                f"nonce has {len(nonce)} characters: too short to be unguessable",
                f"{where} nonce",
                None,
                Severity.WARNING,
            )
        )
    problems += _check_pkce(params, where)
    return sorted(problems, key=lambda p: not p.blocking)


@rule("psc.authorize.pkce_method_alone", requirement="PSC-TOKEN-01", summary="no PKCE method without challenge")
@rule("psc.authorize.pkce_challenge", requirement="PSC-TOKEN-01", summary="PKCE code_challenge well formed")
@rule("psc.authorize.pkce_method", requirement="PSC-TOKEN-01", summary="PKCE method S256 or plain")
@rule("psc.authorize.pkce_plain", requirement="PSC-TOKEN-01", summary="PKCE method S256")
def _check_pkce(params: dict[str, str], where: str) -> list[Problem]:
    challenge, method = params.get("code_challenge"), params.get("code_challenge_method")
    if challenge is None:
        if method is not None:
            return [
                _problem(
                    "psc.authorize.pkce_method_alone",
                    "PSC-TOKEN-01",
                    "code_challenge_method is sent without code_challenge",
                    f"{where} code_challenge",
                )
            ]
        return []
    problems = []
    if not PKCE_VALUE.match(challenge):
        problems.append(
            _problem(
                "psc.authorize.pkce_challenge",
                "PSC-TOKEN-01",
                "code_challenge must be 43 to 128 characters of [A-Za-z0-9._~-] (RFC 7636 §4.2)",
                f"{where} code_challenge",
            )
        )
    if method not in (None, "plain", "S256"):
        problems.append(
            _problem(
                "psc.authorize.pkce_method",
                "PSC-TOKEN-01",
                f"code_challenge_method {method!r} is not supported (S256 or plain)",
                f"{where} code_challenge_method",
            )
        )
    elif method != "S256":
        problems.append(
            _problem(
                "psc.authorize.pkce_plain",
                "PSC-TOKEN-01",
                "PKCE method plain: S256 is expected of every client that can compute SHA-256 (RFC 7636 §4.2)",
                f"{where} code_challenge_method",
                None,
                Severity.WARNING,
            )
        )
    return problems
