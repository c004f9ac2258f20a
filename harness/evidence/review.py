"""What ``verify`` adds for reviewers: the editor's attestation files and the reviewer's countersignature."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.core.official import account_path
from harness.evidence import attestations
from harness.evidence.countersign import CountersignatureCheck, check_countersignature
from harness.evidence.signing import TrustAnchor
from harness.paths import profiles_dir

__all__ = ["ReviewCheck", "check_review", "review_lines"]


@dataclass
class ReviewCheck:
    """Attestation files and countersignature of a bundle, with the problems found (member, message)."""

    attestation_files: int = 0
    #: the run's official coverage (``official_counts`` of the coverage matrix), when it has one
    official_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    countersignature: CountersignatureCheck | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "attestation_files": self.attestation_files,
            "official_counts": self.official_counts,
            "countersignature": self.countersignature.as_dict() if self.countersignature else None,
        }


def check_review(
    contents: dict[str, bytes],
    anchors: list[TrustAnchor],
    profiles_root: Path | None = None,
    *,
    matrix: dict[str, Any] | None = None,
) -> ReviewCheck:
    """The bundle's attestations and countersignature; ``matrix``: ``coverage-matrix.json`` already decoded."""
    out = ReviewCheck()
    out.problems, out.attestation_files = attestations.check(contents, profiles_root)
    try:
        decoded = matrix if matrix is not None else json.loads(contents.get("coverage-matrix.json", b"{}"))
        counts = decoded.get("official_counts")
    except (ValueError, AttributeError):
        counts = None
    out.official_counts = counts if isinstance(counts, dict) else {}
    account = contents.get("profile/official/account.csv")
    shipped = account_path(profiles_root or profiles_dir())
    if account is not None and (not shipped.is_file() or shipped.read_bytes() != account):
        out.warnings.append(
            (
                "profile/official/account.csv",
                f"differs from the official account shipped with this dui-harness ({shipped}): dispositions may differ",
            )
        )
    out.countersignature = check_countersignature(contents, anchors)
    if out.countersignature is not None:
        out.problems += [("COUNTERSIGNATURE.json", p) for p in out.countersignature.problems]
        if out.countersignature.trusted is False:
            out.warnings.append(
                (
                    "COUNTERSIGNATURE.json",
                    f"reviewer key {out.countersignature.fingerprint[:16]}… matches none of the --trusted-key files",
                )
            )
    return out


def review_lines(review: ReviewCheck | None) -> list[str]:
    """The lines ``verify`` prints about attestations and the countersignature."""
    if review is None:
        return []
    lines = []
    by_disposition = review.official_counts.get("disposition") or {}
    if by_disposition:
        verdicts = review.official_counts.get("verdict") or {}
        lines.append(
            "  exigences officielles / official requirements: "
            + ", ".join(f"{n} {d}" for d, n in by_disposition.items() if n)
            + "; verdicts: "
            + ", ".join(f"{n} {v}" for v, n in sorted(verdicts.items()))
        )
    if review.attestation_files:
        lines.append(
            f"  attestations: {review.attestation_files} fichier(s) joint(s) / attached file(s), "
            "empreintes vérifiées / hashes checked"
        )
    sig = review.countersignature
    if sig is None:
        lines.append("  contre-signature / countersignature: aucune / none")
        return lines
    trust = {True: "trusted", False: "NOT trusted", None: "not checked"}[sig.trusted]
    decided: dict[str, int] = {}
    for value in sig.decisions.values():
        decided[str(value.get("decision"))] = decided.get(str(value.get("decision")), 0) + 1
    summary = ", ".join(f"{n} {d}" for d, n in sorted(decided.items())) or "no decision"
    lines.append(
        f"  contre-signature / countersignature: {'valid' if sig.valid else 'INVALID'} {sig.algorithm}, "
        f"key {sig.fingerprint[:16]}… {sig.subject or ''} — reviewer {trust}; {sig.created}; {summary}"
    )
    return lines
