"""Texts fit for French users: help in French first, no markup leaking, every verdict documented."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from harness.cli import build_parser
from harness.evidence.services import VERDICT_LABELS
from harness.plugin.allure_bridge import markdown_html

ROOT = Path(__file__).resolve().parents[2]


def _verbs() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {"": parser, **action.choices}


@pytest.mark.parametrize("verb", list(_verbs()))
def test_every_option_help_is_french_first_and_without_markup(verb: str) -> None:
    parser = _verbs()[verb]
    english_only = [a.help for a in parser._actions if a.help and a.help != argparse.SUPPRESS and " / " not in a.help]
    assert not english_only, f"{verb or 'dui-harness'}: add the French to harness/cli/texts.py: {english_only}"
    text = parser.format_help()
    assert "``" not in text and not re.search(r":[a-z]+:`", text), text


def test_verb_summaries_are_bilingual() -> None:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert all(" / " in (choice.help or "") for choice in action._choices_actions)


def test_allure_description_renders_markdown_and_joins_wrapped_lines() -> None:
    import harness.suites.dmp.test_td02 as module

    rendered = markdown_html(module.__doc__ or "")
    assert "## " not in rendered and "<h2>Requirements</h2>" in rendered
    assert "``" not in rendered and "<code>" in rendered


def test_every_verdict_shown_is_listed_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [v for v in VERDICT_LABELS if f"| `{v}` |" not in readme]
    assert not missing, missing
