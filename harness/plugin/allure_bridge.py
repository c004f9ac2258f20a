"""Allure labels, environment and categories for a conformance run.

Behaviors view: epic = service, feature = profile (name, version), story = requirement id
and French title; severity from the requirement level (MUST → critical); one link per
requirement to its source; the official Ségur ids of each requirement as tags and ``official``
labels. Categories separate a DUI non-conformity (failed) from an
unreachable DUI and from a harness error (both broken).
"""

from __future__ import annotations

import functools
import html
import inspect
import json
import re
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from harness import __version__
from harness.core.requirements import Profile, Requirement
from harness.core.verdicts import Overall
from harness.sut.driver import SutInfo

__all__ = ["CATEGORIES", "describe_item", "label_item", "mark_blocked", "markdown_html", "write_environment"]

_SEVERITY_ORDER = ("blocker", "critical", "normal", "minor", "trivial")
#: Allure label carrying the pytest node id, to find a test's result again (:func:`mark_blocked`)
NODEID_LABEL = "dui_nodeid"

CATEGORIES = [
    {
        "name": "Non-conformité de la DUI / DUI non-conformity",
        "matchedStatuses": ["failed"],
        "description": "La DUI ne respecte pas une exigence du profil. / The DUI breaks a requirement.",
    },
    {
        "name": "DUI injoignable / DUI unreachable",
        "matchedStatuses": ["broken"],
        "messageRegex": "[\\s\\S]*DUI INJOIGNABLE[\\s\\S]*",
        "description": "L'API de pilotage de la DUI ne répond pas : ce n'est pas une non-conformité.",
    },
    {
        "name": "Bloqué par une autre non-conformité / Blocked by another non-conformity",
        "matchedStatuses": ["broken"],
        "messageRegex": "[\\s\\S]*BLOQUÉ / BLOCKED[\\s\\S]*",
        "description": "La vérification dépend d'une exigence déjà en échec (nommée dans le message).",
    },
    {
        "name": "Erreur du harness / Harness error",
        "matchedStatuses": ["broken"],
        "description": "Le banc de test a échoué : jamais imputé à la DUI. / Never counted against the DUI.",
    },
    {"name": "Non vérifié (entrée manquante) / Not checked (input missing)", "matchedStatuses": ["skipped"]},
]


def label_item(item: pytest.Item, requirements: list[Requirement], profile: Profile) -> None:
    """Add the Allure markers that place ``item`` under its requirements."""
    mark = pytest.mark
    item.add_marker(mark.allure_label(item.nodeid, label_type=NODEID_LABEL))
    for service in dict.fromkeys(r.service for r in requirements):
        item.add_marker(mark.allure_label(service, label_type="epic"))
    item.add_marker(mark.allure_label(f"{profile.title} — {profile.label}", label_type="feature"))
    for req in requirements:
        item.add_marker(mark.allure_label(f"{req.id} — {req.title_fr}", label_type="story"))
        item.add_marker(mark.allure_label(req.id, label_type="requirement"))
        for official_id in req.official:  # the official Ségur ids, as tags a reviewer can filter on
            item.add_marker(mark.allure_label(official_id, label_type="tag"))
            item.add_marker(mark.allure_label(official_id, label_type="official"))
        if req.url:
            item.add_marker(mark.allure_link(req.url, link_type="link", name=f"{req.id} ({req.source_document})"))
    severity = min((r.allure_severity for r in requirements), key=_SEVERITY_ORDER.index)
    item.add_marker(mark.allure_label(severity, label_type="severity"))


def describe_item(item: pytest.Item, requirements: list[Requirement]) -> None:
    """Add the Allure description of ``item``: its and its module's docstrings, then its requirements.

    Given to the tests that remain selected only (the rendering of the docstrings is most of the cost of
    labelling a test, and a deselected test has no Allure result); Allure's own selection options
    (``--allure-epics``…) read the labels of :func:`label_item`, not this."""
    mark = pytest.mark
    function = getattr(item, "function", None)
    module = getattr(item, "module", None)
    doc = (function.__doc__ or "") if function is not None else ""
    module_doc = (module.__doc__ or "") if module is not None else ""
    lines = [doc.strip(), "", "### Exigences / Requirements", ""]
    for req in requirements:
        lines.append(f"- **{req.id}** ({req.level}, {req.service}) — {req.title_fr}  ")
        lines.append(f"  *{req.summary_en}*  ")
        lines.append(f"  Source : {req.source}")
        if req.official:
            lines.append(f"  Exigences officielles / Official requirements : {', '.join(req.official)}")
    if module_doc:
        lines += ["", "---", "", module_doc.strip()]
    item.add_marker(mark.allure_description("\n".join(lines)))
    item.add_marker(mark.allure_description_html(_description_html(doc, module_doc, requirements)))


_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")
_RST_ROLE = re.compile(r":[a-z]+:`~?([^`]+)`")


@functools.lru_cache(maxsize=2048)
def markdown_html(text: str) -> str:
    """A docstring rendered as HTML: Markdown headings, lists and paragraphs (hard-wrapped lines joined),
    reStructuredText's ``code`` and :role:`target` shown as code; raw HTML in it is escaped, not kept.

    Kept per text: a module's docstring is part of the description of each of its tests."""
    text = _RST_ROLE.sub(lambda m: f"`{m.group(1).split('.')[-1]}`", inspect.cleandoc(text))
    return str(_MARKDOWN.render(text.replace("``", "`"))).strip()


def _description_html(doc: str, module_doc: str, requirements: list[Requirement]) -> str:
    """The description shown by Allure: the test's and its module's docstrings rendered, the requirements."""
    parts = [markdown_html(doc) if doc.strip() else "", "<h4>Exigences / Requirements</h4>", "<ul>"]
    for req in requirements:
        link = f' — <a href="{html.escape(req.url)}">source</a>' if req.url else ""
        parts.append(
            f"<li><b>{html.escape(req.id)}</b> ({req.level}, {html.escape(req.service)}) — "
            f"{html.escape(req.title_fr)}<br/><i>{html.escape(req.summary_en)}</i><br/>"
            f"Source : {html.escape(req.source)}{link}"
            + (
                f"<br/>Exigences officielles / Official requirements : {html.escape(', '.join(req.official))}"
                if req.official
                else ""
            )
            + "</li>"
        )
    parts.append("</ul>")
    if module_doc:
        parts.append(f"<hr/>{markdown_html(module_doc)}")
    return "\n".join(p for p in parts if p)


def write_environment(
    results_dir: Path,
    profile: Profile,
    sut: SutInfo | None,
    mode: str,
    overall: Overall | None = None,
    completeness: dict[str, Any] | None = None,
) -> None:
    """``environment.properties``, ``executor.json`` and ``categories.json`` in the Allure results folder.

    The overall verdict comes first in the environment widget (``DUI.verdict``) and names the
    executor widget's build, so that the Allure overview states it before any count.
    """
    results_dir.mkdir(parents=True, exist_ok=True)
    env: dict[str, str] = {}
    if overall is not None:
        env["DUI.verdict"] = overall.label()
    if completeness is not None:
        env["run.partial"] = "yes / oui" if completeness.get("partial") else "no / non"
        env["run.tests"] = f"{completeness.get('ran')} of {completeness.get('planned')} planned tests ran"
        if completeness.get("interrupted"):
            env["run.interrupted"] = "yes / oui (Ctrl-C)"
    env.update(
        {
            "DUI.name": sut.name if sut else "not started",
            "DUI.version": sut.version if sut else "",
            "DUI.editor": sut.editor if sut else "",
            "DUI.build": sut.build_id if sut else "",
            "DUI.mode": mode,
            "harness.version": __version__,
            "profile.name": profile.name,
            "profile.version": profile.version,
            "profile.sha256": profile.sha256,
        }
    )
    if sut and sut.extra.get("defects"):
        env["DUI.defects"] = ",".join(map(str, sut.extra["defects"]))
    text = "\n".join(f"{k}={str(v).replace(chr(10), ' ')}" for k, v in env.items()) + "\n"
    (results_dir / "environment.properties").write_text(text, encoding="utf-8")
    (results_dir / "categories.json").write_text(json.dumps(CATEGORIES, indent=2, ensure_ascii=False), encoding="utf-8")
    if overall is not None:
        executor = {
            "name": "dui-harness",
            "type": "dui-harness",
            "buildName": overall.label(),
            "reportName": f"{sut.name if sut else 'DUI'} — {overall.label()}",
        }
        (results_dir / "executor.json").write_text(json.dumps(executor, indent=2, ensure_ascii=False), encoding="utf-8")


def mark_blocked(results_dir: Path, blocked: dict[str, list[str]]) -> int:
    """Show as *blocked* (Allure "broken", category "Blocked…") the failed tests whose every failure the
    requirement dependencies attributed to another requirement's failure; returns how many were changed.

    ``blocked``: pytest node id -> the blocking requirement ids.
    """
    changed = 0
    if not blocked or not results_dir.is_dir():
        return 0
    for path in results_dir.glob("*-result.json"):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        nodeid = next((lbl.get("value") for lbl in data.get("labels", []) if lbl.get("name") == NODEID_LABEL), None)
        if nodeid not in blocked or data.get("status") != "failed":
            continue
        details = data.setdefault("statusDetails", {})
        details["message"] = (
            f"[BLOQUÉ / BLOCKED by {', '.join(blocked[nodeid])}] (profiles/catalog/dependencies.csv)"
            f"\n{details.get('message', '')}"
        )
        data["status"] = "broken"
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        changed += 1
    return changed
