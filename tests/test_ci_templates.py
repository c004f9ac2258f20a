"""The editors' CI templates (ci-templates/): valid YAML, commands that exist, a Containerfile that parses.

No docker here: the Containerfile's instructions are parsed, the dui-harness commands of every
template go through the real argument parser, and versions are checked against dev.py.
"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "ci-templates"
SAMPLE_ENV = {
    "DUI_TRIGGER_API": "http://127.0.0.1:8800/harness/v1",
    "DUI_HARNESS": "dui-harness",
    "ALLURE_NPM": "allure@3.18.0",
}
INSTRUCTIONS = {
    "FROM",
    "RUN",
    "COPY",
    "ADD",
    "ENV",
    "ARG",
    "WORKDIR",
    "ENTRYPOINT",
    "CMD",
    "LABEL",
    "USER",
    "EXPOSE",
    "VOLUME",
    "HEALTHCHECK",
    "SHELL",
    "STOPSIGNAL",
    "ONBUILD",
}
ARTEFACTS = ("reports/junit.xml", "reports/allure-report/", "reports/evidence-bundle.zip")


def _dev_allure() -> str:
    sys.path.insert(0, str(ROOT))
    try:
        import dev
    finally:
        sys.path.remove(str(ROOT))
    return str(dev.ALLURE_NPM)


def _expand(text: str) -> str:
    return re.sub(r"\$\{?(\w+)\}?", lambda m: SAMPLE_ENV.get(m.group(1), m.group(0)), text)


def _harness_commands(script: str) -> list[list[str]]:
    """Every ``dui-harness …`` command of a shell script, as argument lists (variables expanded)."""
    commands = []
    for line in script.replace("\\\n", " ").splitlines():
        for part in re.split(r"&&|\|\||;|\|", line):
            words = shlex.split(_expand(part), comments=True)
            if words and words[0] == "dui-harness":
                commands.append(words[1:])
    return commands


def _check_commands(commands: list[list[str]]) -> None:
    parser = build_parser()
    for args in commands:
        if args == ["--version"]:
            continue
        try:
            parser.parse_args(args)
        except SystemExit as exc:  # argparse's way of refusing a verb or an option
            pytest.fail(f"dui-harness {' '.join(args)}: not a valid command ({exc})")


def _github() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((TEMPLATES / "github-actions.yml").read_text(encoding="utf-8"))
    return data


def _gitlab() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((TEMPLATES / "gitlab-ci.yml").read_text(encoding="utf-8"))
    return data


def test_github_actions_template_installs_runs_and_publishes() -> None:
    workflow = _github()
    steps = workflow["jobs"]["conformity"]["steps"]
    script = "\n".join(step.get("run", "") for step in steps)
    commands = _harness_commands(script)
    assert any(c[:1] == ["run"] and "--sut" in c for c in commands), commands
    _check_commands(commands)
    upload = next(step for step in steps if str(step.get("uses", "")).startswith("actions/upload-artifact"))
    assert upload["if"] == "always()"
    assert all(path in upload["with"]["path"] for path in ARTEFACTS)
    assert workflow["jobs"]["conformity"]["env"]["ALLURE_NPM"] == _dev_allure()
    assert "PLACEHOLDER" in (TEMPLATES / "github-actions.yml").read_text(encoding="utf-8")


def test_gitlab_template_installs_runs_and_publishes() -> None:
    job = _gitlab()["dui-conformity"]
    script = "\n".join([*job["before_script"], *job["script"]])
    commands = _harness_commands(script)
    assert any(c[:1] == ["run"] and "--sut" in c for c in commands), commands
    _check_commands(commands)
    assert job["artifacts"]["when"] == "always" and job["artifacts"]["reports"]["junit"] == "reports/junit.xml"
    assert all(path in job["artifacts"]["paths"] for path in ARTEFACTS)
    assert job["variables"]["ALLURE_NPM"] == _dev_allure()


def _instructions() -> list[tuple[str, str]]:
    text = (TEMPLATES / "Containerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, rest = line.strip().partition(" ")
            out.append((keyword, rest.strip()))
    return out


def test_containerfile_parses_and_installs_the_harness_and_allure() -> None:
    instructions = _instructions()
    assert instructions[0][0] == "FROM"
    assert {k for k, _ in instructions} <= INSTRUCTIONS
    args = dict(rest.split("=", 1) for k, rest in instructions if k == "ARG")
    assert args["ALLURE_NPM"] == _dev_allure()
    runs = " && ".join(rest for k, rest in instructions if k == "RUN")
    assert "pip install" in runs and "npm install" in runs and "$ALLURE_NPM" in runs
    _check_commands(_harness_commands(runs))
    entrypoint = next(rest for k, rest in instructions if k == "ENTRYPOINT")
    assert entrypoint == '["dui-harness"]'
    # the documented `podman run … dui-harness` command in the header is a valid command too
    header = [
        line.lstrip("# ")
        for line in (TEMPLATES / "Containerfile").read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    ]
    usage = " ".join(header).split("dui-harness \\", 1)[1].split("FROM")[0]
    _check_commands([shlex.split(usage.replace("\\", " "))])
