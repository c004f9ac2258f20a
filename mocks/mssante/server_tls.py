"""TLS configurations an operator may present, the sound one and those a DUI must refuse.

SC.MSS/CONF.03 (référentiel socle MSSanté #2, API LPS): the client negotiates only the listed
TLS 1.2 suites (ECDHE / DHE with AES-GCM or AES-CBC-SHA256/384) with a DH group of at least
2048 bits or an ECDH group of at least 256 bits, and rejects a server that offers less. Each
weak profile below offers only what the requirement forbids, so a conformant client cannot
agree on anything and the handshake fails before a byte of SMTP:

=================  ==========================================================================
profile            the operator offers only
=================  ==========================================================================
``sound``          TLS 1.2+ (the simulator's default)
``tls12``          TLS 1.2 only, with the listed suites: sound, a DUI must get through (SC.MSS/CONF.01)
``tls10``          TLS 1.0 and 1.1 (RFC 8996 deprecates them)
``weak-cipher``    TLS 1.2 with ECDHE-ECDSA-AES128-SHA (CBC with HMAC-SHA1, not in the list)
``static-rsa``     TLS 1.2 with AES128-GCM-SHA256 (RSA key transport: no forward secrecy)
``weak-ecdh``      TLS 1.2 ECDHE on secp224r1 (a 224-bit group)
``weak-dh``        TLS 1.2 DHE-RSA with the 1024-bit MODP group of RFC 2409 §6.2
=================  ==========================================================================

``static-rsa`` and ``weak-dh`` need an RSA server certificate (``server-rsa`` of
:mod:`harness.pki_servers`).
"""

from __future__ import annotations

import base64
import ssl
import tempfile
import warnings
from pathlib import Path

__all__ = ["PROFILES", "RSA_PROFILES", "SOUND_PROFILES", "server_tls"]

PROFILES = ("sound", "tls12", "tls10", "weak-cipher", "static-rsa", "weak-ecdh", "weak-dh")
#: the listed SC.MSS/CONF.03 suites for the ECDSA certificate of ``server-valid`` (their ECDSA twins)
_LISTED_ECDSA = (
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA256"
)
RSA_PROFILES = frozenset({"static-rsa", "weak-dh"})
#: the profiles a conformant client gets through (the others it must refuse)
SOUND_PROFILES = frozenset({"sound", "tls12"})
#: RFC 2409 §6.2, Second Oakley Group: the 1024-bit MODP prime (generator 2)
_MODP_1024 = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF",
    16,
)


def _der_integer(value: int) -> bytes:
    body = value.to_bytes(value.bit_length() // 8 + 1, "big")  # a leading 0 keeps it positive
    return b"\x02" + _der_length(len(body)) + body


def _der_length(size: int) -> bytes:
    if size < 0x80:
        return bytes([size])
    octets = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets


def _weak_dh_params(context: ssl.SSLContext) -> None:
    """Load the 1024-bit group as PKCS #3 ``DHParameter ::= SEQUENCE { prime, base }`` (DER in PEM)."""
    body = _der_integer(_MODP_1024) + _der_integer(2)
    der = b"\x30" + _der_length(len(body)) + body
    lines = [base64.b64encode(der)[i : i + 64] for i in range(0, len(base64.b64encode(der)), 64)]
    pem = b"-----BEGIN DH PARAMETERS-----\n" + b"\n".join(lines) + b"\n-----END DH PARAMETERS-----\n"
    with tempfile.TemporaryDirectory(prefix="dui-harness-dh-") as folder:
        path = Path(folder) / "dh1024.pem"
        path.write_bytes(pem)
        context.load_dh_params(str(path))


def server_tls(profile: str, certfile: Path, keyfile: Path, client_ca: Path | None = None) -> ssl.SSLContext:
    """The server context of ``profile`` (one of :data:`PROFILES`), asking for a client certificate of ``client_ca``.

    Raises:
        ValueError: an unknown profile.
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown operator TLS profile {profile!r}; known: {', '.join(PROFILES)}")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if profile == "tls10":
        with warnings.catch_warnings():  # deprecated protocol versions: offering them is the scenario
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.TLSv1
            context.maximum_version = ssl.TLSVersion.TLSv1_1
        context.set_ciphers("ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:@SECLEVEL=0")
    elif profile != "sound":
        context.maximum_version = ssl.TLSVersion.TLSv1_2  # TLS 1.3 suites would leave no weakness (or no 1.2) to see
        context.set_ciphers(
            {
                "tls12": _LISTED_ECDSA,
                "weak-cipher": "ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0",
                "static-rsa": "AES128-GCM-SHA256:@SECLEVEL=0",
                "weak-ecdh": "ECDHE-ECDSA-AES128-GCM-SHA256:@SECLEVEL=0",
                "weak-dh": "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
            }[profile]
        )
        if profile == "weak-ecdh":
            context.set_ecdh_curve("secp224r1")
        if profile == "weak-dh":
            _weak_dh_params(context)
    context.load_cert_chain(str(certfile), str(keyfile))
    if client_ca is not None:
        context.load_verify_locations(str(client_ca))
        context.verify_mode = ssl.CERT_OPTIONAL
    return context
