"""``conformity-matrix.html``: the conformity matrix for a reviewer, one static file, no JavaScript.

Per service, per requirement of the profile: id, French title (English summary below),
level, verdict in colour *and* in words; for a failed requirement the reason, the findings
(location, message) and links to the captured exchanges (``exchanges/…`` beside the file
once the bundle is unzipped); attestations are shown as declared by the editor, never as
tested. French first, English labels after a slash.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from harness.core.verdicts import Overall, overall_verdict
from harness.evidence.official_html import official_ids_html, render_official_html
from harness.evidence.services import VERDICT_LABELS, service_label, verdict_label

__all__ = ["render_matrix_html"]

_COLOURS = {
    "pass": ("#14632e", "#dff3e4"),
    "fail": ("#a0001c", "#fde2e5"),
    "blocked": ("#8a4b00", "#fdebd3"),
    "unreachable": ("#5b4a00", "#fff4c2"),
    "error": ("#5a1a7a", "#efe1f7"),
    "skip": ("#444", "#ececec"),
    "not-judged": ("#444", "#ececec"),
    "attestation": ("#0b4a8b", "#e1edfb"),
    "not-covered": ("#444", "#f3f3f3"),
}
_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:1.5rem;color:#1d1d1d;
line-height:1.4;max-width:1200px}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:2px solid #ccc}
.en{color:#555;font-style:italic}table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #c8c8c8;padding:.35rem .5rem;text-align:left;vertical-align:top;font-size:.92rem}
th{background:#f0f0f0}.verdict{font-weight:700;white-space:nowrap;border-radius:4px;padding:.1rem .4rem;
display:inline-block}.id{font-family:ui-monospace,Menlo,Consolas,monospace;white-space:nowrap}
dl.meta{display:grid;grid-template-columns:max-content auto;gap:.1rem 1rem;margin:.5rem 0}dl.meta dt{font-weight:600}
dl.meta dd{margin:0}.finding{margin:.25rem 0;padding:.25rem .4rem;background:#fff7f7;border-left:3px solid #a0001c}
.loc{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem;word-break:break-all}
details pre{white-space:pre-wrap;font-size:.8rem;max-height:20rem;overflow:auto;background:#f7f7f7;padding:.4rem}
table.req,table.svc{table-layout:fixed}table.req td{overflow-wrap:anywhere}
table.req col.c-id{width:9.5rem}table.req td.id{white-space:normal}
table.req col.c-level{width:5rem}table.req col.c-app{width:7rem}
table.req col.c-verdict{width:11rem}table.req col.c-title{width:30%}
table.req .verdict,table.svc .verdict{white-space:normal;overflow-wrap:normal;word-break:normal;hyphens:manual}
table.svc col.c-service{width:20%}table.svc th,table.svc td{font-size:.85rem}
table.svc th .verdict{font-size:.72rem}table.svc td{text-align:center}
table.svc td:first-child{text-align:left}
.overall{font-size:1.25rem;font-weight:700;padding:.5rem .8rem;border-radius:6px}
.partial{padding:.4rem .8rem;border-left:4px solid #8a4b00;background:#fdebd3}
"""
_OVERALL_COLOURS = {
    "conforme": ("#14632e", "#dff3e4"),
    "non-conforme": ("#a0001c", "#fde2e5"),
    "partiel": ("#8a4b00", "#fdebd3"),
}


def _e(value: Any) -> str:
    return html.escape(str(value if value is not None else ""))


def _badge(verdict: str) -> str:
    fg, bg = _COLOURS.get(verdict, ("#444", "#eee"))
    return f'<span class="verdict" style="color:{fg};background:{bg}">{_e(verdict_label(verdict))}</span>'


def _overall_html(matrix: dict[str, Any], run: dict[str, Any]) -> str:
    """The DUI's overall verdict, first on the page, and a banner when the run is partial."""
    overall = matrix.get("overall")
    if not isinstance(overall, dict):
        overall = overall_verdict(matrix.get("requirements") or [], matrix.get("partial_reasons") or []).as_dict()
    verdict = Overall.from_dict(overall)
    fg, bg = _OVERALL_COLOURS.get(verdict.verdict, ("#444", "#eee"))
    parts = [
        f'<p class="overall" style="color:{fg};background:{bg}">Verdict de la DUI / DUI verdict : '
        f"{_e(verdict.label())}</p>"
    ]
    if verdict.partial or run.get("interrupted"):
        why = "; ".join(verdict.partial_reasons)
        parts.append(
            f'<p class="partial"><b>Exécution partielle{" (interrompue)" if run.get("interrupted") else ""}'
            f" / Partial run{' (interrupted)' if run.get('interrupted') else ''}</b> — {_e(why)}. "
            "Les exigences dont les tests n'ont pas été exécutés sont « non jugées » : ce document ne "
            'prouve pas leur conformité. / Requirements whose tests did not run are "not judged": this '
            "document does not prove their conformity.</p>"
        )
    return "".join(parts)


def _exchange_links(ids: Iterable[str], files: dict[str, str]) -> str:
    links = []
    for ident in dict.fromkeys(ids):
        target = files.get(ident)
        links.append(f'<a href="{_e(target)}">#{_e(ident)}</a>' if target else f"#{_e(ident)}")
    return ", ".join(links)


def _failure_details(row: dict[str, Any], files: dict[str, str]) -> str:
    parts: list[str] = []
    for test in row.get("tests", []):
        if test.get("verdict") in ("pass", "no-verdict"):
            continue
        reason = test.get("reason") or (test.get("message") or "").strip().splitlines()[-1:] or [""]
        reason_text = reason if isinstance(reason, str) else reason[0]
        block = [
            f'<div><span class="loc">{_e(test.get("test"))}</span> — {_badge(str(test.get("verdict")))}<br>'
            f"<b>Motif / Reason:</b> {_e(reason_text)}</div>"
        ]
        for finding in test.get("findings", []):
            evidence = [
                e.removeprefix("exchange ").strip()
                for e in finding.get("evidence", [])
                if str(e).startswith("exchange ")
            ]
            block.append(
                f'<div class="finding"><b>{_e(finding.get("rule"))}</b> — {_e(finding.get("message"))}<br>'
                f'<b>Emplacement / Location:</b> <span class="loc">{_e(finding.get("location") or "—")}</span>'
                + (f"<br><b>Échange / Exchange:</b> {_exchange_links(evidence, files)}" if evidence else "")
                + "</div>"
            )
        if test.get("exchanges"):
            block.append(
                f"<div><b>Échanges capturés / Captured exchanges:</b> {_exchange_links(test['exchanges'], files)}</div>"
            )
        if test.get("message"):
            block.append(
                f"<details><summary>Détail technique / Technical detail</summary>"
                f"<pre>{_e(test['message'])}</pre></details>"
            )
        parts.append("".join(block))
    return "".join(parts)


def _row(row: dict[str, Any], req: dict[str, Any], files: dict[str, str]) -> str:
    verdict = str(row.get("verdict"))
    title = _e(row.get("title_fr") or req.get("title_fr"))
    summary = req.get("summary_en")
    source = req.get("source") or ""
    url = req.get("url") or ""
    source_html = (
        f'<br><small>Source : <a href="{_e(url)}">{_e(source)}</a></small>'
        if url
        else f"<br><small>Source : {_e(source)}</small>"
        if source
        else ""
    )
    detail = ""
    if verdict == "attestation":
        detail = (
            "<b>Déclaré par l'éditeur, non testé / Declared by the editor, not tested.</b> "
            f"{_e(req.get('not_tested_reason'))}"
        )
    elif verdict in ("blocked", "not-judged") and row.get("reason"):
        blockers = row.get("blocked_by") or []
        detail = (
            f"<b>Motif / Reason:</b> {_e(row.get('reason'))}"
            + (
                f"<br><b>Bloquée par / Blocked by:</b> <span class='id'>{_e(', '.join(blockers))}</span>"
                if blockers
                else ""
            )
            + (_failure_details(row, files) if verdict == "blocked" else "")
        )
    elif verdict not in ("pass",):
        detail = _failure_details(row, files)
    tests = len(row.get("tests", []))
    return (
        f'<tr><td class="id">{_e(row.get("id"))}{official_ids_html(row.get("official"))}</td><td>{title}'
        + (f'<br><span class="en">{_e(summary)}</span>' if summary else "")
        + source_html
        + f"</td><td>{_e(row.get('level'))}</td><td>{_e(row.get('applicability') or req.get('applicability'))}"
        f"</td><td>{_badge(verdict)}<br><small>{tests} test(s)</small></td><td>{detail}</td></tr>"
    )


def render_matrix_html(
    matrix: dict[str, Any],
    requirements: dict[str, dict[str, Any]],
    run: dict[str, Any],
    dui: dict[str, Any],
    exchange_files: Iterable[str],
    *,
    generated: datetime,
) -> str:
    """The HTML page (a complete document) of ``matrix``."""
    files = {name.split("/")[-1].split("-", 1)[0]: name for name in exchange_files}
    rows = list(matrix.get("requirements", []))
    services = list(dict.fromkeys(str(r.get("service")) for r in rows))
    profile = matrix.get("profile", {})
    counts = matrix.get("counts", {})
    present = [v for v in VERDICT_LABELS if any(r.get("verdict") == v for r in rows)]
    head = [
        "<!DOCTYPE html>",
        '<html lang="fr"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Matrice de conformité / Conformity matrix — {_e(dui.get('name'))} {_e(dui.get('version'))}</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Matrice de conformité <span class='en'>/ Conformity matrix</span></h1>",
        _overall_html(matrix, run),
        '<dl class="meta">',
        f"<dt>DUI</dt><dd>{_e(dui.get('name'))} — version {_e(dui.get('version'))}</dd>",
        f"<dt>Éditeur / Editor</dt><dd>{_e(dui.get('editor'))}</dd>",
        f"<dt>Build</dt><dd>{_e(dui.get('build_id'))} <small>({_e(dui.get('source'))})</small></dd>",
        f"<dt>Profil / Profile</dt><dd>{_e(profile.get('title'))} — {_e(profile.get('name'))} "
        f"{_e(profile.get('version'))}<br><small class='loc'>SHA-256 {_e(profile.get('sha256'))}</small></dd>",
        f"<dt>Exécution / Run</dt><dd>{_e(run.get('started'))} → {_e(run.get('finished'))} "
        f"(mode {_e(dui.get('mode'))})</dd>",
        f"<dt>Banc / Harness</dt><dd>dui-harness {_e(run.get('harness_version'))}; "
        f"{_e((run.get('environment') or {}).get('system'))}, Python "
        f"{_e((run.get('environment') or {}).get('python'))}</dd>",
        f"<dt>Généré le / Generated</dt><dd>{_e(generated.isoformat())}</dd>",
        "</dl>",
        "<p>Résumé / Summary: "
        + ", ".join(f"{_badge(v)} {counts[v]}" for v in VERDICT_LABELS if counts.get(v))
        + "</p>",
        "<p><small>Chaque verdict est donné en couleur et en toutes lettres. Les attestations sont déclarées "
        "par l'éditeur et ne sont pas testées. / Every verdict is given in colour and in words. Attestations "
        "are declared by the editor, not tested. Les liens d'échanges ouvrent les fichiers du dossier "
        "<span class='loc'>exchanges/</span> / exchange links open the files of the exchanges/ folder.</small></p>",
        "<h2>Par service / Per service</h2><table class='svc'><colgroup><col class='c-service'>"
        + "<col>" * len(present)
        + "</colgroup><tr><th>Service</th>"
        + "".join(f"<th>{_badge(v)}</th>" for v in present)
        + "</tr>",
    ]
    for service in services:
        mine = [r for r in rows if r.get("service") == service]
        cells = "".join(f"<td>{sum(1 for r in mine if r.get('verdict') == v) or ''}</td>" for v in present)
        head.append(f'<tr><td><a href="#svc-{_e(service)}">{_e(service_label(service))}</a></td>{cells}</tr>')
    head.append("</table>")
    body = []
    for service in services:
        body.append(f'<h2 id="svc-{_e(service)}">{_e(service_label(service))}</h2>')
        body.append(
            "<table class='req'><colgroup><col class='c-id'><col class='c-title'><col class='c-level'>"
            "<col class='c-app'><col class='c-verdict'><col></colgroup><tr><th>Exigence<br>"
            "<span class='en'>Requirement</span></th><th>Intitulé<br>"
            "<span class='en'>Title</span></th><th>Niveau<br><span class='en'>Level</span></th>"
            "<th>Applicabilité<br><span class='en'>Applies to</span></th><th>Verdict</th>"
            "<th>Motif, emplacement, échange<br><span class='en'>Reason, location, exchange</span></th></tr>"
        )
        for row in rows:
            if row.get("service") == service:
                body.append(_row(row, requirements.get(str(row.get("id")), {}), files))
        body.append("</table>")
    return "\n".join([*head, *body, render_official_html(matrix), "</body></html>", ""])
