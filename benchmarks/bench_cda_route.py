"""`validate cda` per document against the ANS route (Java + Saxon-HE + the pack's ``schematrons/moteur/``).

The ANS tool (``compilverif.bat`` / ``verif.bat`` of the pack) compiles a schematron with three
Saxon-HE transforms (``iso_dsdl_include.xsl`` → ``iso_abstract_expand.xsl`` →
``iso_svrl_for_xslt2.xsl``), then runs one ``java … net.sf.saxon.Transform`` per document on the
compiled XSLT. Figures, on the DLU example of the pack (its content-model schematron):

* ``cda_warm_model_ms``: ``validate_cda(…, schematrons=["model"])`` in a warm process (safe
  parsing, embedded rules, XSD, model schematron, SVRL) against the ANS precompiled route (one
  JVM per document on the compiled XSLT, without the XSD check the ANS runs apart);
* ``cda_cold_model_s``: the same validation in a new Python process with an empty cache
  against the ANS route from the ``.sch`` (three compiles + the run);
* ``cda_cli_s`` (not in ``--quick``): ``dui-harness validate cda`` as a user types it (every
  default schematron, structuration minimale included, disk cache filled) against the ANS
  precompiled route of the model schematron alone (the note says so).

Skipped with a note when ``java``, Saxon-HE (Debian ``libsaxonhe-java``) or the pack is missing.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import PYTHON, REPO, Figure

PACK = REPO.parent / "shared" / "reference" / "cda-testcontenucda"
DOCUMENT = "DLU-EHPAD-DLU_2022.01"
SAXON_JARS = (Path("/usr/share/java/Saxon-HE.jar"), Path("/usr/share/java/saxon9he.jar"))
COLD = """
import sys, time
from pathlib import Path
t = time.perf_counter()
from harness.validators.cda import load_pack, validate_cda
validate_cda(Path(sys.argv[2]).read_bytes(), pack=load_pack(Path(sys.argv[1])), schematrons=["model"])
print(time.perf_counter() - t)
"""


def _saxon() -> Path | None:
    found = os.environ.get("SAXON_HE_JAR")
    candidates = ([Path(found)] if found else []) + list(SAXON_JARS)
    return next((p for p in candidates if p.is_file()), None)


def missing(pack: Path) -> str:
    """Why the ANS route cannot run here ("" when it can)."""
    if shutil.which("java") is None:
        return "no java on PATH (Debian: default-jre-headless)"
    if _saxon() is None:
        return "no Saxon-HE jar (Debian: libsaxonhe-java, or SAXON_HE_JAR=…)"
    if not (pack / "schematrons" / "moteur" / "iso_svrl_for_xslt2.xsl").is_file():
        return f"no ANS pack with schematrons/moteur/ at {pack}"
    return ""


def _java(jar: Path, source: Path, xsl: Path, out: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        ["java", "-cp", str(jar), "net.sf.saxon.Transform", f"-s:{source}", f"-xsl:{xsl}", f"-o:{out}"],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return time.perf_counter() - started


def _ans_compile(jar: Path, moteur: Path, schematron: Path, work: Path) -> tuple[Path, float]:
    """The ANS tool's three compile steps; the XSLT lands where its ``../jeuxDeValeurs`` resolves."""
    target = work / "schematrons"
    target.mkdir(exist_ok=True)
    if not (work / "jeuxDeValeurs").exists():
        (work / "jeuxDeValeurs").symlink_to(PACK / "jeuxDeValeurs")
    seconds = _java(jar, schematron, moteur / "iso_dsdl_include.xsl", work / "colle.sch")
    seconds += _java(jar, work / "colle.sch", moteur / "iso_abstract_expand.xsl", work / "concret.sch")
    xslt = target / f"{schematron.stem}.xsl"
    seconds += _java(jar, work / "concret.sch", moteur / "iso_svrl_for_xslt2.xsl", xslt)
    return xslt, seconds


def _model_schematron(document: Path) -> Path:
    from harness.validators.cda import load_pack
    from harness.validators.cda.common import model_ids
    from harness.validators.cda.selection import select_schematrons
    from harness.validators.safexml import parse_xml

    pack = load_pack(PACK)
    root = parse_xml(document.read_bytes(), max_bytes=200 * 1024 * 1024)
    return select_schematrons(pack, model_ids(root), ["model"]).chosen[0].path


def run(*, repeats: int, quick: bool, work: Path) -> dict[str, Figure]:
    why = missing(PACK)
    if why:
        return {"cda_warm_model_ms": Figure(None, None, "ms", False, note=f"skipped: {why}")}
    jar = _saxon()
    assert jar is not None
    document = PACK / "ExemplesCDA" / f"{DOCUMENT}.xml"
    schematron = _model_schematron(document)
    figures: dict[str, Figure] = {}
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        folder = Path(tmp)
        xslt, compile_s = _ans_compile(jar, PACK / "schematrons" / "moteur", schematron, folder)
        ans_runs = [_java(jar, document, xslt, folder / "report.xml") for _ in range(repeats)]
        ans_precompiled = min(ans_runs)
        ans_cold = compile_s + ans_precompiled
        # ours, warm: one process, the compiled schematron kept
        from harness.validators.cda import load_pack, validate_cda

        pack, data = load_pack(PACK), document.read_bytes()
        validate_cda(data, pack=pack, schematrons=["model"])
        warm = []
        for _ in range(max(3, repeats * 3)):
            started = time.perf_counter()
            validate_cda(data, pack=pack, schematrons=["model"])
            warm.append(time.perf_counter() - started)
        note = f"{DOCUMENT}, {schematron.name}; ANS: java per document on the precompiled XSLT (no XSD)"
        figures["cda_warm_model_ms"] = Figure(
            round(statistics.median(warm) * 1000, 1), round(ans_precompiled * 1000, 1), "ms", False, note=note
        )
        env = {**os.environ, "DUI_HARNESS_CACHE_DIR": str(folder / "cache"), "PYTHONPATH": str(REPO)}
        colds = []
        for index in range(1 if quick else repeats):
            shutil.rmtree(folder / "cache", ignore_errors=True)
            proc = subprocess.run(
                [PYTHON, "-c", COLD, str(PACK), str(document)],
                capture_output=True,
                text=True,
                env=env,
                cwd=REPO,
                timeout=600,
                check=True,
            )
            colds.append(float(proc.stdout.strip().splitlines()[-1]))
            del index
        figures["cda_cold_model_s"] = Figure(
            round(min(colds), 2),
            round(ans_cold, 2),
            "s",
            False,
            note="new process, empty cache; ANS: 3 compiles + the run",
        )
        if not quick:
            clis = []
            for _ in range(2):  # the first fills the disk cache
                started = time.perf_counter()
                subprocess.run(
                    [PYTHON, "-m", "harness", "validate", "cda", str(document), "--cda-pack", str(PACK)],
                    capture_output=True,
                    env=env,
                    cwd=REPO,
                    timeout=900,
                    check=False,
                )
                clis.append(time.perf_counter() - started)
            figures["cda_cli_s"] = Figure(
                round(clis[-1], 2),
                round(ans_precompiled, 2),
                "s",
                False,
                note="dui-harness validate cda, every default schematron (structuration "
                "minimale included) vs the ANS route's model schematron alone",
            )
    return figures


if __name__ == "__main__":
    for name, figure in run(repeats=1, quick=True, work=Path(tempfile.gettempdir())).items():
        print(name, figure.as_json(), file=sys.stdout)
