"""What a DUI is told about the simulators: ``PUT /config/endpoints`` and the reference DUI's start-up.

Used alike by ``dui-harness run`` (:class:`~harness.plugin.session.RunContext`) and by
``dui-harness serve --with-reference-dui``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harness.pki import TestPki
from harness.services import get, resolve, simulated
from mocks.common.simulator import Simulator

__all__ = ["endpoint_entries", "insi_settings", "reference_dui_settings"]

#: the test PKI client certificate presented by default (INSi's organisation certificate)
DEFAULT_CLIENT = "client-insi-auto"


def endpoint_entries(simulators: Mapping[str, Simulator], pki: TestPki | None) -> dict[str, Any]:
    """The body of ``PUT /config/endpoints``: one entry per simulator, under its service's endpoint key,
    with ``url``, the default client certificate and CA (TLS), then the simulator's own details."""
    out: dict[str, Any] = {}
    for service_id, sim in simulators.items():
        entry: dict[str, Any] = {"url": sim.url}
        if pki is not None:
            cert, key = pki.client(DEFAULT_CLIENT)
            entry.update(client_cert=str(cert), client_key=str(key), ca=str(pki.ca_cert))
        entry.update(sim.endpoint_details())  # a service's own details (e.g. its client certificate) win
        out[get(service_id).endpoint_key or service_id.lower()] = entry
    return out


def reference_dui_settings(simulators: Mapping[str, Simulator], pki: TestPki | None) -> dict[str, Any]:
    """The ``ReferenceDuiConfig`` arguments the services declare (``reference_dui_settings``)."""
    settings: dict[str, Any] = {}
    for service in simulated():
        if service.reference_dui_settings and service.id in simulators:
            settings.update(resolve(service.reference_dui_settings)(simulators, pki))
    return settings


def insi_settings(simulators: Mapping[str, Simulator], pki: TestPki | None) -> dict[str, Any]:
    """The INSi endpoint and the INSI-AUTO client certificate of the test PKI."""
    client_cert = client_key = ca = None
    if pki is not None:
        client_cert, client_key = pki.client(DEFAULT_CLIENT)
        ca = pki.ca_cert
    return {"insi_url": simulators["INS"].url, "client_cert": client_cert, "client_key": client_key, "ca_cert": ca}
