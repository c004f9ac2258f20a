"""How the reference DUI's mail client authenticates the operator before sending a byte.

Référentiel socle MSSanté #2 (ECO.1.1.4 to 1.1.10) as the Ségur base words it:

- SC.MSS/CONF.27 (ECO.1.1.10): only the configured CA (IGC Santé; here the harness's test CA);
- SC.MSS/va1.04 (ECO.1.1.5): the operator's certificate is not expired;
- SC.MSS/va1.05 (ECO.1.1.6): nor revoked — the CA's CRL is fetched (``crl_url`` of the
  ``mssante`` entry) and checked on the server certificate (OpenSSL ``X509_V_FLAG_CRL_CHECK``);
- SC.MSS/CONF.22 (ECO.1.1.7): the last valid CRL is kept and used when the distribution point
  fails; without any valid CRL the client refuses to connect;
- SC.MSS/CONF.03: TLS 1.2+, the listed ECDHE/DHE AES suites only (plus their ECDSA twins, the
  test PKI's keys being EC), DH >= 2048 bits and the default ECDH groups (>= 256 bits).

Each defect switch of :mod:`reference_dui.defects` named below removes exactly one of these.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import ssl
import tempfile
import threading
import urllib.request
import warnings
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import serialization

if TYPE_CHECKING:
    from reference_dui.mssante.mail import MailSettings

__all__ = ["CONF03_CIPHERS", "CrlCache", "CrlUnavailable", "client_context", "with_security_defects"]

#: SC.MSS/CONF.03's TLS 1.2 suites (OpenSSL names), then the same with ECDSA authentication
CONF03_CIPHERS = ":".join(
    (
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES256-SHA384",
        "ECDHE-RSA-AES128-SHA256",
        "DHE-RSA-AES256-GCM-SHA384",
        "DHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-SHA384",
        "ECDHE-ECDSA-AES128-SHA256",
    )
)
#: OpenSSL's X509_V_FLAG_NO_CHECK_TIME (not named by Python's ssl module)
NO_CHECK_TIME = 0x200000
CRL_BYTES = 4 * 1024 * 1024


class CrlUnavailable(OSError):
    """No valid CRL to check the operator's certificate with: the client does not connect."""


class CrlCache:
    """The last valid CRL of each distribution point, as a file OpenSSL loads (SC.MSS/CONF.22)."""

    def __init__(self) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="dui-reference-crl-"))
        self._lock = threading.Lock()

    def _file(self, url: str) -> Path:
        return self._folder / (hashlib.sha256(url.encode()).hexdigest()[:16] + ".pem")

    def current(self, url: str, ca: Path | None, timeout: float, *, keep: bool = True) -> Path:
        """A file holding a valid CRL of ``url``: fetched now, else the kept one when ``keep``.

        Raises:
            CrlUnavailable: neither a fresh nor (``keep``) a kept CRL is valid.
        """
        kept = self._file(url)
        try:
            pem = _fetch(url, ca, timeout)
        except (OSError, ValueError) as exc:
            with self._lock:
                if keep and kept.is_file() and _valid(x509.load_pem_x509_crl(kept.read_bytes()), None):
                    return kept
            raise CrlUnavailable(f"no valid CRL from {url} ({exc}) / aucune CRL valide") from exc
        with self._lock:
            kept.write_bytes(pem)
        return kept

    def close(self) -> None:
        shutil.rmtree(self._folder, ignore_errors=True)


def _valid(crl: x509.CertificateRevocationList, ca: Path | None) -> bool:
    """Within its validity (RFC 5280 §5.1.2.5) and, with ``ca``, signed by it."""
    if crl.next_update_utc is None or crl.next_update_utc <= dt.datetime.now(dt.UTC):
        return False
    if ca is None:
        return True
    issuer = x509.load_pem_x509_certificate(ca.read_bytes())
    return crl.issuer == issuer.subject and crl.is_signature_valid(issuer.public_key())  # type: ignore[arg-type]


def _fetch(url: str, ca: Path | None, timeout: float) -> bytes:
    if not url.startswith("http://"):
        raise ValueError(f"a CRL is fetched over http:// (RFC 5280 §8), not {url!r}")
    with urllib.request.urlopen(url, timeout=timeout) as answer:  # http:// checked above
        data: bytes = answer.read(CRL_BYTES + 1)
    if len(data) > CRL_BYTES:
        raise ValueError(f"CRL larger than {CRL_BYTES} bytes")
    crl = x509.load_pem_x509_crl(data) if data.lstrip().startswith(b"-----") else x509.load_der_x509_crl(data)
    if not _valid(crl, ca):
        raise ValueError("the CRL is expired or not signed by the operators' CA")
    return crl.public_bytes(serialization.Encoding.PEM)


def client_context(s: MailSettings) -> ssl.SSLContext:
    """The TLS context of one connection to the operator, by the settings' policy."""
    context = ssl.create_default_context(cafile=str(s.ca) if s.ca else None)
    if s.weak_tls:  # ``mss_accept_weak_tls``: TLS 1.0, any suite, any group size
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.TLSv1
        context.set_ciphers("ALL:@SECLEVEL=0")
    else:  # ``mss_tls13_only``: no TLS 1.2, whatever SC.MSS/CONF.01 asks as the minimum
        context.minimum_version = ssl.TLSVersion.TLSv1_3 if s.tls13_only else ssl.TLSVersion.TLSv1_2
        # ``mss_tls_offer_extra_suite``: one more suite offered, outside SC.MSS/CONF.03's list
        context.set_ciphers(CONF03_CIPHERS + (":ECDHE-ECDSA-CHACHA20-POLY1305" if s.offer_extra_suite else ""))
    if s.trust_any:  # ``mss_trust_any_ca``: any certificate, from any CA: the operator is not authenticated
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if not s.check_time:  # ``mss_accept_expired_cert``
        context.verify_flags |= NO_CHECK_TIME
    if s.crl_url and s.crls is not None and s.check_crl:
        context.load_verify_locations(cafile=str(s.crls.current(s.crl_url, s.ca, s.timeout, keep=s.keep_crl)))
        context.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
    if s.client_cert is not None and s.client_key is not None:
        context.load_cert_chain(str(s.client_cert), str(s.client_key))
    return context


def with_security_defects(settings: MailSettings, has: Callable[[str], bool], crls: CrlCache) -> MailSettings:
    """``settings`` with the feature's CRL cache and the security defect switches that are on."""
    return replace(
        settings,
        crls=crls,
        trust_any=has("mss_trust_any_ca"),
        check_time=not has("mss_accept_expired_cert"),
        check_crl=not has("mss_ignore_crl"),
        keep_crl=not has("mss_no_crl_cache"),
        weak_tls=has("mss_accept_weak_tls"),
        # SC.MSS/CONF.12 broken: the application mailbox logs in with its password, no certificate
        client_cert=None if has("mss_app_password_only") else settings.client_cert,
        client_key=None if has("mss_app_password_only") else settings.client_key,
        offer_extra_suite=has("mss_tls_offer_extra_suite"),
        implicit_tls=has("mss_implicit_tls"),
        tls13_only=has("mss_tls13_only"),
    )
