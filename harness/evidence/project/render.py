"""Text and static HTML (no JavaScript) of a project check, French with English labels."""

from __future__ import annotations

import html
from typing import Any

from harness.evidence.project.check import CONFORMANT, NOT_CONFORMANT, ProjectReport

__all__ = ["render_html", "render_text"]

_RULE = {
    "pass": ("✔ Respectée", "Met", "#14632e", "#dff3e4"),
    "fail": ("✘ Non respectée", "Not met", "#a0001c", "#fde2e5"),
    "capped": ("⚠ Plafonnée", "Capped", "#8a4b00", "#fdebd3"),
    "not-applicable": ("– Sans objet", "Not applicable", "#444", "#ececec"),
}
_SERVICE = {
    CONFORMANT: ("✔ conforme", "conformant", "#14632e", "#dff3e4"),
    NOT_CONFORMANT: ("✘ non conforme", "not conformant", "#a0001c", "#fde2e5"),
    "not-evidenced": ("∅ sans preuve", "no evidence", "#444", "#ececec"),
}


def _eur(amount: int) -> str:
    return f"{amount:,}".replace(",", " ") + " €"


def render_text(report: ProjectReport) -> str:
    lines = [
        f"dui-harness check-project — {report.project} ({report.region}; règles / rules {report.rules})",
        f"  VERDICT: {'conforme aux règles / meets the rules' if report.ok else 'NON / NOT met'}; "
        f"montant finançable / fundable total: {_eur(report.total)} "
        f"(acquisition {_eur(report.breakdown.get('acquisition', 0))}, upgrade "
        f"{_eur(report.breakdown.get('upgrade', 0))}, equipment {_eur(report.breakdown.get('equipment', 0))})",
        "  Règles / rules:",
    ]
    for rule in report.rule_verdicts:
        fr, en = _RULE[rule.verdict][:2]
        lines.append(f"    {fr} / {en:<14} {rule.id:<24} {rule.reason}")
    lines.append("  ESMS:")
    for e in report.esms:
        state = f"financé / funded {_eur(e.amount)}" if e.funded else "NON financé / NOT funded"
        lines.append(
            f"    {e.finess} {e.name} ({e.category}, {'médicalisé' if e.medicalised else 'non médicalisé'},"
            f" {e.software} {e.version}, {e.operation}): {state}"
        )
        services = ", ".join(f"{s} {_SERVICE[v['status']][1]}" for s, v in e.services.items())
        lines.append(f"        services: {services}")
        lines += [f"        - {r}" for r in e.reasons]
    lines.append("  Attestations (déclarées, non testées / declared, not tested):")
    for a in report.attestations:
        lines.append(
            f"    {a['status']:<13} {a['id']:<18} {a['title_fr']} / {a['title_en']}"
            + (f" — {a['by']} {a['date']}".rstrip() if a["by"] or a["date"] else "")
        )
    lines.append("  Dossiers de preuves / evidence bundles:")
    for b in report.bundles:
        lines.append(
            f"    {'valide / valid' if b.valid else 'INVALIDE / INVALID'}: {b.path} — "
            f"{b.dui.get('name')} {b.dui.get('version')}"
        )
        if b.partial:
            why = "; ".join(b.partial)[:300]
            lines.append(f"        ⚠ exécution partielle, non comptée / partial run, not counted: {why}")
        lines += [f"        ✘ {p}" for p in b.problems[:5]]
    return "\n".join(lines) + "\n"


def _e(value: Any) -> str:
    return html.escape(str(value if value is not None else ""))


def _badge(table: dict[str, tuple[str, str, str, str]], key: str) -> str:
    fr, en, fg, bg = table.get(key, (key, key, "#444", "#eee"))
    return f'<span class="b" style="color:{fg};background:{bg}">{_e(fr)} / {_e(en)}</span>'


def render_html(report: ProjectReport) -> str:
    style = (
        "body{font-family:system-ui,Arial,sans-serif;margin:1.5rem;max-width:1200px;color:#1d1d1d}"
        "table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #c8c8c8;"
        "padding:.35rem .5rem;text-align:left;vertical-align:top;font-size:.92rem}th{background:#f0f0f0}"
        ".b{font-weight:700;border-radius:4px;padding:.1rem .4rem;white-space:nowrap;display:inline-block}"
        ".en{color:#555;font-style:italic}h2{border-bottom:2px solid #ccc;font-size:1.2rem}"
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="fr"><head><meta charset="utf-8">',
        f"<title>Contrôle de projet / Project check — {_e(report.project)}</title><style>{style}</style></head><body>",
        f"<h1>Contrôle de projet ESMS numérique <span class='en'>/ Project check</span></h1>"
        f"<p><b>{_e(report.project)}</b> — région / region {_e(report.region)} — règles / rules "
        f"{_e(report.rules)}</p>",
        f"<p>Verdict : {_badge(_RULE, 'pass' if report.ok else 'fail')} — "
        f"<b>montant finançable / fundable total : {_e(_eur(report.total))}</b> "
        f"(acquisition {_e(_eur(report.breakdown.get('acquisition', 0)))}, mise à niveau / upgrade "
        f"{_e(_eur(report.breakdown.get('upgrade', 0)))}, équipement / equipment "
        f"{_e(_eur(report.breakdown.get('equipment', 0)))})</p>",
        "<h2>Règles / Rules</h2><table><tr><th>Règle / Rule</th><th>Verdict</th><th>Motif / Reason</th>"
        "<th>Source</th></tr>",
    ]
    for rule in report.rule_verdicts:
        parts.append(
            f"<tr><td>{_e(rule.title_fr)}<br><span class='en'>{_e(rule.title_en)}</span></td>"
            f"<td>{_badge(_RULE, rule.verdict)}</td><td>{_e(rule.reason)}</td><td>{_e(rule.source)}</td></tr>"
        )
    parts.append(
        "</table><h2>ESMS</h2><table><tr><th>FINESS</th><th>ESMS</th><th>OG</th><th>DUI</th>"
        "<th>Services socles / Socle services</th><th>Financement / Funding</th></tr>"
    )
    for e in report.esms:
        services = "<br>".join(
            f"{_e(s)} {_badge(_SERVICE, v['status'])} <small>{_e(v['why'])}</small>" for s, v in e.services.items()
        )
        funding = (_badge(_RULE, "pass") + f" {_e(_eur(e.amount))}") if e.funded else _badge(_RULE, "fail")
        reasons = "".join(f"<br><small>{_e(r)}</small>" for r in e.reasons)
        kind = "médicalisé / medicalised" if e.medicalised else "non médicalisé / non-medicalised"
        parts.append(
            f"<tr><td>{_e(e.finess)}</td><td>{_e(e.name)}<br><small>{_e(e.category)}, {kind}</small></td>"
            f"<td>{_e(e.og)}</td><td>{_e(e.software)} {_e(e.version)}<br><small>{_e(e.operation)}</small></td>"
            f"<td>{services}</td><td>{funding}{reasons}</td></tr>"
        )
    parts.append(
        "</table><h2>Attestations <span class='en'>(déclarées, non testées / declared, not tested)</span></h2>"
        "<table><tr><th>Attestation</th><th>État / Status</th><th>Par / By</th></tr>"
    )
    for a in report.attestations:
        status = "Déclarée / Declared" if a["status"] == "declared" else "Non déclarée / Not declared"
        parts.append(
            f"<tr><td>{_e(a['title_fr'])}<br><span class='en'>{_e(a['title_en'])}</span></td>"
            f"<td><b>{status}</b> <small>(non testé / not tested)</small></td>"
            f"<td>{_e(a['by'])} {_e(a['date'])}</td></tr>"
        )
    parts.append(
        "</table><h2>Dossiers de preuves / Evidence bundles</h2><table><tr><th>Bundle</th><th>DUI</th>"
        "<th>Vérification / Verification</th></tr>"
    )
    for b in report.bundles:
        verdict = _badge(_RULE, "pass" if b.valid else "fail")
        problems = "".join(f"<br><small>{_e(p)}</small>" for p in b.problems[:5])
        if b.partial:
            problems += (
                f"<br><small><b>Exécution partielle, non comptée / partial run, not counted:</b> "
                f"{_e('; '.join(b.partial)[:300])}</small>"
            )
        parts.append(
            f"<tr><td>{_e(b.path)}</td><td>{_e(b.dui.get('name'))} {_e(b.dui.get('version'))}</td>"
            f"<td>{verdict}{problems}</td></tr>"
        )
    parts += ["</table></body></html>", ""]
    return "\n".join(parts)
