"""A Convergence-shaped proof export of a verified bundle: one folder per official requirement and scenario.

Layout (``/`` of an official id becomes ``_`` in file names; the index keeps the exact numbering)::

    index.csv, index.html                     every proof: number, official id, scenario, file, hashes
    SC.MSS_CONF.25/MSS_CONF.25.01/
        MSS_CONF.25.01.01-verdict.html        the verdict page (derived from coverage-matrix.json)
        MSS_CONF.25.01.02-<exchange file>     a captured exchange of a test that judged it
        MSS_CONF.25.01.03-<document>          a validated document
        MSS_CONF.25.01.04-<attestation file>  a file the editor attached (--attestations)

A proof is numbered ``<exigence>.<scénario>.<preuve>`` after the official scenario of the ANS
base (its id is in the account; ``.00`` when the base has none for this requirement). Every
proof file is a byte-for-byte copy of a bundle member, whose SHA-256 the index gives beside
the manifest's, except the verdict page, which names the member it was derived from.
:func:`check_export` re-checks an export against its bundle.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from harness.core.official import Account, OfficialRequirement, official_verdicts
from harness.evidence.attestations import DECLARATIONS

__all__ = ["INDEX_COLUMNS", "check_export", "export_proofs"]

INDEX_COLUMNS = [
    "proof",
    "official_id",
    "scenario",
    "disposition",
    "verdict",
    "requirements",
    "kind",
    "file",
    "size",
    "sha256",
    "bundle_member",
    "bundle_sha256",
]
MATRIX = "coverage-matrix.json"


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.@_-]", "_", text)


def _official(matrix: dict[str, Any], account: Account) -> dict[str, dict[str, Any]]:
    items = matrix.get("official")
    if not isinstance(items, list):  # a bundle made before the account: derive the verdicts now
        items = official_verdicts(
            account, {str(r.get("id")): str(r.get("verdict")) for r in matrix.get("requirements", [])}
        )
    return {str(i.get("id")): i for i in items if isinstance(i, dict)}


def _evidence(rows: list[dict[str, Any]], contents: dict[str, bytes]) -> list[tuple[str, str]]:
    """(kind, member) of the exchanges and validated documents of the project requirements ``rows``."""
    ids = {e for row in rows for t in row.get("tests", []) for e in t.get("exchanges", [])}
    wanted = {str(row.get("id")) for row in rows}
    out: list[tuple[str, str]] = []
    for name in sorted(contents):
        if name.startswith("exchanges/") and name.split("/")[-1].split("-", 1)[0] in ids:
            out.append(("exchange", name))
        elif name.startswith("documents/") and name.endswith(".json"):
            try:
                side = json.loads(contents[name])
            except ValueError:
                continue
            if isinstance(side, dict) and wanted & set(side.get("requirements") or []):
                doc = name.removesuffix(".json")
                out += [("document", n) for n in (doc, name) if n in contents]
    return out


def _declared(contents: dict[str, bytes]) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(contents.get(DECLARATIONS, b"{}"))
    except ValueError:
        return {}
    return {str(a.get("id")): a for a in data.get("attestations", []) if isinstance(a, dict)}


def _verdict_page(
    entry: OfficialRequirement,
    item: dict[str, Any],
    rows: list[dict[str, Any]],
    declared: dict[str, Any] | None,
    proofs: list[str],
    text: str,
) -> bytes:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="fr"><head><meta charset="utf-8">',
        f"<title>{e(entry.id)} — preuve / proof</title></head><body>",
        f"<h1>{e(entry.id)} <small>({e(entry.nature)})</small></h1>",
        f"<p><b>Résumé (dui-harness) / Summary:</b> {e(entry.summary_fr)}</p>",
    ]
    if text:
        parts.append(f"<p><b>Texte officiel / Official text:</b></p><blockquote>{e(text)}</blockquote>")
    parts += [
        f"<p><b>Disposition:</b> {e(entry.disposition)} — <b>Verdict:</b> {e(str(item.get('verdict')))}</p>",
        f"<p>{e(entry.note)}</p>" if entry.note else "",
        "<h2>Exigences du projet / Project requirements</h2><ul>",
    ]
    for row in rows:
        tests = ", ".join(f"{t.get('test')} = {t.get('verdict')}" for t in row.get("tests", []))
        findings = "".join(
            f"<br><small>✘ {e(str(f.get('rule')))} — {e(str(f.get('message')))} "
            f"({e(str(f.get('location') or '—'))})</small>"
            for test in row.get("tests", [])
            if test.get("verdict") != "pass"
            for f in test.get("findings", [])
        )
        parts.append(
            f"<li><b>{e(str(row.get('id')))}</b> ({e(str(row.get('level')))}) — "
            f"{e(str(row.get('verdict')))} — {e(str(row.get('title_fr')))}<br><small>{e(tests)}</small>"
            f"{findings}</li>"
        )
    parts.append("</ul>")
    if declared:
        parts.append(
            f"<h2>Déclaration de l'éditeur / Editor's statement ({e(str(declared.get('kind')))})</h2>"
            f"<p>{e(str(declared.get('statement')))}</p>"
        )
    parts.append(
        "<h2>Autres preuves / Other proofs</h2><ul>"
        + "".join(f'<li><a href="{e(p)}">{e(p)}</a></li>' for p in proofs)
        + "</ul></body></html>"
    )
    return "\n".join(parts).encode("utf-8")


def export_proofs(
    contents: dict[str, bytes],
    manifest: dict[str, Any],
    account: Account,
    out: Path,
    texts: dict[str, dict[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """Write the export of a verified bundle's ``contents`` into ``out``; returns the index rows."""
    hashes = {f["path"]: f["sha256"] for f in manifest.get("files", []) if isinstance(f, dict)}
    matrix = json.loads(contents[MATRIX])
    rows_by_id = {str(r.get("id")): r for r in matrix.get("requirements", [])}
    official, declared = _official(matrix, account), _declared(contents)
    index: list[dict[str, Any]] = []
    for entry in account:
        item = official.get(entry.id)
        if item is None or not (entry.judged_by_tests or entry.id in declared):
            continue
        rows = [rows_by_id[r] for r in entry.requirements if r in rows_by_id]
        sources = _evidence(rows, contents)
        sources += [
            ("attestation", f["path"]) for f in declared.get(entry.id, {}).get("files", []) if f.get("path") in contents
        ]
        for scenario in entry.scenarios or (f"{entry.numbering}.00",):
            folder = out / _safe(entry.id) / _safe(scenario)
            folder.mkdir(parents=True, exist_ok=True)
            names = [f"{_safe(scenario)}.{n + 2:02d}-{member.split('/')[-1]}" for n, (_, member) in enumerate(sources)]
            text = (texts or {}).get(entry.id, {}).get("texte_brut", "")
            page = _verdict_page(entry, item, rows, declared.get(entry.id), names, text)
            files = [("verdict", f"{_safe(scenario)}.01-verdict.html", page, MATRIX)]
            files += [
                (kind, name, contents[member], member) for (kind, member), name in zip(sources, names, strict=True)
            ]
            for number, (kind, name, data, member) in enumerate(files, start=1):
                (folder / name).write_bytes(data)
                index.append(
                    {
                        "proof": f"{scenario}.{number:02d}",
                        "official_id": entry.id,
                        "scenario": scenario,
                        "disposition": entry.disposition,
                        "verdict": item.get("verdict"),
                        "requirements": " ".join(entry.requirements),
                        "kind": kind,
                        "file": f"{_safe(entry.id)}/{_safe(scenario)}/{name}",
                        "size": len(data),
                        "sha256": hashlib.sha256(data).hexdigest(),
                        "bundle_member": member,
                        "bundle_sha256": hashes.get(member, ""),
                    }
                )
    _write_index(out, index, manifest)
    return index


def _write_index(out: Path, index: list[dict[str, Any]], manifest: dict[str, Any]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, INDEX_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(index)
    (out / "index.csv").write_text(buffer.getvalue(), encoding="utf-8")
    e = html.escape
    dui = manifest.get("dui") or {}
    head = [
        "<!DOCTYPE html>",
        '<html lang="fr"><head><meta charset="utf-8"><title>Preuves / Proofs</title>',
        "<style>table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:.2rem .4rem;"
        "font-size:.9rem;text-align:left}</style></head><body>",
        f"<h1>Preuves Convergence / Convergence proofs — {e(str(dui.get('name')))} {e(str(dui.get('version')))}</h1>",
        f"<p>Dossier signé du {e(str(manifest.get('created')))} ; {len(index)} fichiers de preuve, "
        f"{len({r['official_id'] for r in index})} exigences officielles. / Signed bundle of "
        f"{e(str(manifest.get('created')))}; each file's SHA-256 is given beside the manifest's.</p>",
        "<table><tr>" + "".join(f"<th>{e(c)}</th>" for c in INDEX_COLUMNS) + "</tr>",
    ]
    for row in index:
        cells = [
            f'<a href="{e(row[c])}">{e(str(row[c]))}</a>' if c == "file" else e(str(row[c])) for c in INDEX_COLUMNS
        ]
        head.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    (out / "index.html").write_text("\n".join([*head, "</table></body></html>", ""]), encoding="utf-8")


def check_export(out: Path, contents: dict[str, bytes], manifest: dict[str, Any]) -> list[str]:
    """Problems of an export against its bundle: a file changed, or not the bundle member it claims."""
    hashes = {f["path"]: f["sha256"] for f in manifest.get("files", []) if isinstance(f, dict)}
    problems = []
    rows: Iterable[dict[str, str]] = csv.DictReader(io.StringIO((out / "index.csv").read_text(encoding="utf-8")))
    for row in rows:
        file = out / row["file"]
        if not file.is_file():
            problems.append(f"{row['file']}: missing")
            continue
        digest = hashlib.sha256(file.read_bytes()).hexdigest()
        if digest != row["sha256"]:
            problems.append(f"{row['file']}: changed since the export (SHA-256 differs from the index)")
        if hashes.get(row["bundle_member"]) != row["bundle_sha256"]:
            problems.append(f"{row['file']}: {row['bundle_member']} has another SHA-256 in the bundle manifest")
        if row["kind"] != "verdict" and digest != hashes.get(row["bundle_member"]):
            problems.append(f"{row['file']}: not the bundle member {row['bundle_member']} (SHA-256 differs)")
    return problems
