"""What signxml repeats on every verification, done once: the same checks, the same results, less CPU.

signxml (the XML-DSig/XAdES library of :mod:`harness.validators.xds.dsg` and :mod:`.vihf`) spends
most of a verification on work whose result does not change from one signature to the next
(issue 18, profile of the DMP ITI-41 path):

* ``add_pem_header`` wraps a bare base64 certificate with :func:`textwrap.fill` (~0.3 ms each, twice
  per XAdES signature): :func:`install` replaces it, in signxml's modules only, with a function that
  gives the same bytes, remembered per certificate text (bounded);
* ``_resolve_reference`` compiles an XPath for each ``URI="#id"`` reference and each id attribute:
  :class:`FastReferences` runs the same expressions, compiled once;
* ``_verify_reference`` serialises the signing key to PEM for each reference: done once per signature;
* the certificate chain is validated again for each signature even when the chain and the trust
  store are the same: :class:`CachedChains` keeps each successful validation (never a failure) for
  at most :data:`CHAIN_TTL_S` seconds and never past the earliest ``notAfter`` of the chain; the
  signing certificate's own validity period is still checked by signxml on every signature.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from lxml import etree
from signxml import util as signxml_util
from signxml import verifier as signxml_verifier
from signxml.exceptions import InvalidInput
from signxml.xades import xades as signxml_xades

__all__ = ["CHAIN_TTL_S", "CachedChains", "FastReferences", "install"]

#: how long a successful chain validation is reused (seconds)
CHAIN_TTL_S = 60.0
_CHAINS_MAX = 256
_PEM_MAX = 256
_WHITESPACE = re.compile(r"\s")
_ORIGINAL_ADD_PEM_HEADER = signxml_util.add_pem_header
_PEM_CACHE: OrderedDict[str, bytes] = OrderedDict()
_LOCK = threading.Lock()


def _add_pem_header(bare_base64_cert: Any) -> bytes:
    """signxml's ``add_pem_header``, same output, remembered per text (a signer sends the same certificate
    every time): ``textwrap.fill(text, 64)`` of a text without whitespace is its 64-character slices;
    any other text goes to the original once."""
    text = signxml_util.ensure_str(bare_base64_cert)  # type: ignore[no-untyped-call]
    with _LOCK:
        cached = _PEM_CACHE.get(text)
    if cached is not None:
        return cached
    if text.startswith(signxml_util.PEM_HEADER) or _WHITESPACE.search(text) or not text:
        pem: bytes = _ORIGINAL_ADD_PEM_HEADER(text)  # type: ignore[no-untyped-call]
    else:
        lines = "\n".join(text[i : i + 64] for i in range(0, len(text), 64))
        pem = f"{signxml_util.PEM_HEADER}\n{lines}\n{signxml_util.PEM_FOOTER}".encode()
    with _LOCK:
        _PEM_CACHE[text] = pem
        if len(_PEM_CACHE) > _PEM_MAX:
            _PEM_CACHE.popitem(last=False)
    return pem


def install() -> None:
    """Use :func:`_add_pem_header` in signxml's verifier and XAdES modules (idempotent)."""
    signxml_verifier.add_pem_header = _add_pem_header  # type: ignore[attr-defined]
    signxml_xades.add_pem_header = _add_pem_header  # type: ignore[attr-defined]


#: signxml's ``_resolve_reference`` expression for each id attribute, compiled once
_BY_ID = {
    name: etree.XPath(f"//*[@*[local-name() = '{name}']=$uri]") for name in signxml_verifier.XMLVerifier.id_attributes
}


class FastReferences:
    """Mixin for a signxml verifier: ``#id`` references resolved with compiled XPath, the key's PEM made once."""

    id_attributes: tuple[str, ...]

    def _resolve_reference(self, doc_root: Any, reference: Any, uri_resolver: Any = None) -> Any:
        uri = reference.get("URI")
        if not uri or not uri.startswith("#") or uri.startswith("#xpointer("):
            return super()._resolve_reference(doc_root, reference, uri_resolver=uri_resolver)  # type: ignore[misc]
        for id_attribute in self.id_attributes:
            query = _BY_ID.get(id_attribute) or etree.XPath(f"//*[@*[local-name() = '{id_attribute}']=$uri]")
            results = query(doc_root, uri=uri.lstrip("#"))
            assert isinstance(results, list)
            if len(results) > 1:
                raise InvalidInput(f"Ambiguous reference URI {uri} resolved to {len(results)} nodes")
            if len(results) == 1:
                return results[0]
        raise InvalidInput(f"Unable to resolve reference URI: {uri}")

    def _verify_reference(self, reference: Any, index: int, root: Any, uri_resolver: Any, *args: Any) -> Any:
        c14n_algorithm, signature, key = args
        if not isinstance(key, bytes):  # what signxml makes of the key for each reference, made once
            memo = getattr(self, "_key_pem", None)
            if memo is None or memo[0] is not key:
                memo = (key, key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
                self._key_pem = memo
            key = memo[1]
        return super()._verify_reference(  # type: ignore[misc]
            reference, index, root, uri_resolver, c14n_algorithm, signature, key
        )


_CHAINS: OrderedDict[tuple[int, tuple[bytes, ...]], tuple[float, bytes, x509.verification.Store]] = OrderedDict()


class CachedChains(signxml_util.X509CertChainVerifier):
    """signxml's chain verifier over a trust store loaded once, reusing its recent successes (module doc)."""

    def __init__(self, store: x509.verification.Store, **kwargs: Any) -> None:
        self._default_policies = kwargs.get("ee_policy") is None and kwargs.get("ca_policy") is None
        super().__init__(**kwargs)  # type: ignore[no-untyped-call]
        self._cached = store

    @property
    def store(self) -> x509.verification.Store:
        return self._cached

    def verify(self, cert_chain: list[x509.Certificate]) -> x509.Certificate:
        ders = tuple(cert.public_bytes(Encoding.DER) for cert in cert_chain)
        key = (id(self._cached), ders)
        now = time.monotonic()
        with _LOCK:
            hit = _CHAINS.get(key) if self._default_policies else None
        if hit is not None and hit[0] > now and hit[2] is self._cached:
            for cert, der in zip(cert_chain, ders, strict=True):
                if der == hit[1]:
                    return cert
        signing = super().verify(cert_chain)  # type: ignore[no-untyped-call]
        assert isinstance(signing, x509.Certificate)
        if self._default_policies:
            expires = min(cert.not_valid_after_utc.timestamp() for cert in cert_chain) - time.time()
            with _LOCK:
                _CHAINS[key] = (now + min(CHAIN_TTL_S, expires), signing.public_bytes(Encoding.DER), self._cached)
                if len(_CHAINS) > _CHAINS_MAX:
                    _CHAINS.popitem(last=False)
        return signing
