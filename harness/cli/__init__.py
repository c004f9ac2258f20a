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
from collections.abc import Sequence

from harness import __version__
from harness.errors import HarnessError, SutUnreachable, UsageError

__all__ = ["EXIT_HARNESS_ERROR", "EXIT_NONCONFORMITY", "EXIT_OK", "EXIT_SUT_UNREACHABLE", "EXIT_USAGE", "main"]

EXIT_OK = 0
EXIT_NONCONFORMITY = 1
EXIT_USAGE = 2
EXIT_SUT_UNREACHABLE = 3
EXIT_HARNESS_ERROR = 4

#: verb -> module of harness.cli implementing ``add_parser(subparsers)`` and ``main(args) -> int``
VERBS = ("run", "serve", "pki", "validate", "profiles", "bundle", "verify", "keys", "check-project", "usage",
         "diff", "rules", "pack")


#: verbs that write evidence: their files are created 0600 and folders 0700 (issue 17)
PRIVATE_OUTPUT_VERBS = frozenset({"run", "serve", "bundle", "keys", "pki", "usage", "diff", "check-project"})


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"dui-harness: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="dui-harness",
        description="Banc de conformité des DUI / conformity test bench for French DUI software.",
    )
    parser.add_argument("--version", action="version", version=f"dui-harness {__version__}")
    subparsers = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)
    for verb in VERBS:
        importlib.import_module(f"harness.cli.{verb.replace('-', '_')}").add_parser(subparsers)
    return parser


def print_error(exc: HarnessError) -> None:
    sys.stderr.write(f"dui-harness: {exc}\n")
    if exc.tip:
        sys.stderr.write(f"Tip: {exc.tip}\n")


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = build_parser()  # imports every verb: Ctrl-C may land here, before anything is touched
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
