"""``dui-harness report [REPORTS]``: open a run's Allure report in a browser.

Ouvre le rapport Allure d'une exécution dans un navigateur. / Opens a run's Allure report.

The report of a run is one self-contained file (reports/allure-report/index.html) that
opens from disk: this verb opens it (or prints its address with --no-open). A report made
of several files (older runs, or --serve) fetches its data over HTTP and shows "500 Failed
to fetch" when opened as a file: it is served on a free loopback port (127.0.0.1 only)
until Ctrl-C or --duration seconds. With Allure results but no report yet, the report is
rendered first (needs the generator: python3 dev.py run installs it).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import threading
import time
import webbrowser
from pathlib import Path
from typing import Any

from harness.cli.allure_report import render_report
from harness.errors import UsageError

__all__ = ["add_parser", "is_single_file", "main", "serve_folder"]


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "report",
        help="ouvrir le rapport Allure / open the Allure report",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "reports",
        nargs="?",
        type=Path,
        default=Path("reports"),
        help="dossier de sortie de l'exécution / the run's output folder (default: ./reports)",
    )
    p.add_argument(
        "--no-open",
        action="store_true",
        help="afficher l'adresse sans ouvrir de navigateur / print the address, open no browser",
    )
    p.add_argument(
        "--serve",
        action="store_true",
        help="servir en HTTP même un rapport en un fichier / serve over HTTP even a one-file report",
    )
    p.add_argument(
        "--duration",
        type=float,
        metavar="SECONDS",
        help="arrêter de servir après N secondes / stop serving after N seconds (default: Ctrl-C)",
    )
    p.set_defaults(handler=main)


def is_single_file(report: Path) -> bool:
    """True when ``report`` (an Allure report folder) carries its data inline (opens from disk)."""
    return (report / "index.html").is_file() and not (report / "data").is_dir()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


def serve_folder(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``folder`` read-only on a free port of 127.0.0.1; returns the server (running) and its URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, name="dui-harness-report", daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/index.html"


def _report_folder(reports: Path) -> Path:
    if (reports / "index.html").is_file():  # the report folder itself was given
        return reports
    report = reports / "allure-report"
    if (report / "index.html").is_file():
        return report
    results = reports / "allure-results"
    if results.is_dir():
        ok, message = render_report(results, report, title=f"dui-harness — {reports.name}")
        if ok:
            return report
        raise UsageError(
            f"{reports}: rapport non généré / report not rendered: {message}",
            tip="python3 dev.py run  (installe le générateur / installs the generator)",
        )
    raise UsageError(
        f"{reports}: ni rapport Allure ni résultats / neither an Allure report nor results",
        tip="dui-harness run  (écrit reports/ / writes reports/), puis / then dui-harness report",
    )


def _open(url: str, no_open: bool) -> None:
    if no_open:
        return
    try:
        opened = webbrowser.open(url)
    except webbrowser.Error:
        opened = False
    if not opened:
        print("  aucun navigateur trouvé : ouvrez l'adresse ci-dessus / no browser found: open the address above")


def main(args: argparse.Namespace) -> int:
    report = _report_folder(args.reports.resolve())
    index = report / "index.html"
    if is_single_file(report) and not args.serve:
        print(
            f"Rapport Allure (un fichier, s'ouvre hors ligne) / Allure report (one file, opens offline):\n"
            f"  {index.as_uri()}"
        )
        _open(index.as_uri(), args.no_open)
        return 0
    server, url = serve_folder(report)
    print(f"Rapport Allure servi sur / Allure report served at:\n  {url}\nCtrl-C pour arrêter / to stop.", flush=True)
    _open(url, args.no_open)
    deadline = time.monotonic() + args.duration if args.duration else None
    try:
        while deadline is None or time.monotonic() < deadline:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
    return 0
