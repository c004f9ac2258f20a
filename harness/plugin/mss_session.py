"""How a run starts the MSSanté simulator: ports, TLS, and the DUI's mailbox credentials.

With the bundled reference DUI every listener takes a free port and the DUI is told where
through ``PUT /config/endpoints`` (entry ``mssante``). A DUI configured beforehand (``--dui-sut``
or attended mode) finds them on fixed ports, printed by ``dui-harness serve`` and listed in the
README: control API 8710, SMTP submission 8587 (STARTTLS), SMTPS 8465, IMAP 8143 (STARTTLS),
IMAPS 8993.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.core.recorder import Recorder
from harness.pki import TestPki
from mocks.common.server import TlsSettings
from mocks.mssante import MssSimulator

if TYPE_CHECKING:
    from harness.plugin.session import RunContext

__all__ = ["FIXED_PORTS", "serve_mss", "start_mss"]

#: listener -> port for a DUI configured beforehand
FIXED_PORTS = {"port": 8710, "smtp_port": 8587, "smtps_port": 8465, "imap_port": 8143, "imaps_port": 8993}
#: the test PKI client certificate of the DUI's BAL applicative (CN in fixtures/mssante/annuaire.json)
DUI_CERTIFICATE = "client-mss-bal"


def start_mss(ctx: RunContext) -> MssSimulator:
    ports = {name: 0 for name in FIXED_PORTS} if ctx.settings.free_ports else dict(FIXED_PORTS)
    client = ctx.pki.client(DUI_CERTIFICATE) if ctx.pki is not None else None
    sim = MssSimulator(ctx.recorder, tls=ctx.server_tls(), dui_certificate=client, port=ports["port"],
                       smtp_port=ports["smtp_port"], smtps_port=ports["smtps_port"], imap_port=ports["imap_port"],
                       imaps_port=ports["imaps_port"])
    return sim.start()


def serve_mss(recorder: Recorder, pki: TestPki | None, *, fixed: bool = True) -> tuple[MssSimulator, list[str]]:
    """``dui-harness serve``: the MSSanté simulator (fixed or free ports) and the lines that describe it."""
    tls = TlsSettings(pki.server_cert, pki.server_key, client_ca=pki.ca_cert) if pki else None
    client = pki.client(DUI_CERTIFICATE) if pki else None
    ports = dict(FIXED_PORTS) if fixed else {name: 0 for name in FIXED_PORTS}
    sim = MssSimulator(recorder, tls=tls, dui_certificate=client, port=ports["port"], smtp_port=ports["smtp_port"],
                       smtps_port=ports["smtps_port"], imap_port=ports["imap_port"],
                       imaps_port=ports["imaps_port"]).start()
    dui = sim.directory.with_role("dui")
    lines = ["  MSSanté (opérateur simulé / simulated operator), 127.0.0.1:"]
    lines += [f"      {name}: {url}" for name, url in sim.endpoints().items() if name != "control"]
    lines.append(f"      BAL de la DUI / DUI mailbox: {dui.address} (password {dui.password}"
                 + (f", or certificate {client[0].name} for SASL EXTERNAL)" if client else ")"))
    lines.append(f"      control API: {sim.url}/_harness/mss/directory, /_harness/mss/mailboxes, "
                 "/_harness/mss/deliver")
    return sim, lines
