"""Drive a DUI through the HTTP trigger API it implements in test mode: the union of the service parts."""

from __future__ import annotations

from typing import Any

import requests

from harness.errors import SutUnreachable
from harness.sut.contract import TriggerApiError, check_answer
from harness.sut.driver import SutDriver, SutInfo
from harness.sut.http_dmp import HttpDmp
from harness.sut.http_dmp_auto import HttpDmpAuto
from harness.sut.http_dmp_consent import HttpDmpConsent
from harness.sut.http_dmp_history import HttpDmpHistory
from harness.sut.http_doc import HttpDoc
from harness.sut.http_fhir import HttpEparcours, HttpEpresc
from harness.sut.http_hl7v2 import HttpHl7v2
from harness.sut.http_ins import HttpIns
from harness.sut.http_ins_lifecycle import HttpInsLifecycle
from harness.sut.http_ins_rules import HttpInsRules
from harness.sut.http_mss import HttpMss
from harness.sut.http_mss_lps import HttpMssLps
from harness.sut.http_psc import HttpPsc
from harness.sut.http_sdo import HttpSdo
from harness.sut.trigger_client import json_object

__all__ = ["HttpTriggerDriver", "TriggerApiError"]


class HttpTriggerDriver(
    HttpIns,
    HttpInsLifecycle,
    HttpInsRules,
    HttpPsc,
    HttpMss,
    HttpMssLps,
    HttpEparcours,
    HttpEpresc,
    HttpDmp,
    HttpHl7v2,
    HttpDmpAuto,
    HttpDmpConsent,
    HttpDmpHistory,
    HttpDoc,
    HttpSdo,
    SutDriver,
):
    """Calls ``<base_url>/persons``… as described in ``openapi/trigger-api.yaml``; every answer is checked
    against the contract (:mod:`harness.sut.contract`).

    Args:
        base_url: the trigger API root, e.g. ``http://127.0.0.1:8800/harness/v1``.
        timeout: seconds for each call; an INSi lookup may chain several INSi calls.
    """

    mode = "trigger"

    def info(self) -> SutInfo:
        data = self._call("GET", "/info", operation="getInfo") or {}
        return SutInfo(
            name=str(data.get("name", "unknown DUI")),
            version=str(data.get("version", "unknown")),
            editor=str(data.get("editor", "")),
            build_id=str(data.get("build_id", "")),
            extra={k: v for k, v in data.items() if k not in {"name", "version", "editor", "build_id"}},
        )

    def reset(self) -> None:
        self._call("POST", "/reset", operation="reset")

    def configure_endpoints(self, endpoints: dict[str, Any]) -> bool:
        url = f"{self.base_url}/config/endpoints"
        try:
            response = self.session.put(url, json=endpoints, timeout=self.timeout)
        except requests.RequestException as exc:
            raise SutUnreachable(
                "l'API de pilotage de la DUI ne répond pas / the DUI's trigger API does not answer "
                f"at {url} ({type(exc).__name__})",
                url=url,
                cause=repr(exc),
            ) from None
        return response.status_code in (200, 204)

    def indicators(self) -> dict[str, Any] | None:
        """``GET /indicators``; None when the DUI answers 404 or 501 (not exposed)."""
        url = f"{self.base_url}/indicators"
        try:
            response = self.session.get(url, timeout=self.timeout)
        except requests.RequestException as exc:
            raise SutUnreachable(
                "l'API de pilotage de la DUI ne répond pas / the DUI's trigger API does not answer "
                f"at {url} ({type(exc).__name__})",
                url=url,
                cause=repr(exc),
            ) from None
        if response.status_code in (404, 405, 501):
            return None
        if response.status_code != 200:
            raise TriggerApiError(f"trigger API GET /indicators answered HTTP {response.status_code}")
        try:
            result = json_object(response.json())
        except ValueError as exc:
            raise TriggerApiError("trigger API GET /indicators answered a body that is not JSON") from exc
        check_answer("getIndicators", 200, result)
        return result
