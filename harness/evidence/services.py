"""Names of the socle services and of the verdicts, in French and English, for every evidence output."""

from __future__ import annotations

__all__ = ["SERVICE_LABELS", "VERDICT_LABELS", "VERDICT_ORDER", "service_label", "verdict_label"]

#: service code of the catalogs -> "français / English"
SERVICE_LABELS = {
    "INS": "Identité nationale de santé (INS) / National health identifier",
    "DMP": "Dossier médical partagé (DMP) / Shared medical record",
    "MSS": "Messagerie sécurisée de santé (MSSanté) / Secure health messaging",
    "EPRESC": "e-prescription / Electronic prescription",
    "EPARCOURS": "e-parcours (plateforme régionale) / Regional care coordination platform",
    "PSC": "Pro Santé Connect / Professional sign-in",
    "CDA": "Documents CDA / CDA documents",
    "DUI": "DUI (exigences générales) / DUI general requirements",
}

#: verdict -> (français, English, symbol); the symbol keeps the verdict readable without colour
VERDICT_LABELS = {
    "pass": ("Conforme", "Pass", "✔"),
    "fail": ("Non conforme", "Fail", "✘"),
    "blocked": ("Bloqué par un autre échec", "Blocked", "⊘"),
    "unreachable": ("DUI injoignable", "DUI unreachable", "⚠"),
    "error": ("Erreur du banc", "Harness error", "⚠"),
    "skip": ("Non vérifié (entrée manquante)", "Skipped (input missing)", "–"),
    "not-judged": ("Non jugé (test non exécuté)", "Not judged (test not run)", "?"),
    "attestation": ("Déclaré, non testé", "Declared, not tested", "✎"),
    "not-covered": ("Non couvert", "Not covered", "∅"),
}
VERDICT_ORDER = tuple(VERDICT_LABELS)


def service_label(code: str) -> str:
    return SERVICE_LABELS.get(code, code)


def verdict_label(verdict: str) -> str:
    fr, en, symbol = VERDICT_LABELS.get(verdict, (verdict, verdict, "?"))
    return f"{symbol} {fr} / {en}"
