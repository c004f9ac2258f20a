"""Benchmark: CDA validation per document, XSD + official schematron, cold and warm.

    .venv/bin/python benchmarks/bench_cda.py [--pack DIR] [--repeat 20] [--json]

For every example of the artefact pack (default: ``../shared/reference/cda-testcontenucda``
beside the repository) and the TDDUI example, with an empty schematron cache:

* ``xsd``: validation against CDA_extended.xsd (compiled once per process, ``xsd_compile`` once);
* ``model cold``: the content model's schematron the first time (schematron → XSLT, Saxon compile,
  run); ``model disk``: the same in a new process with the disk cache filled (Saxon compile + run);
  ``model warm``: median of the next runs;
* ``XSD + model warm``: median of a whole ``validate_cda(…, schematrons=["model"])`` call (safe
  parsing, embedded rules, XSD, hand-over to Saxon, model schematron, SVRL reading);
* ``validate_cda warm``: median of the whole default validation (embedded rules, XSD, model
  schematron, ModelesDeContenusCDA and Modeles_ANS).

Bounded (a fixed number of runs), local files only; prints a table (or JSON).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PACK = ROOT.parent / "shared" / "reference" / "cda-testcontenucda"
TDDUI = ROOT.parent / "shared" / "reference" / "tddui-cda" / "CDA_TDDUI_Exemple_v1.0.1.xml"


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)


def bench(pack_dir: Path, repeat: int) -> dict[str, Any]:
    from harness.validators.cda import load_pack, validate_cda
    from harness.validators.cda.common import model_ids
    from harness.validators.cda.official import run_schematron
    from harness.validators.cda.schematron_run import engine
    from harness.validators.cda.selection import DEFAULT_SCHEMATRONS, select_schematrons
    from harness.validators.cda.xsd import cda_schema, validate_xsd
    from harness.validators.safexml import parse_xml

    pack = load_pack(pack_dir)
    start = time.perf_counter()
    cda_schema(pack)
    result: dict[str, Any] = {"xsd_compile_ms": _ms(start), "schematrons": list(DEFAULT_SCHEMATRONS), "documents": []}
    start = time.perf_counter()
    engine().parse("<warm-up/>")
    result["saxon_start_ms"] = _ms(start)
    # the structuration minimale (ART-DECOR, 12 923 assertions): compiled once per process
    from harness.validators.cda.pack_state import schematron_state
    from harness.validators.cda.selection import profile_schematron

    strucmin = profile_schematron(pack, "StructurationMinimale")
    state = schematron_state(pack, strucmin.path)
    start = time.perf_counter()
    engine().executable(strucmin.path, None, state.overlay)
    result["strucmin_compile_ms"] = _ms(start)
    documents = sorted(pack.examples.glob("*.xml")) + ([TDDUI] if TDDUI.is_file() else [])
    for path in documents:
        data = path.read_bytes()
        root = parse_xml(data, max_bytes=200 * 1024 * 1024)
        row: dict[str, Any] = {
            "document": path.name,
            "kbytes": round(len(data) / 1024),
            "elements": sum(1 for _ in root.iter()),
        }
        start = time.perf_counter()
        validate_xsd(root, pack)
        row["xsd_ms"] = _ms(start)
        chosen = select_schematrons(pack, model_ids(root), ["model"]).chosen
        if chosen:
            model = chosen[0]
            row["model"] = model.path.name
            start = time.perf_counter()
            document = engine().parse(etree.tostring(root, encoding="unicode"))
            row["saxon_parse_ms"] = _ms(start)
            start = time.perf_counter()
            run_schematron(model, document)
            row["model_cold_ms"] = _ms(start)
            engine().forget()
            start = time.perf_counter()
            run_schematron(model, document)
            row["model_disk_ms"] = _ms(start)
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                run_schematron(model, document)
                times.append(_ms(start))
            row["model_warm_ms"] = round(statistics.median(times), 1)
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            validate_cda(data, pack=pack, schematrons=["model"])
            times.append(_ms(start))
        row["xsd_model_warm_ms"] = round(statistics.median(times), 1)
        validate_cda(data, pack=pack)  # compiles the cross-cutting schematrons the first time
        times = []
        for _ in range(max(3, repeat // 4)):
            start = time.perf_counter()
            validate_cda(data, pack=pack)
            times.append(_ms(start))
        row["validate_cda_warm_ms"] = round(statistics.median(times), 1)
        result["documents"].append(row)
    return result


def table(result: dict[str, Any]) -> str:
    lines = [
        f"XSD compile {result['xsd_compile_ms']} ms, Saxon start {result['saxon_start_ms']} ms, structuration "
        f"minimale compile {result['strucmin_compile_ms']} ms; "
        f"validate_cda runs {', '.join(result['schematrons'])} + XSD + embedded rules",
        "",
        "| document | KiB | XSD ms | model schematron | cold ms | disk-cached ms | warm ms | XSD + model warm ms "
        "| validate_cda warm ms |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for row in result["documents"]:
        lines.append(
            f"| {row['document']} | {row['kbytes']} | {row['xsd_ms']} | {row.get('model', '—')} | "
            f"{row.get('model_cold_ms', '—')} | {row.get('model_disk_ms', '—')} | "
            f"{row.get('model_warm_ms', '—')} | {row['xsd_model_warm_ms']} | {row['validate_cda_warm_ms']} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pack", type=Path, default=DEFAULT_PACK)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.pack.is_dir():
        print(f"no artefact pack at {args.pack}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as cache:
        os.environ["DUI_HARNESS_CACHE_DIR"] = cache  # cold: nothing compiled yet
        result = bench(args.pack, max(1, args.repeat))
    print(json.dumps(result, indent=2) if args.json else table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
