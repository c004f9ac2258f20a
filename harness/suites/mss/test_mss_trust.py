"""## Requirements
ECO.1.1.10 (SC.MSS/CONF.27): the DUI's MSSanté client accepts only the certificates of the
certification authority it trusts for the operators (IGC Santé in production).

## Dependencies
The MSSanté operator simulator, a second operator whose server certificate comes from another
CA (a second test PKI, never IGC Santé), and a DUI that accepts ``PUT /config/endpoints`` (the
reference DUI, or ``--free-ports``); otherwise the test is skipped (input not provided).

## Methodology
The DUI is pointed at the second operator, whose certificate chains to a CA the DUI was never
configured with, then asked to send a document to a professional. A conformant client refuses
the TLS handshake: the operator records no SMTP transaction (a failed implicit-TLS handshake is
recorded; a STARTTLS refusal shows as the trigger API's failed send). An SMTP transaction (the
DUI talked to a server it cannot authenticate) is a non-conformity; a DUI that neither connected
nor reported a failure leaves nothing to judge (skip). The DUI is
pointed back at the run's operator afterwards. What a bench cannot show: that IGC Santé is the
CA trusted in production (attested by the editor).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.core.findings import Finding, NonConformity
from harness.core.recorder import Recorder
from harness.errors import HarnessError
from harness.pki import generate
from harness.plugin.evidence import Scenario
from harness.plugin.session import RunContext
from harness.suites.mss.conftest import SENDING, SERVICE
from harness.sut.driver import SutDriver
from mocks.common.server import TlsSettings
from mocks.mssante import DUI_CERTIFICATE, MssSimulator

REQUIREMENT = "ECO.1.1.10"


def _reported_failure(outcome: object) -> bool:
    """Whether the trigger API's answer says the DUI could not send (status error, or an error raised)."""
    return isinstance(outcome, dict) and (outcome.get("status") in ("error", "failed") or "error" in outcome)


@pytest.fixture(scope="module")
def foreign_operator(
    dui_run: RunContext,
    sut: SutDriver,
    recorder: Recorder,
    mss_people: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Scenario]:
    """The DUI asked to send through an operator whose certificate comes from a CA it does not trust."""
    if dui_run.pki is None:
        pytest.skip("simulators without TLS (--no-tls): no certificate to refuse")
    foreign = generate(Path(tmp_path_factory.mktemp("foreign-ca")))
    sim = MssSimulator(
        recorder,
        tls=TlsSettings(foreign.server_cert, foreign.server_key, client_ca=dui_run.pki.ca_cert),
        dui_certificate=dui_run.pki.client(DUI_CERTIFICATE),
    ).start()
    endpoints = dui_run.endpoints()
    endpoints["mssante"] = {**endpoints.get("mssante", {}), "url": sim.url, **sim.endpoint_details()}
    try:
        if not sut.configure_endpoints(endpoints):
            pytest.skip(
                "the DUI takes no PUT /config/endpoints: it cannot be pointed at a second operator (input not provided)"
            )
        person, kind, address, ack, _ = SENDING["professional"]
        since = recorder.mark()
        try:
            outcome: object = sut.mss_send(
                mss_people[person], kind, address=address, acknowledgement=ack, visible_to_patient=True
            )
        except (HarnessError, AssertionError) as exc:  # the DUI reporting that it could not send is expected
            outcome = {"error": str(exc)[:500]}
        if not _reported_failure(outcome):  # a DUI that queues its mail gets a moment to (wrongly) send it
            recorder.wait_for(lambda found: bool(found), service=SERVICE, since=since, timeout=2.0)
        yield Scenario(
            name="MSSanté : opérateur au certificat d'une autre AC / operator with another CA's certificate",
            person_id=mss_people[person],
            exchanges=recorder.exchanges(service=SERVICE, since=since),
            data={"outcome": outcome},
        )
    finally:
        sut.configure_endpoints(dui_run.endpoints())
        sim.stop()


@pytest.mark.requirement(REQUIREMENT)
def test_an_operator_certificate_from_an_untrusted_ca_is_refused(foreign_operator: Scenario) -> None:
    """The DUI refuses the TLS session of an operator whose certificate chains to a CA it does not trust."""
    smtp = [e for e in foreign_operator.exchanges if e.transaction == "SMTP"]
    if smtp:
        raise NonConformity(
            "the DUI talked SMTP to an operator it cannot authenticate",
            [
                Finding(
                    "mss.tls.untrusted_ca_accepted",
                    REQUIREMENT,
                    "the operator presented a server certificate of a CA the DUI was not configured with, and the DUI "
                    "went on with the SMTP session instead of refusing the TLS handshake",
                    location="TLS server certificate",
                    evidence=tuple(f"exchange {e.id}" for e in smtp),
                )
            ],
        )
    outcome = foreign_operator.data.get("outcome")
    if not _reported_failure(outcome) and not any(e.transaction == "TLS" for e in foreign_operator.exchanges):
        pytest.skip(
            "the DUI did not connect to the second operator (trigger API answer: "
            f"{foreign_operator.data.get('outcome')}): nothing to judge"
        )
