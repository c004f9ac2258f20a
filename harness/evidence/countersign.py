"""A reviewer's countersignature of an evidence bundle: a second signature over the manifest, with decisions.

``dui-harness countersign BUNDLE --key KEY [--decisions FILE]`` adds one member,
``COUNTERSIGNATURE.json``, at the end of the bundle (the editor's members, manifest and
signature are kept byte for byte)::

    {"format": "dui-harness-countersignature/1",
     "signed": {"manifest_sha256": …, "created": …, "reviewer": {signer block},
                "decisions": {"SC.MSS/CONF.25": {"decision": "accepted", "comment": ""}, …}},
     "algorithm": …, "public_key": PEM, "certificate": PEM or null, "signature": base64}

The signature covers the canonical JSON of ``signed``, hence the SHA-256 of ``MANIFEST.json``
(so every member of the bundle) and each decision. ``verify`` checks it and shows both
signatures; any change of the countersignature or of the manifest it names is reported.
Decisions: ``accepted`` (accepté), ``refused`` (refusé), ``to-complete`` (à compléter).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from harness.errors import InputError
from harness.evidence.signing import Signer, TrustAnchor, canonical_json, spki_sha256
from harness.evidence.signing import _verify as verify_signature
from harness.evidence.ziparchive import ArchiveMember, build_zip, dos_timestamp, read_zip

__all__ = [
    "COUNTERSIGNATURE",
    "DECISIONS",
    "CountersignatureCheck",
    "check_countersignature",
    "countersign",
    "load_decisions",
]

COUNTERSIGNATURE = "COUNTERSIGNATURE.json"
FORMAT = "dui-harness-countersignature/1"
DECISIONS = ("accepted", "refused", "to-complete")


def load_decisions(path: Path | None) -> dict[str, dict[str, str]]:
    """``{id: {"decision", "comment"}}`` from a YAML/JSON mapping ``id: decision`` or ``id: {decision, comment}``."""
    if path is None:
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"{path}: décisions illisibles / cannot read the decisions ({exc})") from exc
    data = data.get("decisions", data) if isinstance(data, dict) else data
    if not isinstance(data, dict):
        raise InputError(f"{path}: attendu : exigence → décision / expected a mapping of requirement ids to decisions")
    out = {}
    for req_id, value in data.items():
        if isinstance(value, dict):
            decision, comment = value.get("decision"), value.get("comment", "")
        else:
            decision, comment = value, ""
        if decision not in DECISIONS:
            raise InputError(
                f"{path}: {req_id}: décision / decision {decision!r} hors de / not one of {', '.join(DECISIONS)}"
            )
        out[str(req_id)] = {"decision": str(decision), "comment": str(comment or "")}
    return out


def countersign(
    data: bytes, signer: Signer, decisions: dict[str, dict[str, str]], created: datetime | None = None
) -> bytes:
    """The bundle ``data`` with the countersignature of ``signer`` (replacing an earlier one)."""
    archive = read_zip(data)
    manifest = archive.contents.get("MANIFEST.json")
    if not archive.readable or manifest is None:
        raise InputError(
            "pas un dossier de preuves (MANIFEST.json illisible) / not an evidence bundle (no readable MANIFEST.json)"
        )
    known = _known_ids(archive.contents)
    unknown = sorted(set(decisions) - known)
    if unknown:
        raise InputError(
            "les décisions citent des exigences absentes du dossier / decisions name requirements this "
            f"bundle does not hold: {', '.join(unknown)}"
        )
    signed = {
        "manifest_sha256": hashlib.sha256(manifest).hexdigest(),
        "created": (created or datetime.now(UTC)).replace(microsecond=0).isoformat(),
        "reviewer": signer.describe(),
        "decisions": decisions,
    }
    sig = json.loads(signer.signature_file(canonical_json(signed)))
    document = {
        "format": FORMAT,
        "signed": signed,
        **{k: sig[k] for k in ("algorithm", "public_key", "certificate", "signature")},
    }
    members = [archive.members[n] for n in archive.order if n != COUNTERSIGNATURE]
    members.append(ArchiveMember.pack(COUNTERSIGNATURE, canonical_json(document), compress=False))
    stamp = dos_timestamp(datetime.fromisoformat(json.loads(manifest)["created"]))
    return build_zip(members, stamp)


def _known_ids(contents: dict[str, bytes]) -> set[str]:
    try:
        matrix = json.loads(contents.get("coverage-matrix.json", b"{}"))
    except ValueError:
        return set()
    return {str(r.get("id")) for r in matrix.get("requirements", [])} | {
        str(o.get("id")) for o in matrix.get("official", [])
    }


@dataclass
class CountersignatureCheck:
    """What the countersignature proves."""

    valid: bool = False
    algorithm: str = ""
    fingerprint: str = ""
    subject: str | None = None
    created: str = ""
    trusted: bool | None = None
    decisions: dict[str, dict[str, str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def check_countersignature(contents: dict[str, bytes], anchors: list[TrustAnchor]) -> CountersignatureCheck | None:
    """Check ``COUNTERSIGNATURE.json`` of a bundle; None when the bundle has none."""
    raw = contents.get(COUNTERSIGNATURE)
    if raw is None:
        return None
    out = CountersignatureCheck()
    try:
        doc = json.loads(raw.decode("utf-8"))
        if not isinstance(doc, dict) or canonical_json(doc) != raw or doc.get("format") != FORMAT:
            raise ValueError(f"not a canonical {FORMAT} document")
        signed = doc["signed"]
        key = serialization.load_pem_public_key(str(doc["public_key"]).encode())
        signature = base64.b64decode(str(doc["signature"]), validate=True)
        cert = x509.load_pem_x509_certificate(str(doc["certificate"]).encode()) if doc.get("certificate") else None
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        out.problems.append(f"unreadable or altered ({exc})")
        return out
    out.algorithm, out.fingerprint = str(doc.get("algorithm")), spki_sha256(key)  # type: ignore[arg-type]
    out.subject = cert.subject.rfc4514_string() if cert else None
    out.created = str(signed.get("created"))
    out.decisions = dict(signed.get("decisions") or {})
    if (signed.get("reviewer") or {}).get("public_key_sha256") != out.fingerprint:
        out.problems.append("the reviewer the countersignature names is not the key that signed it")
    manifest = contents.get("MANIFEST.json", b"")
    if signed.get("manifest_sha256") != hashlib.sha256(manifest).hexdigest():
        out.problems.append(
            "names another MANIFEST.json (manifest altered after the review, or countersignature "
            "moved from another bundle)"
        )
    if not verify_signature(key, signature, canonical_json(signed)):
        out.problems.append("the reviewer's signature does not match its content (decisions or signature altered)")
    bad = [k for k, v in out.decisions.items() if not isinstance(v, dict) or v.get("decision") not in DECISIONS]
    if bad:
        out.problems.append(f"decisions not understood for {', '.join(sorted(bad))}")
    out.valid = not out.problems
    if anchors:
        out.trusted = any(spki_sha256(a.key) == out.fingerprint for a in anchors)
    return out
