"""The official Ségur requirements in the conformity matrix: counts, then one row per official requirement."""

from __future__ import annotations

import html
from typing import Any

from harness.core.official import DISPOSITIONS, load_account, load_base
from harness.errors import ProfileError, UsageError
from harness.paths import profiles_dir

__all__ = ["official_ids_html", "render_official_html"]

_LABELS = {
    "tested": "testée / tested",
    "partly": "testée en partie / partly tested",
    "not-covered": "non couverte / not covered",
    "demonstration": "démonstration / demonstration",
    "attestation": "attestation",
    "not-applicable": "non applicable / not applicable",
    "pass": "conforme / pass",
    "partial": "conforme en partie / partial",
    "fail": "non conforme / fail",
    "not-judged": "non jugée / not judged",
}


def _e(value: Any) -> str:
    return html.escape(str(value if value is not None else ""))


def official_ids_html(ids: list[str] | None) -> str:
    """The official ids of a project requirement, under its id."""
    if not ids:
        return ""
    return (
        "<br><small title='exigences officielles Ségur / official Ségur requirements'>"
        + ", ".join(_e(i) for i in ids)
        + "</small>"
    )


def render_official_html(matrix: dict[str, Any]) -> str:
    """The section of the official requirements (empty when the matrix has no ``official`` list)."""
    items = matrix.get("official")
    if not isinstance(items, list) or not items:
        return ""
    try:
        account = {e.id: e for e in load_account(profiles_dir())}
    except ProfileError:
        account = {}
    try:  # the official texts, only from a copy of the base the user gave ($DUI_HARNESS_EXIGENCES, run --exigences)
        texts = load_base(None)
    except UsageError:
        texts = {}
    counts = matrix.get("official_counts") or {}
    name = matrix.get("official_account") or {}
    parts = [
        f"<h2 id='official'>Exigences officielles Ségur <span class='en'>/ Official Ségur requirements</span>"
        f"</h2><p>{_e(name.get('name'))} {_e(name.get('version'))} — {len(items)} exigences. "
        "Disposition : comment le projet en rend compte ; verdict : ce que les exigences du projet qui la "
        "testent ont donné. / Disposition: how the project accounts for it; verdict: what the project "
        "requirements testing it gave.</p><table><tr><th>Disposition</th><th>N</th></tr>"
    ]
    for disposition in DISPOSITIONS:
        parts.append(
            f"<tr><td>{_e(_LABELS[disposition])}</td>"
            f"<td>{_e((counts.get('disposition') or {}).get(disposition, 0))}</td></tr>"
        )
    parts.append("</table><table><tr><th>Verdict</th><th>N</th></tr>")
    for verdict, n in sorted((counts.get("verdict") or {}).items()):
        parts.append(f"<tr><td>{_e(_LABELS.get(verdict, verdict))}</td><td>{_e(n)}</td></tr>")
    parts.append(
        "</table><table class='req'><tr><th>Exigence officielle<br><span class='en'>Official id</span></th>"
        "<th>Nature</th><th>Disposition</th><th>Verdict</th><th>Exigences du projet<br>"
        "<span class='en'>Project requirements</span></th><th>Résumé (dui-harness), note</th></tr>"
    )
    for item in items:
        entry = account.get(str(item.get("id")))
        summary = f"{_e(entry.summary_fr)}<br><small>{_e(entry.note)}</small>" if entry else ""
        text = texts.get(str(item.get("id")), {}).get("texte_brut", "")
        if text:
            summary += f"<details><summary>Texte officiel / Official text</summary>{_e(text)}</details>"
        parts.append(
            f"<tr><td class='id'>{_e(item.get('id'))}</td><td>{_e(item.get('nature'))}</td>"
            f"<td>{_e(_LABELS.get(str(item.get('disposition')), item.get('disposition')))}</td>"
            f"<td>{_e(_LABELS.get(str(item.get('verdict')), item.get('verdict')))}</td>"
            f"<td>{_e(' '.join(item.get('requirements') or []))}</td><td>{summary}</td></tr>"
        )
    parts.append("</table>")
    return "".join(parts)
