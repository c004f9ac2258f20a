"""The HTTP client every trigger-mode driver part shares: one session, one call, answers checked
against the contract (:mod:`harness.sut.contract`)."""

from __future__ import annotations

import time
from typing import Any

import requests

from harness.errors import SutUnreachable
from harness.sut.contract import TriggerApiError, check_answer

__all__ = ["TriggerApiError", "TriggerClient", "json_array", "json_object"]


class TriggerClient:
    """Calls ``<base_url><path>`` of the DUI's trigger API.

    Args:
        base_url: the trigger API root, e.g. ``http://127.0.0.1:8800/harness/v1``.
        timeout: seconds for each call; an INSi lookup may chain several INSi calls.
    """

    #: seconds after which an idle keep-alive connection is not reused: a server closes its idle connections after
    #: its own delay (uvicorn 5 s, gunicorn 2 s), and a request sent on one just as it closes gets no answer at all
    #: (*DUI unreachable*, when the DUI did nothing wrong); a call after a longer pause opens a new connection
    idle_reuse = 1.0

    def __init__(self, base_url: str, *, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.trust_env = False  # never route loopback calls through a proxy
        self._last_call = time.monotonic()

    def _send(self, method: str, path: str, body: Any = None) -> requests.Response:
        url = f"{self.base_url}{path}"
        if time.monotonic() - self._last_call > self.idle_reuse:
            self.session.close()  # drops the pooled connections; the session opens new ones
        try:
            return self.session.request(method, url, json=body, timeout=self.timeout)
        except requests.ConnectionError as exc:
            raise SutUnreachable(
                f"l'API de pilotage de la DUI ne répond pas / the DUI's trigger API does not answer at {url} "
                f"({type(exc).__name__})",
                tip="start the DUI in test mode, or check --sut / démarrez la DUI en mode test",
                url=url,
                cause=repr(exc),
            ) from None  # the urllib3 chain says nothing more and costs seconds to format per test
        except requests.Timeout as exc:
            raise SutUnreachable(
                "l'API de pilotage de la DUI n'a pas répondu / the DUI's trigger API did not answer "
                f"{method} {url} within {self.timeout} s",
                url=url,
                cause=repr(exc),
            ) from None
        finally:
            self._last_call = time.monotonic()

    def _call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        ok: tuple[int, ...] = (200, 201, 204),
        operation: str | None = None,
    ) -> Any:
        """The JSON answer (None for an empty one), checked against the contract of ``operation``."""
        response = self._send(method, path, body)
        if response.status_code not in ok:
            raise TriggerApiError(
                f"trigger API {method} {path} answered HTTP {response.status_code}: {response.text[:500]}",
                status=response.status_code,
            )
        if response.status_code == 204 or not response.content:
            result = None
        else:
            try:
                result = response.json()
            except ValueError as exc:
                raise TriggerApiError(f"trigger API {method} {path} answered a body that is not JSON") from exc
        if operation is not None and result is not None:
            check_answer(operation, response.status_code, result)
        return result

    def close(self) -> None:
        self.session.close()


def json_object(result: Any) -> dict[str, Any]:
    """The answer, which the contract says is an object (an empty answer breaks it too)."""
    if not isinstance(result, dict):
        raise TriggerApiError(f"the trigger API answered {type(result).__name__}, not the JSON object of the contract")
    return result


def json_array(result: Any) -> list[dict[str, Any]]:
    """The answer, which the contract says is an array (an empty answer breaks it too)."""
    if not isinstance(result, list):
        raise TriggerApiError(f"the trigger API answered {type(result).__name__}, not the JSON array of the contract")
    return result
