"""The connection sheet: everything a person types into a DUI's settings to reach the simulators.

Built from the ``PUT /config/endpoints`` body of the run (the same facts a DUI with a trigger
API receives), per service: the exact URLs with their paths, the protocol, the client
certificate and key to install, the CA to trust, and the credentials (MSSanté mailbox,
Pro Santé Connect client). Written three ways under ``<reports>/attended/``: the terminal
text, ``connection-sheet.html`` (one static page) and ``endpoints.json`` (the body itself,
for a DUI that can load it: ``curl -X PUT --data @endpoints.json …/config/endpoints`` or
``python -m reference_dui --endpoints endpoints.json``).
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ServiceSheet", "build_sheet", "render_html", "render_text", "write_sheet"]

#: the Pro Santé Connect client registered for the DUI unless it declares its own (mocks/psc/realm.py)
PSC_REDIRECT_URIS = (
    "http://127.0.0.1/harness/v1/psc/callback (tout port / any port)",
    "https://127.0.0.1/harness/v1/psc/callback (tout port / any port)",
)


@dataclass
class ServiceSheet:
    """What to configure in the DUI for one simulated service."""

    key: str
    title: str
    protocol: str
    urls: list[tuple[str, str]] = field(default_factory=list)
    files: list[tuple[str, str]] = field(default_factory=list)
    credentials: list[tuple[str, str]] = field(default_factory=list)


def _tls_files(entry: dict[str, Any], label: str) -> list[tuple[str, str]]:
    files = []
    if entry.get("client_cert"):
        files += [
            (f"certificat client / client certificate ({label})", str(entry["client_cert"])),
            ("clé privée / private key", str(entry.get("client_key", ""))),
        ]
    if entry.get("ca"):
        files.append(("AC à déclarer de confiance / CA to trust", str(entry["ca"])))
    return files


def _insi(entry: dict[str, Any]) -> ServiceSheet:
    return ServiceSheet(
        "insi",
        "INSi (téléservice INS / INS teleservice)",
        "SOAP 1.2 sur HTTPS, TLS mutuel / SOAP 1.2 over HTTPS, mutual TLS",
        [("rechercherInsAvecTraitsIdentite, rechercherInsAvecCarteVitale", f"{entry['url']}/lps")],
        _tls_files(entry, "CN INSI-AUTO"),
    )


def _dmp(entry: dict[str, Any]) -> ServiceSheet:
    files = _tls_files(entry, "TLS")
    if entry.get("signing_cert"):
        files += [
            ("certificat de signature VIHF / VIHF signing certificate", str(entry["signing_cert"])),
            ("clé de signature VIHF / VIHF signing key", str(entry.get("signing_key", ""))),
        ]
    return ServiceSheet(
        "dmp",
        "DMP (Mon espace santé, XDS.b)",
        "SOAP 1.2 (MTOM/XOP) sur HTTPS, TLS mutuel, VIHF SAML signé / over HTTPS, mutual TLS, signed VIHF SAML",
        [
            ("ITI-41 Provide and Register, ITI-43 Retrieve", str(entry.get("repository", ""))),
            ("ITI-18 Registry Stored Query, ITI-57 Update", str(entry.get("registry", ""))),
            ("TD0.2 (statut du DMP / DMP status)", str(entry.get("td02", ""))),
        ],
        files,
    )


def _psc(entry: dict[str, Any]) -> ServiceSheet:
    redirects = entry.get("redirect_uris") or PSC_REDIRECT_URIS
    return ServiceSheet(
        "psc",
        "Pro Santé Connect",
        "OpenID Connect, code d'autorisation / authorization code (acr_values=eidas1)",
        [("issuer", str(entry.get("issuer", ""))), ("discovery", str(entry.get("discovery", "")))],
        _tls_files(entry, "TLS"),
        [
            ("client_id", str(entry.get("client_id", ""))),
            ("client_secret", str(entry.get("client_secret", ""))),
            *(("redirect URI", str(uri)) for uri in redirects),
        ],
    )


def _fhir(entry: dict[str, Any], key: str, title: str, flow: str) -> ServiceSheet:
    return ServiceSheet(
        key, title, "FHIR R4 REST (JSON) sur / over HTTPS", [(flow, str(entry["url"]))], _tls_files(entry, "TLS")
    )


def _mss(entry: dict[str, Any]) -> ServiceSheet:
    host = entry.get("host", "127.0.0.1")
    urls = []
    for label, key in (
        ("SMTP soumission / submission (STARTTLS)", "smtp_port"),
        ("SMTPS (TLS implicite / implicit)", "smtps_port"),
        ("IMAP (STARTTLS)", "imap_port"),
        ("IMAPS (TLS implicite / implicit)", "imaps_port"),
    ):
        if entry.get(key):
            urls.append((label, f"{host}:{entry[key]}"))
    return ServiceSheet(
        "mssante",
        "MSSanté (opérateur simulé / simulated operator)",
        "SMTP + IMAP4rev1, TLS (nom / name localhost, 127.0.0.1)",
        urls,
        _tls_files(entry, "CN BAL-APPLICATIVE-DUI, SASL EXTERNAL"),
        [
            ("adresse de la BAL / mailbox address", str(entry.get("address", ""))),
            ("identifiant / login", str(entry.get("address", ""))),
            ("mot de passe / password", str(entry.get("password", ""))),
        ],
    )


def build_sheet(endpoints: dict[str, Any]) -> list[ServiceSheet]:
    """One :class:`ServiceSheet` per service of the ``PUT /config/endpoints`` body, in a fixed order."""
    makers: dict[str, Callable[[dict[str, Any]], ServiceSheet]] = {
        "insi": _insi,
        "dmp": _dmp,
        "psc": _psc,
        "mssante": _mss,
        "eparcours": lambda e: _fhir(e, "eparcours", "e-parcours (TDDUI)", "base FHIR (flux 1 : POST [base]/)"),
        "epresc": lambda e: _fhir(
            e,
            "epresc",
            "e-prescription (modèle supposé / assumed model)",
            "base FHIR (Bundle?identifier=, MedicationAdministration)",
        ),
    }
    return [makers[key](endpoints[key]) for key in makers if isinstance(endpoints.get(key), dict)]


def render_text(sheets: list[ServiceSheet]) -> str:
    lines = ["FICHE DE CONNEXION / CONNECTION SHEET — à saisir dans la DUI / to enter in the DUI", ""]
    for sheet in sheets:
        lines += [f"■ {sheet.title}", f"    protocole / protocol: {sheet.protocol}"]
        lines += [f"    {label}: {value}" for label, value in (*sheet.urls, *sheet.files, *sheet.credentials)]
        lines.append("")
    return "\n".join(lines)


def _rows(pairs: list[tuple[str, str]], kind: str) -> str:
    return "".join(
        f'<tr class="{kind}"><th>{html.escape(label)}</th><td><code>{html.escape(value)}</code></td></tr>'
        for label, value in pairs
    )


def render_html(sheets: list[ServiceSheet]) -> str:
    """One static page (no JavaScript), printable, long paths wrapped rather than overflowing."""
    parts = []
    for sheet in sheets:
        parts.append(
            f'<section id="{sheet.key}"><h2>{html.escape(sheet.title)}</h2>'
            f"<p>{html.escape(sheet.protocol)}</p><table>{_rows(sheet.urls, 'url')}"
            f"{_rows(sheet.files, 'file')}{_rows(sheet.credentials, 'credential')}</table></section>"
        )
    return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>dui-harness — fiche de connexion / connection sheet</title>
<style>
body{{font-family:system-ui,sans-serif;max-width:70rem;margin:1rem auto;padding:0 1rem;color:#222}}
table{{border-collapse:collapse;width:100%;table-layout:fixed}}
th,td{{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}}
th{{width:32%;font-weight:600;background:#f6f6f6}}
td code{{overflow-wrap:anywhere;word-break:normal}}
tr.credential th{{background:#fff6d8}}
section{{margin-bottom:1.5rem}}
</style></head><body>
<h1>Fiche de connexion / Connection sheet</h1>
<p>Simulateurs dui-harness sur 127.0.0.1, à saisir dans les paramètres de la DUI. Données de test uniquement.
/ dui-harness simulators on 127.0.0.1, to enter in the DUI's settings. Test data only.</p>
{"".join(parts)}
</body></html>
"""


def write_sheet(folder: Path, endpoints: dict[str, Any]) -> tuple[str, Path, Path]:
    """Write ``connection-sheet.html`` and ``endpoints.json`` in ``folder``; returns the text and both paths."""
    sheets = build_sheet(endpoints)
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / "connection-sheet.html"
    page.write_text(render_html(sheets), encoding="utf-8")
    body = folder / "endpoints.json"
    body.write_text(json.dumps(endpoints, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return render_text(sheets), page, body
