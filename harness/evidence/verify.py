"""Verify an evidence bundle offline: every byte, the signature and signer, the profile, then a summary.

Checks, in order: the ZIP structure is the canonical one (:mod:`harness.evidence.ziparchive`:
safe names, sane sizes, every header byte); ``MANIFEST.json`` lists exactly the members, and
each member's size, SHA-256 and stored bytes match; ``MANIFEST.sig`` is a valid signature of
the manifest by the signer the manifest names, trusted when ``--trusted-key`` is given; the
profile is the one shipped with this harness under the same name and version, byte for byte;
the run's files agree on that profile. Every problem names the member (or the manifest, the
signature, the ZIP part) it concerns.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from harness.core.requirements import list_profiles
from harness.core.verdicts import Overall
from harness.errors import InputError
from harness.evidence.bundle import BUNDLE_FORMAT, MANIFEST, SIGNATURE, run_state
from harness.evidence.countersign import COUNTERSIGNATURE
from harness.evidence.review import ReviewCheck, check_review, review_lines
from harness.evidence.services import VERDICT_ORDER, service_label, verdict_label
from harness.evidence.signing import SignatureCheck, TrustAnchor, check_signature
from harness.evidence.ziparchive import MAX_BUNDLE_BYTES, STORED, ZipReadResult, dos_timestamp, read_zip
from harness.paths import profiles_dir

__all__ = [
    "INTACT_UNVERIFIED",
    "INVALID",
    "VALID",
    "Issue",
    "VerifyReport",
    "render_text",
    "verify_bytes",
    "verify_file",
]

ERROR, WARNING = "error", "warning"
VALID, INTACT_UNVERIFIED, INVALID = "valid", "intact-unverified", "invalid"
#: a manifest nested deeper than this is refused before it is decoded (a signed manifest has 3 levels)
MAX_MANIFEST_DEPTH = 32


@dataclass(frozen=True)
class Issue:
    where: str
    message: str
    severity: str = ERROR

    def as_dict(self) -> dict[str, str]:
        return {"where": self.where, "message": self.message, "severity": self.severity}


@dataclass
class VerifyReport:
    bundle: str
    issues: list[Issue] = field(default_factory=list)
    signature: SignatureCheck | None = None
    manifest: dict[str, Any] = field(default_factory=dict)
    profile_status: str = "unknown"
    matrix: dict[str, Any] = field(default_factory=dict)
    contents: dict[str, bytes] = field(default_factory=dict, repr=False)
    #: the editor's attestation files and the reviewer's countersignature
    review: ReviewCheck | None = None
    #: JSON members decoded once (:meth:`member_json`): verify reads the matrix and run.json several times
    _decoded: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def valid(self) -> bool:
        """Intact: no error found (the signer may still be unverified, see :attr:`verdict`)."""
        return not any(i.severity == ERROR for i in self.issues)

    @property
    def verdict(self) -> str:
        """``valid`` (intact, signer trusted), ``intact-unverified`` (intact, no trusted key given) or ``invalid``.

        Without a trusted key, anyone can re-sign a changed bundle with a key of their own: such a
        bundle is intact but proves nothing about who made it, so it never reads VALID (issue 17).
        """
        if not self.valid:
            return INVALID
        return VALID if self.signature is not None and self.signature.trusted else INTACT_UNVERIFIED

    def error(self, where: str, message: str) -> None:
        self.issues.append(Issue(where, message))

    def warn(self, where: str, message: str) -> None:
        self.issues.append(Issue(where, message, WARNING))

    def requirements(self) -> list[dict[str, Any]]:
        return [
            {k: r.get(k) for k in ("id", "service", "level", "applicability", "verification", "verdict", "title_fr")}
            for r in self.matrix.get("requirements", [])
        ]

    def run_state(self) -> dict[str, Any]:
        """The DUI's overall verdict and whether the run was partial (from the matrix; the manifest's
        copy must agree). Empty when no verdict can be read."""
        if not self.matrix:
            return {}
        return run_state(self.matrix, self.member_json("run.json") or {})

    def member_json(self, name: str) -> Any:
        """The member ``name`` decoded as JSON (None when absent, too deep or not JSON), decoded once."""
        if name not in self._decoded:
            self._decoded[name] = _json(self.contents.get(name))
        return self._decoded[name]

    def services(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for row in self.matrix.get("requirements", []):
            counts = out.setdefault(str(row.get("service")), {})
            counts[str(row.get("verdict"))] = counts.get(str(row.get("verdict")), 0) + 1
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "bundle": self.bundle,
            "valid": self.verdict == VALID,
            "intact": self.valid,
            "verdict": self.verdict,
            "issues": [i.as_dict() for i in self.issues],
            "signature": self.signature.as_dict() if self.signature else None,
            "created": self.manifest.get("created"),
            "harness_version": self.manifest.get("harness_version"),
            "dui": self.manifest.get("dui"),
            "profile": {**(self.manifest.get("profile") or {}), "status": self.profile_status},
            "dui_verdict": self.run_state().get("overall"),
            "partial": self.run_state().get("partial"),
            "counts": self.matrix.get("counts", {}),
            "services": self.services(),
            "requirements": self.requirements(),
            **(self.review.as_dict() if self.review else {}),
        }


def verify_file(path: Path, anchors: list[TrustAnchor], *, profiles_root: Path | None = None) -> VerifyReport:
    """Verify the bundle at ``path``; :class:`InputError` when it cannot be read at all."""
    if not path.is_file():
        raise InputError(
            f"{path}: dossier de preuves introuvable / no such bundle file",
            tip="dui-harness bundle --reports DIR --out FILE",
        )
    try:
        size = path.stat().st_size
        if size > MAX_BUNDLE_BYTES:
            report = VerifyReport(str(path))
            report.error("zip", f"{size} bytes: larger than {MAX_BUNDLE_BYTES} (absurd size), not read")
            return report
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: illisible / cannot be read ({exc.strerror or exc})") from exc
    return verify_bytes(data, str(path), anchors, profiles_root=profiles_root)


def verify_bytes(
    data: bytes, label: str, anchors: list[TrustAnchor], *, profiles_root: Path | None = None
) -> VerifyReport:
    report = VerifyReport(label)
    archive = read_zip(data)
    for issue in archive.issues:
        report.error(issue.where, issue.message)
    if not archive.readable:
        return report
    report.contents = archive.contents
    manifest_bytes = archive.contents.get(MANIFEST)
    manifest = _manifest(report, manifest_bytes)
    if manifest is None or manifest_bytes is None:
        return report
    report.manifest = manifest
    _check_members(report, archive, manifest)
    _check_signature(report, archive, manifest_bytes, manifest, anchors)
    _check_profile(report, manifest, profiles_root or profiles_dir())
    matrix = report.member_json("coverage-matrix.json")
    report.matrix = matrix if isinstance(matrix, dict) else {}
    if not report.matrix:
        report.error("coverage-matrix.json", "missing or not JSON: no verdict can be read")
    elif "overall" in manifest and manifest.get("overall") != report.run_state().get("overall"):
        report.error(MANIFEST, "overall verdict differs from the one of coverage-matrix.json")
    report.review = check_review(report.contents, anchors, profiles_root, matrix=report.matrix)
    for where, message in report.review.problems:
        report.error(where, message)
    for where, message in report.review.warnings:
        report.warn(where, message)
    return report


#: every byte but the four brackets, deleted by :func:`_too_deep` before it counts (``bytes.translate``, in C)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in (0x5B, 0x5D, 0x7B, 0x7D))


def _too_deep(raw: bytes, limit: int) -> bool:
    """True when ``[``/``{`` nest deeper than ``limit`` (brackets inside strings count: an upper bound).

    Only the brackets are walked (the other bytes are dropped first, in C): a 600-member manifest has
    ~1,300 of them in ~200 kB."""
    depth = 0
    for byte in raw.translate(None, _NOT_BRACKETS):
        if byte in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


def _json(raw: bytes | None, *, max_depth: int = MAX_MANIFEST_DEPTH) -> Any:
    """Decode a JSON member, or None; nesting is bounded before decoding (100k levels crashed ``verify``)."""
    if raw is None or _too_deep(raw, max_depth):
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def _manifest(report: VerifyReport, raw: bytes | None) -> dict[str, Any] | None:
    if raw is None:
        report.error(MANIFEST, "missing: this is not an evidence bundle, or its manifest was removed or renamed")
        return None
    if _too_deep(raw, MAX_MANIFEST_DEPTH):
        report.error(MANIFEST, f"JSON nested deeper than {MAX_MANIFEST_DEPTH} levels: not a manifest (altered)")
        return None
    data = _json(raw)
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        report.error(MANIFEST, "not a JSON manifest (altered)")
        return None
    if data.get("format") != BUNDLE_FORMAT:
        report.error(MANIFEST, f"format {data.get('format')!r}, expected {BUNDLE_FORMAT!r}")
    return data


def _check_members(report: VerifyReport, archive: ZipReadResult, manifest: dict[str, Any]) -> None:
    listed: dict[str, dict[str, Any]] = {}
    for entry in manifest["files"]:
        if isinstance(entry, dict) and isinstance(entry.get("path"), str):
            listed[entry["path"]] = entry
    for name in (MANIFEST, SIGNATURE):
        member = archive.members.get(name)
        if member is not None and member.method != STORED:
            report.error(name, "must be stored uncompressed")
    expected_order = [MANIFEST, SIGNATURE, *sorted(listed)]
    if COUNTERSIGNATURE in archive.members:  # added by a reviewer after the editor signed: last
        expected_order.append(COUNTERSIGNATURE)
    for name, entry in listed.items():
        member = archive.members.get(name)
        if member is None:
            report.error(name, "listed in the manifest but missing from the bundle (removed or renamed)")
            continue
        content = archive.contents.get(name)
        if content is not None and (
            len(content) != entry.get("size") or hashlib.sha256(content).hexdigest() != entry.get("sha256")
        ):
            report.error(name, "content altered: its SHA-256 or size differs from the manifest")
        if hashlib.sha256(member.stored).hexdigest() != entry.get("stored_sha256") or (
            ("deflate" if member.method else "stored") != entry.get("method")
        ):
            report.error(name, "stored bytes altered: they differ from the manifest (compressed data or method)")
    for name in archive.order:
        if name not in listed and name not in (MANIFEST, SIGNATURE, COUNTERSIGNATURE):
            report.error(name, "extra member: not listed in the manifest (added or renamed)")
    if archive.order != expected_order and set(archive.order) == set(expected_order):
        report.error("zip", "members are not in the canonical order (archive rewritten)")
    try:
        stamp = dos_timestamp(datetime.fromisoformat(str(manifest.get("created"))))
    except ValueError:
        report.error(MANIFEST, f"created {manifest.get('created')!r} is not a date")
        return
    for name, member_stamp in archive.stamps.items():
        if member_stamp != stamp:
            report.error(name, "ZIP timestamp differs from the manifest's creation date (header altered)")


def _check_signature(
    report: VerifyReport,
    archive: ZipReadResult,
    manifest_bytes: bytes,
    manifest: dict[str, Any],
    anchors: list[TrustAnchor],
) -> None:
    sig = archive.contents.get(SIGNATURE)
    if sig is None:
        report.error(SIGNATURE, "missing: the manifest is not signed")
        return
    try:
        signed_at: datetime | None = datetime.fromisoformat(str(manifest.get("created")))
    except ValueError:
        signed_at = None
    check = check_signature(sig, manifest_bytes, manifest.get("signer") or {}, anchors, signed_at)
    report.signature = check
    for problem in check.problems:
        report.error(SIGNATURE, problem)
    if check.trusted is False:
        report.error(
            SIGNATURE,
            f"signer not trusted: key {check.fingerprint} ({check.subject or 'no certificate'}) "
            "matches none of the --trusted-key files",
        )
    elif check.trusted is None:
        report.warn(
            SIGNATURE,
            "signer not checked: give the editor's public key or certificate with --trusted-key"
            + (" (this bundle was signed with a one-time key: it identifies no one)" if check.one_time_key else ""),
        )


def _check_profile(report: VerifyReport, manifest: dict[str, Any], root: Path) -> None:
    declared = manifest.get("profile") or {}
    toml = report.contents.get("profile/profile.toml")
    if toml is None:
        report.error("profile/profile.toml", "missing: the profile used is not in the bundle")
        return
    digest = hashlib.sha256(toml).hexdigest()
    for where, value in (
        ("MANIFEST.json", declared.get("sha256")),
        (
            "coverage-matrix.json",
            ((report.member_json("coverage-matrix.json") or {}).get("profile") or {}).get("sha256"),
        ),
        ("run.json", ((report.member_json("run.json") or {}).get("profile") or {}).get("sha256")),
    ):
        if value is not None and value != digest:
            report.error(where, f"names profile SHA-256 {value}, the bundled profile.toml has {digest}")
    shipped = {(n, v): p for n, v, p in list_profiles(root)}
    path = shipped.get((str(declared.get("name")), str(declared.get("version"))))
    if path is None:
        report.profile_status = "unknown"
        report.error(
            "profile/profile.toml",
            f"profile {declared.get('name')}@{declared.get('version')} is not "
            f"shipped with this dui-harness ({root}): unknown profile",
        )
        return
    if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
        report.profile_status = "altered"
        report.error("profile/profile.toml", f"differs from the shipped {path} (profile altered)")
        return
    report.profile_status = "known"
    for name in sorted(n for n in report.contents if n.startswith("profile/catalog/")):
        twin = root / "catalog" / name.rsplit("/", 1)[-1]
        if not twin.is_file() or twin.read_bytes() != report.contents[name]:
            report.warn(
                name,
                f"differs from the catalog shipped with this dui-harness ({twin}): requirement "
                "wording or levels may have changed between versions",
            )


def render_text(report: VerifyReport) -> str:
    """The report for a person: the DUI's verdict first, then the bundle's integrity, then the details."""
    m = report.manifest
    dui = m.get("dui") or {}
    state = report.run_state()
    lines = [f"dui-harness verify — {report.bundle}"]
    if state:
        overall = Overall.from_dict(state["overall"])
        if report.valid:
            lines.append(f"  VERDICT DUI: {overall.label()}")
        else:  # a verdict read from an altered or untrusted bundle proves nothing
            lines.append(
                f"  VERDICT DUI: non établi, dossier invalide / not established, bundle invalid "
                f"(annoncé / claimed: {overall.label()[:120]})"
            )
        if state.get("partial"):
            lines.append(
                "  ⚠ exécution partielle / partial run"
                + (" (interrompue / interrupted)" if state.get("interrupted") else "")
                + " : ce dossier ne prouve pas la conformité / this bundle does not prove conformity"
            )
    sig = report.signature
    if sig is None:
        signer = "?"
    elif sig.one_time_key:
        signer = (
            "une clé à usage unique, qui n'identifie personne / a one-time key that identifies no one "
            f"({sig.fingerprint[:16]}…)"
        )
    else:
        signer = f"{sig.subject or 'clé / key'} ({sig.fingerprint[:16]}…)"
    # the integrity / trust line (issue 17): intact with a trusted signer, intact but signer not verified, or invalid
    integrity = {
        VALID: f"intact, signé par / intact, signed by {signer} — VALIDE / VALID "
        "(signataire de confiance / trusted signer)",
        INTACT_UNVERIFIED: f"intact, signé par / intact, signed by {signer} — INTACT, SIGNATAIRE NON VÉRIFIÉ "
        "/ INTACT, SIGNER NOT VERIFIED (give --trusted-key)",
        INVALID: "INVALIDE / INVALID (altéré ou non fiable / tampered or untrusted)",
    }[report.verdict]
    lines.append(f"  DOSSIER / BUNDLE: {integrity}")
    if m:
        profile = m.get("profile") or {}
        lines += [
            f"  créé le / created: {m.get('created')} by dui-harness {m.get('harness_version')}",
            f"  DUI: {dui.get('name')} {dui.get('version')} — {dui.get('editor')} (build {dui.get('build_id')})",
            f"  profil / profile: {profile.get('name')} {profile.get('version')} [{report.profile_status}]",
        ]
    sig = report.signature
    if sig is not None:
        trust = {True: f"trusted ({sig.trusted_by})", False: "NOT trusted", None: "not checked"}[sig.trusted]
        lines.append(
            f"  signature: {'valid' if sig.valid else 'INVALID'} {sig.algorithm}, key {sig.fingerprint[:16]}…"
            f" {sig.subject or ''} — signer {trust}"
        )
    lines += review_lines(report.review)
    errors = [i for i in report.issues if i.severity == ERROR]
    warnings = [i for i in report.issues if i.severity == WARNING]
    if errors:
        lines.append(f"  {len(errors)} problème(s) / problem(s):")
        lines += [f"    ✘ {i.where}: {i.message}" for i in errors[:200]]
        if len(errors) > 200:
            lines.append(f"    … and {len(errors) - 200} more")
    lines += [f"    ! {i.where}: {i.message}" for i in warnings]
    if report.matrix:
        lines.append("  par service / per service:")
        for service, counts in report.services().items():
            text = ", ".join(f"{counts[v]} {v}" for v in VERDICT_ORDER if counts.get(v))
            lines.append(f"    {service:<9} {text}  ({service_label(service)})")
        lines.append("  par exigence / per requirement:")
        for row in report.requirements():
            lines.append(
                f"    {verdict_label(str(row['verdict'])):<40} {row['id']:<14} {row['level']:<6} "
                f"{str(row['title_fr'])[:70]}"
            )
    return "\n".join(lines) + "\n"
