"""Attended mode for Pro Santé Connect: the operator logs in and out of the DUI, the harness watches.

The PSC calls (authorize, token, userinfo; the CIBA request and polls; refresh; logout) are awaited
on the recorder; who the DUI shows as logged in, the account it opens and the modes it offers are
typed back by the operator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from harness.sut.attended_operator import step
from harness.sut.parts.psc import PscDriver

if TYPE_CHECKING:
    from harness.core.recorder import Recorder
    from harness.sut.attended_operator import Operator

__all__ = ["AttendedPsc"]

#: how the operator logs in, per PSC mode (French, English)
MODE_TEXTS = {
    "web": ("dans le navigateur (mode web)", "in the browser (web mode)"),
    "native": (
        "depuis l'application, qui ouvre le navigateur externe du poste (mode application native)",
        "from the application, which opens the computer's external browser (native-app mode)",
    ),
    "ciba": (
        "en mode CIBA : l'application demande la connexion, le professionnel la valide sur son e-CPS",
        "in CIBA mode: the application asks for the login, the professional approves it on their e-CPS",
    ),
}


class AttendedPsc(PscDriver):
    """The PSC part (:class:`~harness.sut.parts.psc.PscDriver`) of :class:`~harness.sut.attended.AttendedDriver`."""

    recorder: Recorder
    operator: Operator
    exchange_timeout: float

    @step("psc_login")
    def psc_login(self, professional: str, mode: str = "web") -> dict[str, Any]:
        since = self.recorder.mark()
        how_fr, how_en = MODE_TEXTS.get(mode, MODE_TEXTS["web"])
        self.operator.say(
            f"Connectez-vous à la DUI avec Pro Santé Connect, {how_fr} (le simulateur authentifie le "
            f"professionnel {professional} sans écran), puis revenez ici.",
            f"Log in to the DUI with Pro Santé Connect, {how_en} (the simulator authenticates professional "
            f"{professional} with no screen), then come back here.",
        )
        found = self.operator.watch(
            self.recorder,
            lambda es: any(e.transaction in ("userinfo", "authorize", "ciba_auth") for e in es),
            service="PSC",
            since=since,
            timeout=self.exchange_timeout,
        )
        shown = self.operator.ask(
            "La DUI vous a-t-elle connecté ? Saisissez l'identifiant national (idNat) du professionnel affiché, "
            "ou laissez vide si la connexion a été refusée :",
            "Did the DUI log you in? Type the national id (idNat) of the professional it shows, or leave empty "
            "if the login was refused:",
        )
        account = self._account_shown() if shown else None
        if not found:
            return {
                "outcome": "error",
                "professional": None,
                "error": "no Pro Santé Connect call received",
                "declared_by_operator": True,
            }
        return {
            "outcome": "logged_in" if shown else "refused",
            "professional": {"id_nat": shown} if shown else None,
            **({"account": account} if account else {}),
            "declared_by_operator": True,
        }

    def _account_shown(self) -> str | None:
        shown = self.operator.ask(
            "Quel compte la DUI a-t-elle ouvert (identifiant ou nom du compte affiché) ? Laissez vide si "
            "elle ne l'affiche pas :",
            "Which account did the DUI open (the account id or name it shows)? Leave empty if it does not show it:",
        )
        return shown or None

    @step("psc_session")
    def psc_session(self) -> dict[str, Any]:
        shown = self.operator.ask(
            "Quel professionnel la DUI affiche-t-elle comme connecté (idNat) ? Laissez vide si aucun :",
            "Which professional does the DUI show as logged in (idNat)? Leave empty if none:",
        )
        return {
            "logged_in": bool(shown),
            "professional": {"id_nat": shown} if shown else None,
            "declared_by_operator": True,
        }

    @step("psc_logout")
    def psc_logout(self) -> None:
        self.operator.ask(
            "Déconnectez-vous de la DUI (elle doit aussi fermer la session Pro Santé Connect), puis appuyez "
            "sur Entrée.",
            "Log out of the DUI (it must also end the Pro Santé Connect session), then press Enter.",
        )

    @step("psc_capabilities")
    def psc_capabilities(self) -> dict[str, Any]:
        modes = self.operator.ask(
            "Quelles modalités Pro Santé Connect la DUI propose-t-elle ? Saisissez-les parmi web, native "
            "(navigateur externe), ciba, séparées par des espaces :",
            "Which Pro Santé Connect modes does the DUI offer? Type them among web, native (external browser), "
            "ciba, separated by spaces:",
        )
        other = self.operator.ask(
            "La DUI propose-t-elle une autre connexion que PSC (identifiant et mot de passe…) ? o/n :",
            "Does the DUI offer another login than PSC (login and password…)? y/n:",
        )
        chosen = [m for m in modes.replace(",", " ").split() if m in MODE_TEXTS] or ["web"]
        return {
            "modes": chosen,
            "other_authentication": other.strip().lower()[:1] in ("o", "y"),
            "declared_by_operator": True,
        }

    @step("psc_refresh")
    def psc_refresh(self) -> dict[str, Any]:
        since = self.recorder.mark()
        self.operator.say(
            "Faites renouveler par la DUI ses jetons Pro Santé Connect (par exemple : attendez l'expiration du "
            "jeton d'accès puis faites un appel à un service), puis revenez ici.",
            "Make the DUI renew its Pro Santé Connect tokens (e.g. wait for the access token to expire, then "
            "call a service), then come back here.",
        )
        found = self.operator.watch(
            self.recorder,
            lambda es: any(e.summary.get("grant_type") == "refresh_token" for e in es),
            service="PSC",
            since=since,
            timeout=self.exchange_timeout,
        )
        refreshed = [e for e in found if e.summary.get("grant_type") == "refresh_token"]
        ok = bool(refreshed) and bool(refreshed[-1].summary.get("issued"))
        return {"refreshed": ok, "error": None if ok else "no refresh seen", "declared_by_operator": True}

    @step("psc_local_account")
    def psc_local_account(self, login: str, professional: str) -> dict[str, Any]:
        shown = self.operator.ask(
            f"Créez (ou retrouvez) dans la DUI le compte local « {login} » du professionnel {professional} "
            "(avec son RPPS), puis saisissez l'identifiant du compte affiché :",
            f"Create (or find) in the DUI the local account '{login}' of professional {professional} (with "
            "their RPPS), then type the account id it shows:",
        )
        return {"account": shown or None, "declared_by_operator": True}

    @step("psc_local_login")
    def psc_local_login(self, login: str) -> dict[str, Any]:
        shown = self.operator.ask(
            f"Déconnectez-vous, puis connectez-vous à la DUI avec le compte local « {login} » (sans PSC) ; "
            "saisissez l'identifiant du compte ouvert :",
            f"Log out, then log in to the DUI with the local account '{login}' (without PSC); type the id of "
            "the account opened:",
        )
        return {"account": shown or None, "declared_by_operator": True}
