"""A small JSON FHIR R4 client over ``requests``: what the reference DUI needs, nothing more."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

__all__ = ["FHIR_JSON", "FhirAnswer", "FhirClient", "FhirEndpoint"]

FHIR_JSON = "application/fhir+json"


@dataclass(frozen=True)
class FhirEndpoint:
    """Where a FHIR service is and how to reach it (``PUT /config/endpoints`` entry)."""

    url: str
    client_cert: Path | None = None
    client_key: Path | None = None
    ca: Path | None = None


@dataclass
class FhirAnswer:
    """An HTTP answer, or why there was none (``status`` 0)."""

    status: int
    body: Any = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def diagnostics(self) -> str:
        """The OperationOutcome's diagnostics (or the error), for the user."""
        if self.error:
            return self.error
        if isinstance(self.body, dict) and self.body.get("resourceType") == "OperationOutcome":
            texts = [
                str(i.get("diagnostics") or i.get("code")) for i in self.body.get("issue") or [] if isinstance(i, dict)
            ]
            return f"HTTP {self.status}: " + " | ".join(texts[:3])
        return f"HTTP {self.status}"


class FhirClient:
    """Calls one FHIR base with JSON; never raises for HTTP or network errors."""

    def __init__(self, endpoint: FhirEndpoint, *, timeout: float = 10.0) -> None:
        self.base = endpoint.url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.trust_env = False
        if endpoint.client_cert is not None and endpoint.client_key is not None:
            self.session.cert = (str(endpoint.client_cert), str(endpoint.client_key))
        if endpoint.ca is not None:
            self.session.verify = str(endpoint.ca)
        self.session.headers.update({"Accept": FHIR_JSON})

    def _send(self, method: str, path: str, **kwargs: Any) -> FhirAnswer:
        try:
            response = self.session.request(method, f"{self.base}{path}", timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            return FhirAnswer(0, error=f"service injoignable / unreachable ({type(exc).__name__})")
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = None
        return FhirAnswer(response.status_code, body)

    def post(self, path: str, resource: dict[str, Any]) -> FhirAnswer:
        data = json.dumps(resource, ensure_ascii=False).encode("utf-8")
        return self._send("POST", path, data=data, headers={"Content-Type": f"{FHIR_JSON}; charset=utf-8"})

    def search(self, resource_type: str, params: dict[str, str]) -> FhirAnswer:
        return self._send("GET", f"/{resource_type}", params=params)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> FhirClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
