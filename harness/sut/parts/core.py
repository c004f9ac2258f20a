"""What every DUI driver does whatever the services: identify the DUI, reset it, point it at the
simulators, read its indicators, close."""

from __future__ import annotations

import abc
from typing import Any

from harness.sut.model import SutInfo

__all__ = ["CoreDriver"]


class CoreDriver(abc.ABC):
    """The service-independent part of a driver (``getInfo``, ``reset``, ``configureEndpoints``,
    ``getIndicators``)."""

    mode: str = "abstract"

    @abc.abstractmethod
    def info(self) -> SutInfo: ...
    @abc.abstractmethod
    def reset(self) -> None: ...
    @abc.abstractmethod
    def configure_endpoints(self, endpoints: dict[str, Any]) -> bool:
        """Push the simulator URLs; False when the DUI was configured beforehand."""

    def indicators(self) -> dict[str, Any] | None:
        """Optional: the DUI's usage indicators (``GET /indicators``); None when it does not expose them."""
        return None

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (HTTP sessions)."""
