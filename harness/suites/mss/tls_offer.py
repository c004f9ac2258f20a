"""What SC.MSS/CONF.03 allows a DUI to offer in its ClientHello to the operator's API LPS.

SC.MSS/CONF.03 (référentiel socle MSSanté #2, ECO.1.1.3): the DUI uses only
TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (0xC030), ..._AES_128_GCM_SHA256 (0xC02F),
..._AES_256_CBC_SHA384 (0xC028), ..._AES_128_CBC_SHA256 (0xC027),
TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 (0x009F), ..._AES_128_GCM_SHA256 (0x009E), with a DH group of
at least 2048 bits or an ECDH group of at least 256 bits. The bench reads the offer, not only the
suite agreed, because a suite offered is a suite a server may pick. Its reading, stated:

* the ECDSA twins of the listed suites (0xC02C, 0xC02B, 0xC024, 0xC023: same key exchange,
  cipher and MAC, the authentication follows the operator's certificate type) are accepted;
* the TLS 1.3 suites (0x1301-0x1303) are accepted when TLS 1.3 is offered (SC.MSS/CONF.02 lets
  the DUI use a version after 1.2); signalling values (0x00FF, 0x5600) and GREASE are ignored;
* offered versions must all be TLS 1.2 or later;
* offered groups must not include an elliptic curve under 256 bits (secp160-224, the sect*
  binary curves, explicit curves); X25519 (a 255-bit field, 128-bit security like P-256) is
  accepted; groups the bench does not know are not judged.
"""

from __future__ import annotations

from typing import Any

from harness.core.findings import Finding

__all__ = ["ALLOWED_SUITES", "REQUIREMENT", "offer_findings"]

REQUIREMENT = "SC.MSS/CONF.03"
LISTED = frozenset({0xC030, 0xC02F, 0xC028, 0xC027, 0x009F, 0x009E})
ECDSA_TWINS = frozenset({0xC02C, 0xC02B, 0xC024, 0xC023})
TLS13 = frozenset({0x1301, 0x1302, 0x1303})
SIGNALLING = frozenset({0x00FF, 0x5600})
ALLOWED_SUITES = LISTED | ECDSA_TWINS | SIGNALLING
TLS12 = 0x0303
#: RFC 8422 / IANA: the binary curves and prime curves under 256 bits (1-22), the explicit curves
WEAK_GROUPS = frozenset(range(0x0001, 0x0017)) | {0xFF01, 0xFF02}


def _grease(value: int) -> bool:
    """RFC 8701 GREASE values (0x0A0A, 0x1A1A, ... 0xFAFA)."""
    return value & 0x0F0F == 0x0A0A and value >> 8 == value & 0xFF


def _codes(values: list[str]) -> list[int]:
    return [int(v, 16) for v in values]


def offer_findings(hello: dict[str, Any], location: str) -> list[Finding]:
    """Findings on one ClientHello (as :meth:`mocks.mssante.client_hello.ClientHello.as_dict` gives it)."""
    versions = [v for v in _codes(hello["versions"]) if not _grease(v)]
    suites = [s for s in _codes(hello["suites"]) if not _grease(s)]
    groups = [g for g in _codes(hello["groups"]) if not _grease(g)]
    allowed = ALLOWED_SUITES | (TLS13 if 0x0304 in versions else frozenset())
    findings = []
    old = [v for v in versions if v < TLS12]
    if old:
        findings.append(
            Finding(
                "mss.tls.offer.version",
                REQUIREMENT,
                "the DUI offers TLS versions before 1.2: " + ", ".join(f"0x{v:04X}" for v in old),
                location=location,
            )
        )
    extra = [s for s in suites if s not in allowed]
    if extra:
        findings.append(
            Finding(
                "mss.tls.offer.suite",
                REQUIREMENT,
                "the DUI offers suites outside SC.MSS/CONF.03's list: " + ", ".join(f"0x{s:04X}" for s in extra),
                location=location,
            )
        )
    weak = [g for g in groups if g in WEAK_GROUPS]
    if weak:
        findings.append(
            Finding(
                "mss.tls.offer.group",
                REQUIREMENT,
                "the DUI offers ECDH groups under 256 bits: " + ", ".join(f"0x{g:04X}" for g in weak),
                location=location,
            )
        )
    return findings
