"""Fixtures of the MSSanté security suite: the bad operators, played once in order.

* ``security_person``: one synthetic person created in the DUI (no INS search: the document
  sent about them does not matter here, only whether it leaves the DUI).
* ``operator_runs``: the server certificates of :mod:`harness.pki_servers` (generated for the
  run, naming the CRL distribution point and the OCSP responder), both served, and the
  scenarios of :data:`~harness.suites.mss_security.operators.SCENARIOS`, each judged by the tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.core.ins import Traits
from harness.core.recorder import Recorder
from harness.pki_servers import generate_bad_servers, load_ca
from harness.plugin.evidence import Scenario
from harness.plugin.session import RunContext
from harness.suites.mss_security.operators import SCENARIOS, play, sent, smtp_exchanges
from harness.sut.driver import SutDriver
from mocks.mssante.crl import CrlDistribution
from mocks.mssante.ocsp import OcspResponder

#: an invented person of this suite only (never in the INSi simulator: no INS, no homonym elsewhere)
PERSON = Traits("SECURITE-MSSESSAI", ("ALICE",), "F", "1958-03-14", "75056")


@pytest.fixture(scope="session")
def security_person(sut: SutDriver) -> str:
    return str(sut.create_person(PERSON, None)["person_id"])


@pytest.fixture(scope="module")
def operator_runs(
    dui_run: RunContext,
    sut: SutDriver,
    recorder: Recorder,
    security_person: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, Scenario]]:
    """Every scenario of :data:`SCENARIOS`, played in order; the DUI pointed back at the run's operator after."""
    if dui_run.pki is None:
        pytest.skip("simulators without TLS (--no-tls): no certificate to refuse")
    crl = CrlDistribution(recorder, b"")
    crl.start()
    try:  # the leaves name the distribution point and the responder: their address first, then the material
        servers = generate_bad_servers(
            dui_run.pki, Path(tmp_path_factory.mktemp("bad-servers")), crl.crl_url, crl.ocsp_url
        )
        crl.crl = servers.crl_der.read_bytes()
        crl.ocsp = OcspResponder(*load_ca(dui_run.pki), servers.certificates(), servers.revoked_serials())
        endpoints = dui_run.endpoints()
        timeout = min(dui_run.settings.exchange_timeout, 5.0)
        runs: dict[str, Scenario] = {}
        for name in SCENARIOS:
            runs[name] = play(
                name,
                sut=sut,
                recorder=recorder,
                pki=dui_run.pki,
                servers=servers,
                crl=crl,
                person_id=security_person,
                endpoints=endpoints,
                timeout=timeout,
            )
            if not runs[name].data.get("configurable"):
                break
        yield runs
    finally:
        sut.configure_endpoints(dui_run.endpoints())
        crl.stop()


def _judgeable(runs: dict[str, Scenario]) -> None:
    """Skip unless the DUI could be pointed at other operators and sent through the sound one."""
    baseline = runs.get("valid")
    if baseline is None or not baseline.data.get("configurable"):
        pytest.skip(
            "the DUI takes no PUT /config/endpoints: it cannot be pointed at other operators (input not provided)"
        )
    if not sent(baseline):
        pytest.skip(
            "the DUI did not send through the sound operator (trigger API answer: "
            f"{baseline.data.get('outcome')}): its refusals of bad operators prove nothing (not judged)"
        )


@pytest.fixture
def bad_operator(request: pytest.FixtureRequest, operator_runs: dict[str, Scenario]) -> Scenario:
    """The scenario named by indirect parametrization (``expired``, ``revoked``, ``tls10``…)."""
    _judgeable(operator_runs)
    return operator_runs[request.param]


@pytest.fixture
def crl_outage(operator_runs: dict[str, Scenario]) -> Scenario:
    """The two scenarios played while the CRL distribution point answered 503, as one."""
    _judgeable(operator_runs)
    down_valid, down_revoked = operator_runs["crl-down-valid"], operator_runs["crl-down-revoked"]
    fetched = [
        e.id
        for run in operator_runs.values()
        for e in run.exchanges
        if e.transaction == "CRL" and e.summary.get("available") is True
    ]
    return Scenario(
        name="MSSanté sécurité / security: CRL indisponible / CRL distribution point down",
        person_id=down_valid.person_id,
        exchanges=[*down_valid.exchanges, *down_revoked.exchanges],
        data={
            "crl_fetched_before": fetched,
            "valid": down_valid.data,
            "revoked": down_revoked.data,
            "sent_through_valid": sent(down_valid),
            "revoked_smtp": [e.id for e in smtp_exchanges(down_revoked)],
            "revoked_accepted_with_crl": bool(smtp_exchanges(operator_runs["revoked"])),
        },
    )
