"""The test CA's CRL distribution point and OCSP responder: plain HTTP on loopback, up or down on demand.

A DUI checks that the operator's certificate is not revoked (SC.MSS/va1.05, ECO.1.1.6) by
fetching the CA's CRL (RFC 5280 §4.2.1.13; HTTP, never HTTPS, RFC 5280 §8), and keeps the
last one that was valid so that an outage of the distribution point does not stop its mail
(SC.MSS/CONF.22, ECO.1.1.7). With an :class:`~mocks.mssante.ocsp.OcspResponder` it also answers
OCSP requests (RFC 6960 appendix A: POST, or GET with the base64 request in the path). Each
fetch or request is one recorded exchange (``MSS`` / ``CRL`` or ``OCSP``); while
:attr:`CrlDistribution.available` is False both answer 503.

Example:
    >>> crl = CrlDistribution(recorder, crl_der).start()
    >>> crl.crl_url   # http://127.0.0.1:<port>/crl/ac-igc-sante-test.crl
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from harness.core.recorder import Recorder
from mocks.common.simulator import Simulator
from mocks.mssante.ocsp import MAX_REQUEST_BYTES, OCSP_PATH, OcspResponder

__all__ = ["CRL_PATH", "CrlDistribution"]

CRL_PATH = "/crl/ac-igc-sante-test.crl"


class CrlDistribution(Simulator):
    """Serves one DER CRL at :data:`CRL_PATH`.

    Args:
        recorder: the run's recorder.
        crl: the CRL, DER encoded (``application/pkix-crl``, RFC 2585 §4).
        port: 0 for a free port.
        ocsp: the OCSP responder served at :data:`~mocks.mssante.ocsp.OCSP_PATH`, if any.
    """

    service = "MSS"

    def __init__(self, recorder: Recorder, crl: bytes, *, port: int = 0, ocsp: OcspResponder | None = None) -> None:
        self.crl = crl
        self.ocsp = ocsp
        #: False: the distribution point is down (503), as when the CA's server fails
        self.available = True
        super().__init__(recorder, port=port, tls=None)

    @property
    def crl_url(self) -> str:
        return f"{self.url}{CRL_PATH}"

    @property
    def ocsp_url(self) -> str:
        return f"{self.url}{OCSP_PATH}"

    def routes(self) -> list[BaseRoute]:
        return [
            Route(CRL_PATH, self._serve, methods=["GET"]),
            Route(OCSP_PATH, self._ocsp, methods=["POST"]),
            Route(OCSP_PATH + "/{request:path}", self._ocsp, methods=["GET"]),
        ]

    def state(self) -> dict[str, Any]:
        return {"crl_url": self.crl_url, "available": self.available, "crl_bytes": len(self.crl)}

    async def _serve(self, request: Request) -> Response:
        exchange = request.scope.get("state", {}).get("exchange")
        if exchange is not None:
            exchange.transaction = "CRL"
            exchange.summary.update({"available": self.available})
        if not self.available:
            return Response(
                b"CRL distribution point unavailable (scenario) / point de distribution indisponible",
                503,
                media_type="text/plain",
            )
        return Response(self.crl, media_type="application/pkix-crl")

    async def _ocsp(self, request: Request) -> Response:
        exchange = request.scope.get("state", {}).get("exchange")
        if exchange is not None:
            exchange.transaction = "OCSP"
            exchange.summary.update({"available": self.available})
        if self.ocsp is None:
            return Response(b"no OCSP responder in this scenario / pas de repondeur OCSP", 404, media_type="text/plain")
        if not self.available:
            return Response(
                b"OCSP responder unavailable (scenario) / repondeur indisponible", 503, media_type="text/plain"
            )
        if request.method == "GET":
            try:
                der = base64.b64decode(request.path_params["request"], validate=False)
            except (binascii.Error, ValueError):
                der = b""
        else:
            der = (await request.body())[: MAX_REQUEST_BYTES + 1]
        answer, status = self.ocsp.answer(der)
        if exchange is not None:
            exchange.summary["ocsp_status"] = status
        return Response(answer, media_type="application/ocsp-response")
