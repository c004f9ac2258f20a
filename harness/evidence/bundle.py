"""Build the evidence bundle of a run: one ZIP with a manifest of SHA-256 hashes and its signature.

Layout (every name relative, ``/`` separated)::

    MANIFEST.json            signed: format, dates, DUI identity, profile, signer, every file's hashes
    MANIFEST.sig             detached signature of MANIFEST.json (+ public key, certificate)
    README.txt               what this is and how to check it (French / English)
    conformity-matrix.html   the conformity matrix for a reviewer (one file, no JavaScript)
    run.json                 what was run, against which DUI, when, where
    coverage-matrix.json/.csv, junit.xml, usage.json
    profile/profile.toml, profile/requirements.json, profile/catalog/*.csv
    allure-results/…, allure-report/…, exchanges/…, documents/…
    official-coverage.csv    one verdict per official Ségur requirement of the account
    attestations/…           the editor's declared attestations and their files (--attestations)

The private keys of the test PKI and the reference DUI's database are never included.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness import __version__
from harness.core.official import account_path
from harness.core.requirements import Profile, load_profile
from harness.core.verdicts import overall_verdict
from harness.errors import InputError, ProfileError, UsageError
from harness.evidence.matrix_html import render_matrix_html
from harness.evidence.signing import Signer, canonical_json
from harness.evidence.sources import RunSource, open_source
from harness.evidence.usage import compute_usage
from harness.evidence.ziparchive import ArchiveMember, build_zip, dos_timestamp
from harness.paths import profiles_dir

__all__ = [
    "BUNDLE_FORMAT",
    "MANIFEST",
    "SIGNATURE",
    "BundleResult",
    "RunOutcome",
    "make_bundle",
    "run_state",
    "write_bundle",
]

BUNDLE_FORMAT = "dui-harness-bundle/1"
MANIFEST, SIGNATURE = "MANIFEST.json", "MANIFEST.sig"
INCLUDED_DIRS = ("allure-results/", "allure-report/", "exchanges/", "documents/", "attestations/", "attended/")
INCLUDED_FILES = ("junit.xml", "coverage-matrix.json", "coverage-matrix.csv", "official-coverage.csv", "run.json")
GENERATED = ("README.txt", "conformity-matrix.html", "usage.json", "profile/")
DUI_FIELDS = ("name", "version", "editor", "build_id")

README = """dui-harness — dossier de preuves de conformité / conformity evidence bundle

FR  Ce dossier contient les résultats d'une exécution de dui-harness contre une DUI :
    matrice de conformité (conformity-matrix.html, à ouvrir dans un navigateur), rapport
    Allure (allure-report/), résultats bruts, JUnit, échanges capturés, documents validés,
    profil d'exigences utilisé. MANIFEST.json donne l'empreinte SHA-256 de chaque fichier ;
    MANIFEST.sig en est la signature. Vérification hors ligne :
        dui-harness verify CE_FICHIER.zip --trusted-key CLE_PUBLIQUE_EDITEUR.pem
    Toute modification d'un octet est détectée et nommée. Les exigences officielles Ségur
    et leur verdict sont dans coverage-matrix.json (liste « official ») et
    official-coverage.csv ; les attestations de l'éditeur et leurs fichiers dans
    attestations/ ; une contre-signature d'évaluateur éventuelle dans COUNTERSIGNATURE.json.
    Preuves au format Convergence : dui-harness proofs CE_FICHIER.zip --out DOSSIER

EN  This bundle holds one dui-harness run against a DUI: the conformity matrix
    (conformity-matrix.html, opens in any browser), the Allure report (allure-report/; serve
    the folder over HTTP or `allure open` it), raw results, JUnit, captured exchanges,
    validated documents and the requirement profile used. MANIFEST.json lists the SHA-256 of
    every file; MANIFEST.sig signs it. Check it offline:
        dui-harness verify THIS_FILE.zip --trusted-key EDITOR_PUBLIC_KEY.pem
    Any change of any byte is detected and named. The official Ségur requirements and their
    verdicts are in coverage-matrix.json ("official") and official-coverage.csv; the editor's
    attestations and their files in attestations/; a reviewer's countersignature, if any, in
    COUNTERSIGNATURE.json. Convergence-shaped proofs: dui-harness proofs THIS_FILE.zip --out DIR
"""


@dataclass(frozen=True)
class BundleResult:
    path: Path
    members: int
    size: int
    manifest: dict[str, Any]


def _dui_identity(source: RunSource, run: dict[str, Any], overrides: dict[str, str]) -> dict[str, Any]:
    dui = dict(run.get("dui") or {})
    if not dui:
        env = (source.read("allure-results/environment.properties") or b"").decode("utf-8", "replace")
        values = dict(line.split("=", 1) for line in env.splitlines() if "=" in line)
        dui = {
            "name": values.get("DUI.name", ""),
            "version": values.get("DUI.version", ""),
            "editor": values.get("DUI.editor", ""),
            "build_id": values.get("DUI.build", ""),
            "mode": values.get("DUI.mode", ""),
            "source": "Allure environment",
        }
    identity = {k: str(dui.get(k, "")) for k in DUI_FIELDS}
    identity["mode"] = str(dui.get("mode", ""))
    identity["source"] = str(dui.get("source", "trigger API GET /info"))
    given = {k: v for k, v in overrides.items() if v}
    if given:
        identity.update(given)
        identity["source"] = f"{identity['source']}; declared on the command line: {', '.join(sorted(given))}"
    return identity


def _profile_of(matrix: dict[str, Any], run: dict[str, Any], root: Path) -> Profile:
    declared = matrix.get("profile") or {}
    spec = (run.get("profile") or {}).get("file") or ""
    candidates = [spec] if spec and Path(spec).is_file() else []
    candidates.append(f"{declared.get('name')}@{declared.get('version')}")
    problems = []
    for candidate in candidates:
        try:
            profile = load_profile(root, candidate)
        except (ProfileError, UsageError) as exc:
            problems.append(str(exc))
            continue
        if profile.sha256 == declared.get("sha256"):
            return profile
        problems.append(f"{profile.path} has SHA-256 {profile.sha256}, the run used {declared.get('sha256')}")
    raise InputError(
        "le profil de cette exécution est introuvable à l'identique / the profile of this run cannot be "
        "found unchanged: " + "; ".join(problems),
        tip="faites le dossier avec l'installation qui a fait l'exécution / bundle the run with the "
        "dui-harness installation that made it",
    )


def _profile_files(profile: Profile) -> dict[str, bytes]:
    files = {"profile/profile.toml": profile.path.read_bytes()}
    catalogs = sorted({r.origin.rsplit(":", 1)[0] for r in profile.requirements if r.origin})
    for catalog in catalogs:
        files[f"profile/catalog/{Path(catalog).name}"] = Path(catalog).read_bytes()
    dependencies = Path(catalogs[0]).parent / "dependencies.csv" if catalogs else None
    if dependencies is not None and dependencies.is_file():  # what made a failure *blocked* by another
        files["profile/catalog/dependencies.csv"] = dependencies.read_bytes()
    account = account_path(profiles_dir())
    if account.is_file():  # the official account the run's ``official`` list was derived from
        files["profile/official/account.csv"] = account.read_bytes()
    requirements = {
        r.id: {**r.as_dict(), "not_tested_reason": r.not_tested_reason, "applicability": r.applicability}
        for r in profile.requirements
    }
    files["profile/requirements.json"] = canonical_json(
        {"profile": f"{profile.name}@{profile.version}", "requirements": requirements}
    )
    return files


@dataclass(frozen=True)
class RunOutcome:
    """What a run concluded, as ``dui-harness run`` hands it over in-process (no re-reading of its files)."""

    matrix: dict[str, Any]
    run: dict[str, Any]
    usage: dict[str, Any]


def run_state(matrix: dict[str, Any], run: dict[str, Any]) -> dict[str, Any]:
    """The overall verdict and completeness of a run, for the manifest (computed again for older runs)."""
    overall = matrix.get("overall")
    if not isinstance(overall, dict):
        overall = overall_verdict(matrix.get("requirements") or [], matrix.get("partial_reasons") or []).as_dict()
    return {
        "overall": overall,
        "partial": bool(matrix.get("partial") or overall.get("partial")),
        "interrupted": bool(run.get("interrupted")),
        "partial_reasons": list(matrix.get("partial_reasons") or []),
    }


def collect(
    source: RunSource,
    *,
    dui_overrides: dict[str, str] | None = None,
    created: datetime | None = None,
    profiles_root: Path | None = None,
    outcome: RunOutcome | None = None,
) -> tuple[dict[str, bytes], dict[str, Any]]:
    """The files of the bundle (without manifest and signature) and the manifest's header.

    ``outcome``: the run's result as ``dui-harness run`` holds it; without it (``dui-harness
    bundle``) the coverage matrix, ``run.json`` and the usage are read from ``source``.
    """
    if outcome is not None:
        matrix, run = outcome.matrix, outcome.run
    else:
        matrix, run = source.json("coverage-matrix.json"), source.json("run.json") or {}
    if not isinstance(matrix, dict) or "requirements" not in matrix:
        raise InputError(
            f"{source.label}: pas de coverage-matrix.json : pas le dossier de sortie d'une exécution / no "
            "coverage-matrix.json: not the output folder of a run",
            tip="dui-harness run --reports DIR ; puis / then dui-harness bundle --reports DIR",
        )
    files = {n: b for n, b in source.files.items() if n in INCLUDED_FILES or n.startswith(INCLUDED_DIRS)}
    profile = _profile_of(matrix, run, profiles_root or profiles_dir())
    files.update(_profile_files(profile))
    identity = _dui_identity(source, run, dui_overrides or {})
    moment = (created or datetime.now(UTC)).replace(microsecond=0)
    requirements = json.loads(files["profile/requirements.json"])["requirements"]
    files["usage.json"] = canonical_json(outcome.usage if outcome is not None else compute_usage(source).as_dict())
    files["conformity-matrix.html"] = render_matrix_html(
        matrix,
        requirements,
        run,
        identity,
        [n for n in source.names("exchanges/") if n.endswith(".json")],
        generated=moment,
    ).encode("utf-8")
    files["README.txt"] = README.encode("utf-8")
    header = {
        "format": BUNDLE_FORMAT,
        "created": moment.isoformat(),
        "harness_version": __version__,
        "dui": identity,
        "profile": {"name": profile.name, "version": profile.version, "sha256": profile.sha256},
        "run": {k: run.get(k) for k in ("started", "finished", "harness_version", "environment")},
        "counts": matrix.get("counts", {}),
        **run_state(matrix, run),
    }
    return files, header


def make_bundle(
    source: RunSource,
    signer: Signer,
    *,
    dui_overrides: dict[str, str] | None = None,
    created: datetime | None = None,
    profiles_root: Path | None = None,
    outcome: RunOutcome | None = None,
) -> tuple[bytes, dict[str, Any], dict[str, bytes]]:
    """The bytes of the signed bundle of ``source``, its manifest and its files (without the control files)."""
    files, manifest = collect(
        source, dui_overrides=dui_overrides, created=created, profiles_root=profiles_root, outcome=outcome
    )
    members = [ArchiveMember.pack(name, files[name]) for name in sorted(files)]
    manifest["signer"] = signer.describe()
    manifest["files"] = [
        {
            "path": m.name,
            "size": m.size,
            "sha256": hashlib.sha256(files[m.name]).hexdigest(),
            "method": "deflate" if m.method else "stored",
            "stored_sha256": hashlib.sha256(m.stored).hexdigest(),
        }
        for m in members
    ]
    manifest_bytes = canonical_json(manifest)
    head = [
        ArchiveMember.pack(MANIFEST, manifest_bytes, compress=False),
        ArchiveMember.pack(SIGNATURE, signer.signature_file(manifest_bytes), compress=False),
    ]
    stamp = dos_timestamp(datetime.fromisoformat(manifest["created"]))
    return build_zip([*head, *members], stamp), manifest, files


def write_bundle(
    reports: Path,
    out: Path | None,
    signer: Signer,
    *,
    dui_overrides: dict[str, str] | None = None,
    profiles_root: Path | None = None,
    outcome: RunOutcome | None = None,
) -> BundleResult:
    """Bundle the run in ``reports`` into ``out`` (default ``<reports>/evidence-bundle.zip``).

    Also writes ``<reports>/conformity-matrix.html`` (the copy inside the bundle is the one signed).
    """
    source = open_source(reports)
    if source.is_bundle:
        raise UsageError(
            f"{reports}: déjà un dossier de preuves ; donnez le dossier de rapports / already a bundle; "
            "give the reports folder of a run"
        )
    data, manifest, files = make_bundle(
        source, signer, dui_overrides=dui_overrides, profiles_root=profiles_root, outcome=outcome
    )
    target = out or reports / "evidence-bundle.zip"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(target)
    (reports / "conformity-matrix.html").write_bytes(files["conformity-matrix.html"])
    return BundleResult(target, len(manifest["files"]) + 2, len(data), manifest)
