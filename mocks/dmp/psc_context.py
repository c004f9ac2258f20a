"""PSC-backed DMP calls (``SC.DMP/PSC.01``, the DMP part of ``SC.PSC.10``): our stated model, checked here.

The requirement asks the DUI, when its user signed in with Pro Santé Connect, to use PSC for the
secured calls to the DMP APIs "en application du Guide d'intégration" and to carry the user's
identity "en application du Volet de transport PSC"; the DMPi integration guide is not public
and the requirement's CI-SIS reference is a placeholder. What is public: the CI-SIS volume
*Sécurisation transport API REST* (ANS, ``ansforge/IG-securisation-transport-api-rest``) calls
PSC sign-in an *authentification directe* of the professional (the structure's local sign-in
being the *indirecte* one) and has the caller present the access token in
``Authorization: Bearer`` (RFC 6750 §2.1) to the target service; it leaves SOAP/SAML services
such as the DMP to the transport volume for thick clients (VIHF) in the meantime.

**Assumption** (README, catalog row ``DMP-PSC-01``), the same as the INSi one
(:mod:`mocks.insi.psc_context`): a PSC-backed DMP call (TD0.2, ITI-41, ITI-18, ITI-43, ITI-57…)
is the same SOAP request over the same mutual-TLS connection, with

* the professional's PSC access token in ``Authorization: Bearer <token>``, valid in the PSC
  realm (issued, not expired, not revoked) — the token exchange with a DMP authorization
  server that the REST volume describes is not public for the DMP, so the PSC token itself;
* the VIHF ``Subject/NameID`` = the idNat (RPPS) of the token's professional;
* the VIHF ``Authentification_Mode`` = ``DIRECTE`` (a warning otherwise: the value is our
  reading of the REST volume, not a published DMP rule).

The token is resolved through the PSC simulator's realm (read only); the exchange keeps a short,
non-reversible id of the token (:func:`mocks.psc.realm.short_id`), never the token. A token
PSC does not know and a NameID naming another professional are findings of ``DMP-PSC-01``;
like INSi, the DMP records them and still answers (the real DMP's refusal is not public).
"""

from __future__ import annotations

from typing import Any

from harness.core.findings import Finding, Severity
from harness.core.rules import rule
from harness.validators.xds.vihf import HEAD
from mocks.dmp.context import DmpAnswer, DmpRequest
from mocks.insi.psc_context import PscResolver, bearer_token, realm_resolver
from mocks.psc.realm import short_id

__all__ = ["PSC_MODE", "PscResolver", "attach_psc", "psc_context", "realm_resolver"]

REQUIREMENT = "DMP-PSC-01"
#: the VIHF Authentification_Mode of a PSC-backed call (stated model: PSC is an authentification directe)
PSC_MODE = "DIRECTE"
WHY = "SC.DMP/PSC.01, modèle déclaré / stated model"
NAME_ID = f"{HEAD}/saml2:Subject/saml2:NameID"
MODE = f"{HEAD}/saml2:AttributeStatement/saml2:Attribute[@Name='Authentification_Mode']"


@rule("dmp.psc", requirement=REQUIREMENT, summary="a PSC-backed DMP call: token known to PSC, VIHF NameID its user")
def psc_context(
    authorization: str | None, resolver: PscResolver | None, *, subject: str, auth_mode: str
) -> tuple[dict[str, Any] | None, list[Finding]]:
    """What the DMP learns from a call's ``Authorization`` header, and the findings about it.

    None when the call carries no Bearer token (not a PSC-backed call). ``subject`` is the VIHF's
    Subject/NameID, ``auth_mode`` its Authentification_Mode ("" when unread).
    """
    token = bearer_token(authorization)
    if token is None:
        return None, []
    context: dict[str, Any] = {
        "token": short_id(token),
        "known": None,
        "professional": None,
        "client_id": None,
        "reason": None,
        "vihf_subject": subject,
        "auth_mode": auth_mode,
    }
    if resolver is None:
        return context, []
    professional, client_id, why = resolver(token)
    context.update(known=why is None, professional=professional, client_id=client_id, reason=why)
    if why is not None:
        text = (
            f"le jeton d'accès Pro Santé Connect n'est pas reconnu par PSC / the PSC access token is not valid "
            f"at PSC ({why}): a PSC-backed DMP call carries the professional's current access token ({WHY})"
        )
        return context, [Finding("dmp.psc.token", REQUIREMENT, text, Severity.ERROR, "HTTP Authorization: Bearer")]
    findings = []
    if subject and subject != professional:
        findings.append(
            Finding(
                "dmp.psc.professional",
                REQUIREMENT,
                f"le VIHF nomme un autre professionnel que le jeton PSC / the VIHF names another professional "
                f"than the PSC token — NameID {subject!r} ; attendu / expected: {professional!r}, the idNat of "
                f"the professional signed in with PSC ({WHY})",
                Severity.ERROR,
                NAME_ID,
            )
        )
    if auth_mode and auth_mode != PSC_MODE:
        findings.append(
            Finding(
                "dmp.psc.auth_mode",
                REQUIREMENT,
                f"appel adossé à PSC avec Authentification_Mode {auth_mode!r} / PSC-backed call in mode "
                f"{auth_mode!r}: expected {PSC_MODE} ({WHY}: PSC is an authentification directe in the CI-SIS "
                "REST transport volume; not a published DMP rule, hence a warning)",
                Severity.WARNING,
                MODE,
            )
        )
    return context, findings


def attach_psc(prepared: DmpRequest | DmpAnswer, authorization: str | None, resolver: PscResolver | None) -> None:
    """Judge the PSC side of a prepared request, or of one refused before its transaction (its summary)."""
    if isinstance(prepared, DmpRequest):
        vihf = prepared.vihf
        subject, mode = vihf.subject, (vihf.attributes.get("Authentification_Mode") or [""])[0]
    else:
        seen = prepared.summary.get("vihf") or {}
        subject, mode = str(seen.get("subject") or ""), str(seen.get("auth_mode") or "")
    context, findings = psc_context(authorization, resolver, subject=subject, auth_mode=mode)
    if context is None:
        return
    if isinstance(prepared, DmpRequest):
        prepared.psc = context
        prepared.security_findings.extend(findings)
    else:
        prepared.summary["psc"] = context
        prepared.findings.extend(findings)
