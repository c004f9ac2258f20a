"""The service registry: one declaration per simulated national service, read by every layer.

A :class:`Service` is pure data (strings, numbers, tuples): the service id used everywhere
(catalog ``service`` column, recorded exchanges, matrix, usage), its bilingual label, its
catalog file, its fixed ports, and *import paths* (``"package.module:attribute"``) of the code
that serves it — the simulator factory, the reference-DUI feature, the usage counters. Nothing
here imports that code: each reader resolves the paths it needs with :func:`resolve`, so the
registry sits at the bottom of the layers (``harness/services`` imports only the standard
library) and the plugin, ``serve``, the evidence writers and the reference DUI all read it.

Register a service with :func:`register` (the bundled ones are in
:mod:`harness.services.builtin`); a test may register a toy one for the time of a test with
:func:`registered`.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

__all__ = [
    "Indicator",
    "Service",
    "UsageCounter",
    "all_services",
    "canonical_id",
    "get",
    "register",
    "registered",
    "resolve",
    "simulated",
    "unregister",
]


@dataclass(frozen=True)
class Indicator:
    """A usage indicator counted from a service's recorded exchanges (ESMS numérique usage)."""

    key: str
    label_fr: str
    label_en: str
    unit: str = "count"


@dataclass(frozen=True)
class UsageCounter:
    """``counter``: path of ``f(exchanges: list[dict]) -> {indicator key: value}``, fed with the
    service's exchanges (of ``transaction`` only, when given)."""

    counter: str
    transaction: str | None = None


@dataclass(frozen=True)
class Service:
    """One national service of the socle, declared once.

    Attributes:
        id: the one spelling of the service: catalog ``service`` column, ``Exchange.service``,
            ``RunContext.simulators`` keys, matrix and usage (``INS``, ``DMP``, ``MSS``…).
        label_fr, label_en: what reports show.
        name: the lowercase handle people type: pytest fixture, ``--<name>-port`` options.
        catalog: the requirement catalog file under ``profiles/catalog`` (None: no catalog).
        ports: fixed ports for a DUI configured beforehand; the first is the main one
            (``--<name>-port``), the others get ``--<name>-<key without _port>-port``.
        simulator: path of ``create(setup: mocks.common.setup.SimulatorSetup) -> Simulator``
            (None: a requirement domain without a simulator, e.g. ``CDA``).
        endpoint_key: the entry of the trigger API's ``PUT /config/endpoints`` (a contract with
            the DUI, spelled as ``trigger-api.yaml`` says).
        trigger_operations: the trigger API operations (operationId) the service's tests use.
        reference_dui_feature: module of the reference DUI's feature (``create(service)``).
        reference_dui_settings: path of ``f(ctx) -> dict`` of ``ReferenceDuiConfig`` arguments.
        indicators, counters: usage indicators and the functions that count them.
        aliases: older spellings found in recorded exchanges of earlier versions (read only).
    """

    id: str
    label_fr: str
    label_en: str
    name: str = ""
    catalog: str | None = None
    ports: Mapping[str, int] = field(default_factory=dict)
    simulator: str | None = None
    endpoint_key: str | None = None
    trigger_operations: tuple[str, ...] = ()
    reference_dui_feature: str | None = None
    reference_dui_settings: str | None = None
    indicators: tuple[Indicator, ...] = ()
    counters: tuple[UsageCounter, ...] = ()
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.id.lower())
        object.__setattr__(self, "ports", MappingProxyType(dict(self.ports)))

    @property
    def label(self) -> str:
        """``"français / English"``."""
        return f"{self.label_fr} / {self.label_en}"

    def port_options(self) -> dict[str, str]:
        """Port key -> command-line option (``port`` -> ``--insi-port``, ``smtp_port`` -> ``--mss-smtp-port``)."""
        out = {}
        for key in self.ports:
            stem = key.removesuffix("_port").removesuffix("port").strip("_")
            out[key] = f"--{self.name}-{stem}-port" if stem else f"--{self.name}-port"
        return out


_lock = threading.Lock()
_services: dict[str, Service] = {}


def register(service: Service) -> Service:
    """Add ``service``; its id, name and aliases must be new."""
    with _lock:
        taken = {s.id for s in _services.values()} | {a for s in _services.values() for a in s.aliases}
        names = {s.name for s in _services.values()}
        clash = ({service.id, *service.aliases} & taken) or ({service.name} & names)
        if clash:
            raise ValueError(f"service {service.id}: {sorted(clash)} already registered")
        _services[service.id] = service
    return service


def unregister(service_id: str) -> None:
    with _lock:
        _services.pop(service_id, None)


@contextmanager
def registered(service: Service) -> Iterator[Service]:
    """Register ``service`` for the duration of a ``with`` block (tests)."""
    register(service)
    try:
        yield service
    finally:
        unregister(service.id)


def all_services() -> list[Service]:
    """Every declared service, in declaration order."""
    with _lock:
        return list(_services.values())


def simulated() -> list[Service]:
    """The services that have a simulator, in start order."""
    return [s for s in all_services() if s.simulator]


def get(service_id: str) -> Service:
    """The service of ``service_id`` (an alias of an earlier version is accepted)."""
    canonical = canonical_id(service_id)
    with _lock:
        try:
            return _services[canonical]
        except KeyError:
            raise KeyError(f"unknown service {service_id!r}; known: {', '.join(_services)}") from None


def canonical_id(spelling: str) -> str:
    """The service id of ``spelling`` (itself, or the id whose aliases hold it; unknown: unchanged)."""
    with _lock:
        if spelling in _services:
            return spelling
        for service in _services.values():
            if spelling in service.aliases:
                return service.id
    return spelling


def resolve(path: str) -> Any:
    """The object at ``"package.module:attribute"`` (a module when there is no ``:``)."""
    module_name, _, attribute = path.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module
