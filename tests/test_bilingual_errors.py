"""Every error the user reads is bilingual, French first (issue 19, item 4).

The CLI prints ``erreur / error: <message>`` and ``Conseil / Tip: <tip>`` for every
:class:`harness.errors.HarnessError` it catches; this test reads the sources and checks that each
message written at a ``raise`` of a user-facing error holds both languages (``français / English``) and
that each tip is bilingual or a bare command line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
USER_FACING = {"UsageError", "ProfileError", "InputError", "SutUnreachable", "SimulatorError", "OversizedInput"}


def _text(node: ast.expr) -> str | None:
    """The constant text of a string expression (f-string parts, concatenations); None when not literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "{}" for v in node.values
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left), _text(node.right)
        return None if left is None and right is None else (left or "") + (right or "")
    return None


def _raises() -> list[tuple[str, str, str, str | None]]:
    found = []
    for folder in ("harness", "mocks", "reference_dui"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                    continue
                func = node.exc.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                if name not in USER_FACING or not node.exc.args:
                    continue
                message = _text(node.exc.args[0])
                tip = next((_text(k.value) for k in node.exc.keywords if k.arg == "tip"), None)
                if message is not None:
                    found.append((f"{path.relative_to(ROOT)}:{node.lineno}", name, message, tip))
    return found


RAISES = _raises()


def test_the_scan_finds_the_user_facing_errors() -> None:
    assert len(RAISES) > 60


@pytest.mark.parametrize(("where", "kind", "message", "tip"), RAISES, ids=[r[0] for r in RAISES])
def test_error_message_is_french_and_english(where: str, kind: str, message: str, tip: str | None) -> None:
    words = [w for w in message.replace("{}", " ").replace("dui-harness", " ").split() if w.isalpha()]
    if len(words) < 2:  # passes on a message made elsewhere (a library's, or an inner HarnessError's)
        return
    assert " / " in message, f"{where}: {kind} message is not bilingual (« français / English »): {message!r}"
    if tip is not None:
        command = tip.startswith(("dui-harness ", "python", "--"))
        assert " / " in tip or (command and "#" not in tip), f"{where}: tip is not bilingual: {tip!r}"
