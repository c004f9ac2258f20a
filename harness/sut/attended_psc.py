"""Attended mode for Pro Santé Connect: the operator logs in and out of the DUI, the harness watches.

The PSC calls (authorize, token, userinfo) are awaited on the recorder; who the DUI shows as logged
in is typed back by the operator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from harness.sut.attended_operator import step
from harness.sut.parts.psc import PscDriver

if TYPE_CHECKING:
    from harness.core.recorder import Recorder
    from harness.sut.attended_operator import Operator

__all__ = ["AttendedPsc"]


class AttendedPsc(PscDriver):
    """The PSC part (:class:`~harness.sut.parts.psc.PscDriver`) of :class:`~harness.sut.attended.AttendedDriver`."""

    recorder: Recorder
    operator: Operator
    exchange_timeout: float

    @step("psc_login")
    def psc_login(self, professional: str) -> dict[str, Any]:
        since = self.recorder.mark()
        self.operator.say(
            f"Connectez-vous à la DUI avec Pro Santé Connect (le simulateur authentifie le professionnel "
            f"{professional} sans écran), puis revenez ici.",
            f"Log in to the DUI with Pro Santé Connect (the simulator authenticates professional {professional} "
            "with no screen), then come back here.",
        )
        found = self.operator.watch(
            self.recorder,
            lambda es: any(e.transaction in ("userinfo", "authorize") for e in es),
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
            "declared_by_operator": True,
        }

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
            "Déconnectez-vous de la DUI, puis appuyez sur Entrée.", "Log out of the DUI, then press Enter."
        )
