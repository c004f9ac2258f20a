"""The ``dui-harness`` command line: ``run``, ``serve``, ``pki``, ``validate``, ``profiles``, and for
reviewers and ARS ``bundle``, ``verify``, ``keys``, ``check-project``, ``usage``, ``diff``.

Exit codes (every verb):

====  ==============================================================
0     success (run: CONFORME — every planned test ran, every MUST requirement passed; validate: valid)
1     a non-conformity was found (a requirement fails / an error finding)
2     usage error or unreadable input (message + "Tip:" line, no traceback);
      run: PARTIEL — tests deselected, interrupted or stopped, or a MUST requirement not judged,
      skipped (input missing), blocked or not covered
3     the DUI under test was unreachable
4     the harness itself failed (a bug: please report it)
====  ==============================================================
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import textwrap
from collections.abc import Sequence
from typing import Any

from harness import __version__
from harness.cli.texts import DESCRIPTIONS_FR, bilingual, plain
from harness.errors import HarnessError, SutUnreachable, UsageError

__all__ = ["EXIT_HARNESS_ERROR", "EXIT_NONCONFORMITY", "EXIT_OK", "EXIT_SUT_UNREACHABLE", "EXIT_USAGE", "main"]

EXIT_OK = 0
EXIT_NONCONFORMITY = 1
EXIT_USAGE = 2
EXIT_SUT_UNREACHABLE = 3
EXIT_HARNESS_ERROR = 4

#: verb -> module of harness.cli implementing ``add_parser(subparsers)`` and ``main(args) -> int``
VERBS = (
    "run",
    "serve",
    "report",
    "pki",
    "validate",
    "profiles",
    "bundle",
    "verify",
    "keys",
    "check-project",
    "usage",
    "diff",
    "rules",
    "pack",
    "countersign",
    "proofs",
    "official",
)


#: verbs that write evidence: their files are created 0600 and folders 0700 (issue 17)
PRIVATE_OUTPUT_VERBS = frozenset({"run", "serve", "bundle", "keys", "pki", "usage", "diff", "check-project"})


class _Parser(argparse.ArgumentParser):
    """French first, no markup: descriptions go through :mod:`harness.cli.texts` (options: build_parser)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        verb = str(kwargs.get("prog", "")).removeprefix("dui-harness ").strip()
        description = kwargs.get("description")
        if isinstance(description, str):
            french = DESCRIPTIONS_FR.get(verb)
            french = textwrap.fill(french, 88) if french else None
            kwargs["description"] = plain(f"{french}\n\n{description}" if french else description)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"dui-harness: erreur / error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with ``only`` (a verb), that verb's sub-command alone: its module is the only
    one imported (issue 18: ``validate cda`` spent half a second importing ``run``'s pytest plugin)."""
    parser = _Parser(
        prog="dui-harness",
        description="Banc de conformité des DUI / conformity test bench for French DUI software.",
        epilog="Codes de sortie / exit codes: 0 conforme / conformant, 1 non-conformité / non-conformity, "
        "2 usage ou entrée illisible / usage or unreadable input, 3 DUI injoignable / DUI unreachable, "
        "4 erreur du banc / harness error.",
    )
    parser.add_argument("--version", action="version", version=f"dui-harness {__version__}")
    subparsers = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)
    for verb in VERBS if only is None else (only,):
        importlib.import_module(f"harness.cli.{verb.replace('-', '_')}").add_parser(subparsers)
    for choice in subparsers._choices_actions:  # the verbs' one-line summaries
        choice.help = bilingual(choice.help)
    for sub in (parser, *subparsers.choices.values()):  # options added through groups too
        for action in sub._actions:
            action.help = bilingual(action.help)
    return parser


def print_error(exc: HarnessError) -> None:
    sys.stderr.write(f"dui-harness: erreur / error: {exc}\n")
    if exc.tip:
        sys.stderr.write(f"Conseil / Tip: {exc.tip}\n")


def _verb(argv: Sequence[str]) -> str | None:
    """The verb of a command line (its first word when it names one), else None (``--help``, ``--version``…)."""
    return argv[0] if argv and argv[0] in VERBS else None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser(_verb(argv))  # imports the verb's module: Ctrl-C may land here, before anything
    except KeyboardInterrupt:
        sys.stderr.write("dui-harness: interrompu / interrupted\n")
        return 130
    args = parser.parse_args(argv)
    if not args.verb:
        parser.print_help()
        return EXIT_USAGE
    # evidence (reports, exchanges, bundles, stores) readable by its owner only: 0600 files, 0700 folders
    umask = os.umask(0o077) if args.verb in PRIVATE_OUTPUT_VERBS else None
    try:
        code: int = args.handler(args)
        return code
    except SutUnreachable as exc:
        print_error(exc)
        return EXIT_SUT_UNREACHABLE
    except UsageError as exc:
        print_error(exc)
        return EXIT_USAGE
    except HarnessError as exc:
        print_error(exc)
        return EXIT_HARNESS_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("dui-harness: interrompu / interrupted\n")
        return 130
    finally:
        if umask is not None:
            os.umask(umask)
