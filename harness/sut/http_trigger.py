"""Drive a DUI through the HTTP trigger API it implements in test mode."""

from __future__ import annotations

from typing import Any

import requests

from harness.core.ins import Traits
from harness.errors import SutUnreachable, TriggerContractError
from harness.sut.driver import IdentityDocument, SutDriver, SutInfo, traits_payload
from harness.sut.http_dmp import HttpDmp
from harness.sut.http_fhir import HttpFhir

__all__ = ["HttpTriggerDriver", "TriggerApiError"]


class TriggerApiError(TriggerContractError):
    """The DUI answered its trigger API with an HTTP error status, or a body that breaks the contract.

    Not an ``AssertionError``. Two cases, told apart by ``status``:

    * ``status`` set — the DUI *refused or failed* the operation the scenario asks for (e.g. 404
      on a person it created and lost, 409 on a document for an identity it could not qualify):
      that is what the DUI did, so the test's requirements are *fail* (and *blocked* when a
      failed requirement they depend on explains it, ``profiles/catalog/dependencies.csv``);
    * ``status`` None — the answer breaks ``trigger-api.yaml`` (not JSON, a missing field): the
      harness cannot drive the DUI, the verdict is *error*.

    No answer at all is :class:`harness.errors.SutUnreachable` (*unreachable*).
    """

    def __init__(self, message: str, *, status: int | None = None, **extras: Any) -> None:
        super().__init__(message, **extras)
        self.status = status

    @property
    def refused(self) -> bool:
        """The DUI answered the operation with an HTTP error status (its own behaviour, not the contract)."""
        return self.status is not None

    def __str__(self) -> str:
        if self.refused:
            return f"[OPÉRATION REFUSÉE PAR LA DUI / THE DUI REFUSED THE OPERATION] {self.message}"
        return super().__str__()


class HttpTriggerDriver(HttpDmp, HttpFhir, SutDriver):
    """Calls ``<base_url>/persons``… as described in ``openapi/trigger-api.yaml``.

    Args:
        base_url: the trigger API root, e.g. ``http://127.0.0.1:8800/harness/v1``.
        timeout: seconds for each call; an INSi lookup may chain several INSi calls.
    """

    mode = "trigger"

    def __init__(self, base_url: str, *, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.trust_env = False  # never route loopback calls through a proxy

    def _call(self, method: str, path: str, body: Any = None, *, ok: tuple[int, ...] = (200, 201, 204)) -> Any:
        url = f"{self.base_url}{path}"
        try:
            response = self.session.request(method, url, json=body, timeout=self.timeout)
        except requests.ConnectionError as exc:
            raise SutUnreachable(
                f"the DUI's trigger API does not answer at {url} ({type(exc).__name__})",
                tip="start the DUI in test mode, or check --sut / démarrez la DUI en mode test",
                url=url,
                cause=repr(exc),
            ) from None  # the urllib3 chain says nothing more and costs seconds to format per test
        except requests.Timeout as exc:
            raise SutUnreachable(f"the DUI's trigger API did not answer {method} {url} within {self.timeout} s",
                                 url=url, cause=repr(exc)) from None
        if response.status_code not in ok:
            raise TriggerApiError(
                f"trigger API {method} {path} answered HTTP {response.status_code}: {response.text[:500]}",
                status=response.status_code,
            )
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise TriggerApiError(f"trigger API {method} {path} answered a body that is not JSON") from exc

    def info(self) -> SutInfo:
        data = self._call("GET", "/info") or {}
        return SutInfo(
            name=str(data.get("name", "unknown DUI")),
            version=str(data.get("version", "unknown")),
            editor=str(data.get("editor", "")),
            build_id=str(data.get("build_id", "")),
            extra={k: v for k, v in data.items() if k not in {"name", "version", "editor", "build_id"}},
        )

    def reset(self) -> None:
        self._call("POST", "/reset")

    def configure_endpoints(self, endpoints: dict[str, Any]) -> bool:
        url = f"{self.base_url}/config/endpoints"
        try:
            response = self.session.put(url, json=endpoints, timeout=self.timeout)
        except requests.RequestException as exc:
            raise SutUnreachable(f"the DUI's trigger API does not answer at {url} ({type(exc).__name__})",
                                 url=url, cause=repr(exc)) from None
        return response.status_code in (200, 204)

    def create_person(self, traits: Traits, document: IdentityDocument | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"traits": traits_payload(traits)}
        if document is not None:
            body["identity_document"] = document.as_dict()
        created: dict[str, Any] = self._call("POST", "/persons", body, ok=(200, 201))
        if not isinstance(created, dict) or "person_id" not in created:
            raise TriggerApiError("createPerson must answer an Identity with a person_id")
        return created

    def lookup_ins(self, person_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", f"/persons/{person_id}/insi-lookup", ok=(200,))
        return result

    def check_identity_document(self, person_id: str, document: IdentityDocument) -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            "POST", f"/persons/{person_id}/identity-document", document.as_dict(), ok=(200,)
        )
        return result

    def identity(self, person_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/persons/{person_id}/identity", ok=(200,))
        return result

    def exchange_identity(self, person_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/persons/{person_id}/exchange-identity", ok=(200,))
        return result

    def psc_login(self, professional: str) -> dict[str, Any]:
        result = self._call("POST", "/psc/login", {"professional": professional}, ok=(200,))
        if not isinstance(result, dict) or "outcome" not in result:
            raise TriggerApiError("pscLogin must answer a PscLoginOutcome with an outcome")
        return result

    def psc_session(self) -> dict[str, Any]:
        result = self._call("GET", "/psc/session", ok=(200,))
        if not isinstance(result, dict) or "logged_in" not in result:
            raise TriggerApiError("getPscSession must answer a PscSession with logged_in")
        return result

    def psc_logout(self) -> None:
        self._call("DELETE", "/psc/session", ok=(200, 204))

    def mss_send(self, person_id: str, recipient_kind: str, *, address: str | None = None,
                 acknowledgement: bool = False, visible_to_patient: bool = True) -> dict[str, Any]:
        body: dict[str, Any] = {"recipient": {"kind": recipient_kind}, "acknowledgement": acknowledgement,
                                "visible_to_patient": visible_to_patient}
        if address is not None:
            body["recipient"]["address"] = address
        result = self._call("POST", f"/persons/{person_id}/mss/messages", body, ok=(200, 201))
        if not isinstance(result, dict) or "status" not in result:
            raise TriggerApiError("sendMssDocument must answer an MssSendOutcome with a status")
        return result

    def mss_fetch(self) -> dict[str, Any]:
        result = self._call("POST", "/mss/fetch", ok=(200,))
        if not isinstance(result, dict) or "messages" not in result:
            raise TriggerApiError("fetchMssMail must answer an MssFetchOutcome with messages")
        return result

    def mss_documents(self, person_id: str) -> list[dict[str, Any]]:
        result = self._call("GET", f"/persons/{person_id}/mss/documents", ok=(200,))
        if not isinstance(result, list):
            raise TriggerApiError("listMssDocuments must answer a JSON array")
        return result

    def mss_acknowledgements(self) -> list[dict[str, Any]]:
        result = self._call("GET", "/mss/acknowledgements", ok=(200,))
        if not isinstance(result, list):
            raise TriggerApiError("listMssAcknowledgements must answer a JSON array")
        return result

    def indicators(self) -> dict[str, Any] | None:
        """``GET /indicators``; None when the DUI answers 404 or 501 (not exposed)."""
        url = f"{self.base_url}/indicators"
        try:
            response = self.session.get(url, timeout=self.timeout)
        except requests.RequestException as exc:
            raise SutUnreachable(f"the DUI's trigger API does not answer at {url} ({type(exc).__name__})",
                                 url=url, cause=repr(exc)) from None
        if response.status_code in (404, 405, 501):
            return None
        if response.status_code != 200:
            raise TriggerApiError(f"trigger API GET /indicators answered HTTP {response.status_code}")
        try:
            result = response.json()
        except ValueError as exc:
            raise TriggerApiError("trigger API GET /indicators answered a body that is not JSON") from exc
        if not isinstance(result, dict):
            raise TriggerApiError("getIndicators must answer a JSON object")
        return result

    def close(self) -> None:
        self.session.close()
