"""The HL7 v2 simulator as a service of the run: control API over HTTP, MLLP listener beside it.

:class:`Hl7v2Service` is a :class:`~mocks.common.simulator.Simulator` (its HTTP server serves the
control API ``/_harness/...``, with ``/_harness/hl7v2/...`` for feeds and received messages)
that owns the MLLP partner :class:`~mocks.hl7v2.app.Hl7v2Simulator` (IHE PAM France identity
feeds, its own asyncio thread). Both record in the run's recorder under service ``HL7V2``
through :class:`mocks.common.recording.ListenerRecording` (:mod:`mocks.hl7v2.recording`).

==========  ===============================================================  ===============
listener    what                                                             port key
==========  ===============================================================  ===============
control     HTTP control API (``/_harness/hl7v2/feeds`` sends a feed)         ``port``
mllp        the DUI's outgoing ADT messages, answered with ACKs (TLS: test   ``mllp_port``
            PKI server certificate, as every simulator)
==========  ===============================================================  ===============
"""

from __future__ import annotations

import ssl
from typing import Any

from starlette.routing import BaseRoute

from harness.core.recorder import Exchange, Recorder
from harness.errors import SimulatorError
from mocks.common.server import LOOPBACK, TlsSettings
from mocks.common.simulator import Simulator
from mocks.hl7v2.app import Hl7v2Simulator
from mocks.hl7v2.control import hl7v2_routes
from mocks.hl7v2.feeds import scenario_names
from mocks.hl7v2.hostile import HOSTILE_CASES, send_hostile
from mocks.hl7v2.listener import ListenerLimits
from mocks.hl7v2.recording import SERVICE

__all__ = ["Hl7v2Service"]


class Hl7v2Service(Simulator):
    """The simulated HL7 v2 partner of a DUI (identity source and ADT receiver) with its control API.

    Args:
        recorder: the run's recorder.
        port: control API port (0: a free one).
        mllp_port: MLLP listener port (0: a free one; ``serve`` uses 2575, the HL7 registered port).
        tls: the run's TLS settings (control API and MLLP listener); None: plain.
        limits: MLLP frame and connection bounds.
    """

    service = SERVICE

    def __init__(
        self,
        recorder: Recorder,
        *,
        port: int = 0,
        mllp_port: int = 0,
        tls: TlsSettings | None = None,
        limits: ListenerLimits | None = None,
    ) -> None:
        self.mllp = Hl7v2Simulator(recorder, port=mllp_port, tls=tls, limits=limits)
        super().__init__(recorder, port=port, tls=tls)

    # -- Simulator ------------------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        return hl7v2_routes(self)

    def state(self) -> dict[str, Any]:
        return {"mllp": self.mllp.url, "scenarios": scenario_names(), "hostile_cases": list(HOSTILE_CASES)}

    def start(self) -> Hl7v2Service:
        super().start()
        try:
            self.mllp.start()
        except SimulatorError:
            super().stop()
            raise
        return self

    def stop(self) -> None:
        self.mllp.stop()
        super().stop()

    def endpoint_details(self) -> dict[str, Any]:
        """The ``hl7v2`` entry of ``PUT /config/endpoints``: where the DUI sends its ADT messages."""
        details: dict[str, Any] = {"host": LOOPBACK, "mllp_port": self.mllp.port, "tls": self.mllp.tls is not None}
        if self.mllp.tls is not None and self.mllp.tls.client_ca is not None:
            details["ca"] = str(self.mllp.tls.client_ca)
        return details

    def serve_lines(self) -> list[str]:
        return [
            f"  HL7 v2 (flux d'identité PAM.Fr / identity feeds): {self.mllp.url}",
            f"      control API: {self.url}/_harness/hl7v2/feeds (POST: send a feed to the DUI), "
            "/_harness/hl7v2/received",
        ]

    # -- actions --------------------------------------------------------------------------
    def client_context(self) -> ssl.SSLContext:
        """TLS client context towards a DUI's MLLPS endpoint: the test CA (a plain default context without one)."""
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        tls = self.mllp.tls
        if tls is not None and tls.client_ca is not None:
            context.load_verify_locations(str(tls.client_ca))
        return context

    def send_feed(self, scenario: str, host: str, port: int, *, tls: bool = False, timeout: float = 10.0) -> Exchange:
        """Send the ADT feed of ``scenario`` to the DUI's MLLP endpoint; the recorded exchange (its ACK judged).

        Raises:
            KeyError: unknown scenario.
        """
        if scenario not in scenario_names():
            raise KeyError(f"unknown HL7 v2 feed scenario {scenario!r}; known: {', '.join(scenario_names())}")
        return self.mllp.send_feed(
            scenario, host, port, timeout=timeout, tls_context=self.client_context() if tls else None
        )

    def send_hostile(self, case: str, host: str, port: int, *, tls: bool = False, timeout: float = 10.0) -> Exchange:
        """Send the hostile ``case`` (:data:`~mocks.hl7v2.hostile.HOSTILE_CASES`) to the DUI's MLLP endpoint.

        Raises:
            KeyError: unknown case.
        """
        if case not in HOSTILE_CASES:
            raise KeyError(f"unknown hostile case {case!r}; known: {', '.join(HOSTILE_CASES)}")
        return send_hostile(
            self.recorder, case, host, port, timeout=timeout, tls_context=self.client_context() if tls else None
        )

    def received(self, since: str | None = None) -> list[Exchange]:
        """What the DUI sent to the MLLP listener (frames, noise…) with the ACK answered, oldest first."""
        return self.recorder.exchanges(service=SERVICE, since=since, direction="from-dui")

    def sent(self, since: str | None = None) -> list[Exchange]:
        """The feeds sent to the DUI and its ACKs, oldest first."""
        return self.recorder.exchanges(service=SERVICE, since=since, direction="to-dui")
