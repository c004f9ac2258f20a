"""An OCSP responder for the test CA (RFC 6960), beside its CRL distribution point.

SC.MSS/va1.05 (ECO.1.1.6) lets a DUI check the operator's certificate "by the CRL or an OCSP
responder": a DUI that asks the responder named in the certificate's Authority Information
Access gets ``good`` for the sound certificates the harness issued, ``revoked`` for the one
its CRL lists, ``unauthorized`` for anything else (RFC 6960 §2.3); a request that does not
parse gets ``malformedRequest``. Responses are signed by the test CA itself (§4.2.2.2).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp

__all__ = ["OCSP_PATH", "OcspResponder"]

OCSP_PATH = "/ocsp"
#: an OCSP request is a few hundred bytes; anything far larger is not one
MAX_REQUEST_BYTES = 16 * 1024
_DER = Encoding.DER


class OcspResponder:
    """Answers OCSP requests about the certificates the test CA issued.

    Args:
        ca_cert: the test CA (issuer and signer of the responses).
        ca_key: its private key.
        issued: the certificates it knows (by serial number).
        revoked: serial numbers of the revoked ones.
    """

    def __init__(
        self,
        ca_cert: x509.Certificate,
        ca_key: ec.EllipticCurvePrivateKey,
        issued: Iterable[x509.Certificate],
        revoked: Iterable[int],
    ) -> None:
        self.ca_cert = ca_cert
        self.ca_key = ca_key
        self.issued = {cert.serial_number: cert for cert in issued}
        self.revoked = frozenset(revoked)

    def answer(self, request: bytes) -> tuple[bytes, str]:
        """The DER response to a DER request, and the status it carries (``good``, ``revoked``, or an error)."""
        try:
            if len(request) > MAX_REQUEST_BYTES:
                raise ValueError("request too large")
            parsed = ocsp.load_der_ocsp_request(request)
            serial = parsed.serial_number
            algorithm = parsed.hash_algorithm
        except (ValueError, TypeError, NotImplementedError):
            return _unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST), "malformedRequest"
        cert = self.issued.get(serial)
        if cert is None or cert.issuer != self.ca_cert.subject:
            return _unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED), "unauthorized"
        now = dt.datetime.now(dt.UTC)
        revoked = serial in self.revoked
        builder = (
            ocsp.OCSPResponseBuilder()
            .add_response(
                cert=cert,
                issuer=self.ca_cert,
                algorithm=algorithm,
                cert_status=ocsp.OCSPCertStatus.REVOKED if revoked else ocsp.OCSPCertStatus.GOOD,
                this_update=now - dt.timedelta(minutes=5),
                next_update=now + dt.timedelta(days=1),
                revocation_time=now - dt.timedelta(minutes=5) if revoked else None,
                revocation_reason=x509.ReasonFlags.key_compromise if revoked else None,
            )
            .responder_id(ocsp.OCSPResponderEncoding.HASH, self.ca_cert)
        )
        for extension in parsed.extensions:  # the nonce comes back (RFC 6960 §4.4.1, RFC 8954)
            if isinstance(extension.value, x509.OCSPNonce):
                builder = builder.add_extension(extension.value, critical=False)
        response = builder.sign(self.ca_key, hashes.SHA256())
        return response.public_bytes(_DER), "revoked" if revoked else "good"


def _unsuccessful(status: ocsp.OCSPResponseStatus) -> bytes:
    return ocsp.OCSPResponseBuilder.build_unsuccessful(status).public_bytes(_DER)
