"""Names of the socle services and of the verdicts, in French and English, for every evidence output."""

from __future__ import annotations

from harness import services

__all__ = ["VERDICT_LABELS", "VERDICT_ORDER", "service_label", "service_labels", "verdict_label"]

#: verdict -> (français, English, symbol); the symbol keeps the verdict readable without colour
VERDICT_LABELS = {
    "pass": ("Conforme", "Pass", "✔"),
    "fail": ("Non conforme", "Fail", "✘"),
    "blocked": ("Bloqué par un autre échec", "Blocked", "⊘"),
    "unreachable": ("DUI injoignable", "DUI unreachable", "⚠"),
    "error": ("Erreur du banc", "Harness error", "⚠"),
    "skip": ("Non vérifié (entrée manquante)", "Skipped (input missing)", "–"),
    "inconclusive": ("Non concluant", "Inconclusive", "?"),
    "attestation": ("Déclaré, non testé", "Declared, not tested", "✎"),
    "not-covered": ("Non couvert", "Not covered", "∅"),
}
VERDICT_ORDER = tuple(VERDICT_LABELS)


def service_labels() -> dict[str, str]:
    """Service id -> ``"français / English"``, for every declared service (:mod:`harness.services`)."""
    return {service.id: service.label for service in services.all_services()}


def service_label(code: str) -> str:
    """``"français / English"`` of a service id (or of an earlier spelling); unknown: the code itself."""
    try:
        return services.get(code).label
    except KeyError:
        return code


def verdict_label(verdict: str) -> str:
    fr, en, symbol = VERDICT_LABELS.get(verdict, (verdict, verdict, "?"))
    return f"{symbol} {fr} / {en}"
