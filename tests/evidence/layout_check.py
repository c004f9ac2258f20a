"""Measure an HTML page's layout in headless Chromium: page width and words broken across lines.

Used by ``tests/evidence/test_matrix_layout.py`` and by hand::

    python -m tests.evidence.layout_check reports/conformity-matrix.html [--width 1400] [--png shot.png]

It loads a copy of the page with a small measuring script (the page itself has none), reads
the result back from the DOM Chromium dumps, and can take a screenshot to look at. Chromium
is Debian's ``chromium`` package (``apt-get install -y chromium``).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["chromium", "measure", "screenshot"]

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--no-first-run",
    "--mute-audio",
]

#: page width, table widths, every word of a verdict label or table header that the layout broke across two
#: lines, and every table cell whose content overflows it
PROBE = """<script>
addEventListener('load', () => {
  const broken = [];
  for (const el of document.querySelectorAll('.verdict, th')) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /\\S+/g; let m;
      while ((m = re.exec(node.data))) {
        const range = document.createRange(); range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(m[0]);
      }
    }
  }
  const overflowing = [...document.querySelectorAll('th, td')].filter(c => c.scrollWidth > c.clientWidth + 1)
    .map(c => c.textContent.trim().slice(0, 40));
  const tables = [...document.querySelectorAll('table')].map(t => Math.round(t.getBoundingClientRect().width));
  const out = document.createElement('pre'); out.id = 'layout-probe';
  out.textContent = JSON.stringify({scrollWidth: document.documentElement.scrollWidth, tables, broken, overflowing});
  document.body.appendChild(out);
});
</script>"""


def chromium() -> str | None:
    """The Chromium executable, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _run(args: list[str], timeout: float = 90.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)


def measure(page: Path, width: int = 1400, height: int = 900) -> dict[str, Any]:
    """``{"scrollWidth": px, "tables": [px…], "broken": [words…], "overflowing": [cells…]}`` of ``page``."""
    exe = chromium()
    if exe is None:
        raise RuntimeError("chromium not found (apt-get install -y chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "probe.html"
        probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
        done = _run(
            [
                exe,
                *FLAGS,
                f"--user-data-dir={tmp}/profile",
                f"--window-size={width},{height}",
                "--virtual-time-budget=5000",
                "--dump-dom",
                probe.as_uri(),
            ]
        )
    found = re.search(r'<pre id="layout-probe">(.*?)</pre>', done.stdout, re.S)
    if found is None:
        raise RuntimeError(f"no measurement from chromium: {done.stderr[-800:]}")
    result: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return result


def screenshot(page: Path, png: Path, width: int = 1400, height: int = 900) -> Path:
    """A PNG of the top of ``page`` in a ``width`` × ``height`` window."""
    exe = chromium()
    if exe is None:
        raise RuntimeError("chromium not found (apt-get install -y chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        _run(
            [
                exe,
                *FLAGS,
                f"--user-data-dir={tmp}/profile",
                f"--window-size={width},{height}",
                f"--screenshot={png}",
                page.resolve().as_uri(),
            ]
        )
    return png


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.evidence.layout_check", description=__doc__)
    parser.add_argument("page", type=Path)
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--png", type=Path, help="also write a screenshot")
    args = parser.parse_args(argv)
    result = measure(args.page, args.width)
    print(json.dumps(result))
    if args.png:
        print(screenshot(args.page, args.png, args.width))
    return 0 if result["scrollWidth"] <= args.width and not result["broken"] and not result["overflowing"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
