"""Compare two runs (bundles or reports folders): what regressed, what was fixed, what came and went.

A requirement *regressed* when it passed before and does not now, or fails now and did not
before; it was *fixed* when it passes now and did not before; other verdict changes (e.g. a
harness error that became a pass would be *fixed*, an unreachable DUI that became blocked, a pass
that was not judged in a partial run) are *changed*. Each side's overall verdict is shown, and a
comparison involving a partial run says so. *Appeared* / *disappeared*: in one run's profile only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.core.verdicts import NOT_JUDGED, Overall
from harness.errors import InputError
from harness.evidence.bundle import run_state
from harness.evidence.services import verdict_label
from harness.evidence.sources import RunSource

__all__ = ["RunDiff", "diff_runs", "render_text"]


@dataclass
class RunDiff:
    old: dict[str, Any]
    new: dict[str, Any]
    regressed: list[dict[str, Any]] = field(default_factory=list)
    fixed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    appeared: list[dict[str, Any]] = field(default_factory=list)
    disappeared: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _rows(source: RunSource) -> dict[str, dict[str, Any]]:
    matrix = source.json("coverage-matrix.json")
    if not isinstance(matrix, dict) or not isinstance(matrix.get("requirements"), list):
        raise InputError(
            f"{source.label}: pas de coverage-matrix.json : ni dossier de rapports ni dossier de preuves "
            "/ no coverage-matrix.json: not a run's reports folder nor a bundle"
        )
    return {str(r.get("id")): r for r in matrix["requirements"] if isinstance(r, dict)}


def _identity(source: RunSource) -> dict[str, Any]:
    run = source.json("run.json") or {}
    matrix = source.json("coverage-matrix.json") or {}
    dui = run.get("dui") or (source.json("MANIFEST.json") or {}).get("dui") or {}
    profile = matrix.get("profile") or {}
    state = run_state(matrix, run)
    return {
        "source": source.label,
        "dui": {k: dui.get(k) for k in ("name", "version", "build_id")},
        "profile": f"{profile.get('name')}@{profile.get('version')}",
        "started": run.get("started"),
        "overall": state["overall"],
        "partial": state["partial"],
        "partial_reasons": state["partial_reasons"],
        "warnings": source.issues,
    }


def diff_runs(old: RunSource, new: RunSource) -> RunDiff:
    before, after = _rows(old), _rows(new)
    out = RunDiff(_identity(old), _identity(new))
    for req_id, row in after.items():
        entry = {
            "id": req_id,
            "service": row.get("service"),
            "level": row.get("level"),
            "title_fr": row.get("title_fr"),
            "new": row.get("verdict"),
        }
        if req_id not in before:
            out.appeared.append(entry)
            continue
        was, now = before[req_id].get("verdict"), row.get("verdict")
        entry["old"] = was
        if was == now:
            out.unchanged += 1
        elif now != NOT_JUDGED and ((was == "pass" and now != "pass") or (now == "fail" and was != "fail")):
            reasons = [t.get("reason") for t in row.get("tests", []) if t.get("reason")]
            entry["reason"] = reasons[0] if reasons else ""
            out.regressed.append(entry)
        elif now == "pass":
            out.fixed.append(entry)
        else:
            out.changed.append(entry)
    for req_id, row in before.items():
        if req_id not in after:
            out.disappeared.append(
                {
                    "id": req_id,
                    "service": row.get("service"),
                    "level": row.get("level"),
                    "title_fr": row.get("title_fr"),
                    "old": row.get("verdict"),
                }
            )
    return out


def render_text(diff: RunDiff) -> str:
    def who(side: dict[str, Any]) -> str:
        dui = side["dui"]
        return f"{dui.get('name')} {dui.get('version')} (build {dui.get('build_id')}), {side['profile']}"

    lines = [
        f"dui-harness diff\n  avant / old: {who(diff.old)} — {diff.old['source']}",
        f"    verdict: {Overall.from_dict(diff.old['overall']).label()}",
        f"  après / new: {who(diff.new)} — {diff.new['source']}",
        f"    verdict: {Overall.from_dict(diff.new['overall']).label()}",
    ]
    partial = [name for name, side in (("avant / old", diff.old), ("après / new", diff.new)) if side["partial"]]
    if partial:
        lines.append(
            f"  ⚠ comparaison d'exécution(s) partielle(s) / comparing partial run(s): {', '.join(partial)} — "
            "une exigence non jugée n'a ni régressé ni été corrigée / a requirement not judged neither "
            "regressed nor was fixed"
        )
    sections = (
        ("Régressions / Regressed", diff.regressed),
        ("Corrigées / Fixed", diff.fixed),
        ("Autres changements / Changed", diff.changed),
        ("Apparues / Appeared", diff.appeared),
        ("Disparues / Disappeared", diff.disappeared),
    )
    for title, items in sections:
        lines.append(f"{title}: {len(items)}")
        for item in items:
            arrow = f"{verdict_label(str(item.get('old', '—')))} → {verdict_label(str(item.get('new', '—')))}"
            lines.append(f"  {item['id']:<14} {item.get('service', ''):<9} {arrow}  {str(item.get('title_fr'))[:60]}")
            if item.get("reason"):
                lines.append(f"      {item['reason']}")
    lines.append(f"Inchangées / Unchanged: {diff.unchanged}")
    for side in (diff.old, diff.new):
        for warning in side["warnings"][:5]:
            lines.append(f"  ! {side['source']}: {warning} (run `dui-harness verify` on it)")
    return "\n".join(lines) + "\n"
