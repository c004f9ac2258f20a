"""The service registry: one declaration per service, read by ``run``, ``serve``, the matrix, ``usage``
and the profile schema; a toy service registered here shows up in all of them."""

from __future__ import annotations

import json
import signal
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from harness import services
from harness.cli import build_parser
from harness.cli import serve as serve_cli
from harness.core.recorder import Recorder
from harness.core.requirements import load_catalog
from harness.evidence.services import service_label, service_labels
from harness.evidence.usage import usage_of
from harness.paths import profiles_dir
from harness.plugin.options import RunSettings
from harness.plugin.session import RunContext
from harness.validators.cda.pack import CdaPack
from harness.validators.cda.warmup import Warmup
from mocks.common.setup import SimulatorSetup
from mocks.common.simulator import Simulator
from tests.support import CATALOG_HEADER, REPO_ROOT, make_profiles_root

# -- a toy service, as a contributor would add one ----------------------------------------------


class ToySimulator(Simulator):
    service = "TOY"

    def routes(self) -> list[BaseRoute]:
        return [Route("/ping", self._ping, methods=["GET"])]

    async def _ping(self, request: Request) -> Response:
        exchange = request.scope.get("state", {}).get("exchange")
        if exchange is not None:
            exchange.transaction = "ping"
        return PlainTextResponse("pong")

    def serve_lines(self) -> list[str]:
        return [f"  Toy service (jouet): {self.url}/ping"]


def create_toy(setup: SimulatorSetup) -> ToySimulator:
    return ToySimulator(setup.recorder, port=setup.port(), tls=setup.tls)


def count_pings(exchanges: list[dict[str, Any]]) -> dict[str, float]:
    return {"toy_pings": len(exchanges)}


TOY = services.Service(
    "TOY",
    "Service jouet",
    "Toy service",
    name="toy",
    ports={"port": 8799},
    simulator=f"{__name__}:create_toy",
    endpoint_key="toy",
    indicators=(services.Indicator("toy_pings", "Pings reçus", "Pings received"),),
    counters=(services.UsageCounter(f"{__name__}:count_pings", "ping"),),
)


@pytest.fixture
def toy() -> Any:
    with services.registered(TOY) as service:
        yield service


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_toy_service_is_started_by_the_run_and_given_to_the_dui(toy: services.Service, tmp_path: Path) -> None:
    # given the toy service registered, when a run opens (reference DUI, plain HTTP)
    ctx = RunContext.open(RunSettings(reports=tmp_path, pki_dir=tmp_path / "pki", tls=False))
    try:
        # then its simulator runs beside the others and the DUI is told where (its endpoint key)
        assert isinstance(ctx.simulators["TOY"], ToySimulator)
        assert ctx.endpoints()["toy"]["url"] == ctx.simulators["TOY"].url
        assert requests.get(ctx.simulators["TOY"].url + "/ping", timeout=5).text == "pong"
        assert [e.transaction for e in ctx.recorder.exchanges(service="TOY")] == ["ping"]
    finally:
        ctx.close()


def test_a_toy_service_is_served_labelled_and_counted(
    toy: services.Service, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given every port option free, but the toy's and the MSSanté control API's given explicitly
    toy_port, mss_port = _free_port(), _free_port()
    argv = ["serve", "--no-tls", "--reports", str(tmp_path), "--duration", "4"]
    for service in services.simulated():
        argv += [arg for option in service.port_options().values() for arg in (option, "0")]
    argv += ["--toy-port", str(toy_port), "--mss-port", str(mss_port)]
    args = build_parser().parse_args(argv)
    assert serve_cli.ports_asked(args, services.get("MSS"))["port"] == mss_port
    # when serve runs (in a thread: it installs no signal handler there)
    thread = threading.Thread(target=args.handler, args=(args,), daemon=True)
    thread.start()
    try:
        health = _wait_health(toy_port, tmp_path / "control-token")
        # then the toy is served on the port asked, and so is the MSSanté control API (--mss-port honoured)
        assert health["service"] == "TOY"
        assert _wait_health(mss_port, tmp_path / "control-token")["service"] == "MSS"
        assert requests.get(f"http://127.0.0.1:{toy_port}/ping", timeout=5).text == "pong"
    finally:
        thread.join(15)
    out = capsys.readouterr().out
    assert f"Toy service (jouet): http://127.0.0.1:{toy_port}/ping" in out
    # and the exchange it recorded is labelled and counted like any service's
    recorded = [json.loads(p.read_text(encoding="utf-8")) for p in (tmp_path / "exchanges").glob("*.json")]
    assert service_labels()["TOY"] == "Service jouet / Toy service" == service_label("TOY")
    report = usage_of(recorded, "serve", None).as_dict()
    assert {"key": "toy_pings", "service": "TOY", "value": 1, "status": "observed"}.items() <= {
        k: v for i in report["indicators"] if i["key"] == "toy_pings" for k, v in i.items()
    }.items()
    assert "TOY" in report["services_observed"]


def _wait_health(port: int, token_file: Path | None = None) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while True:
        try:
            token = token_file.read_text(encoding="utf-8").strip() if token_file and token_file.exists() else ""
            return dict(
                requests.get(
                    f"http://127.0.0.1:{port}/_harness/health", timeout=2, headers={"X-Harness-Token": token}
                ).json()
            )
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_a_catalog_row_of_a_registered_service_is_accepted(toy: services.Service, tmp_path: Path) -> None:
    row = "TOY-01,Titre de test,Test summary,TOY,MUST,all,test,Doc de test,Section,,https://example.invalid/d,,,test"
    root = make_profiles_root(tmp_path, f"{CATALOG_HEADER}\n{row}\n")
    assert [r.service for r in load_catalog(root)] == ["TOY"]


# -- the declarations themselves ----------------------------------------------------------------


def test_schema_service_list_is_the_registry() -> None:
    schema = json.loads((profiles_dir() / "schema" / "requirement.schema.json").read_text(encoding="utf-8"))
    declared = [s.id for s in services.all_services()]
    assert schema["properties"]["service"]["enum"] == declared, (
        f"profiles/schema/requirement.schema.json: set the service enum to {json.dumps(declared)}"
    )


def test_every_catalog_file_is_declared_by_one_service() -> None:
    # dependencies.csv holds the dependencies between requirements (harness.core.dependencies), no requirement
    files = sorted(p.name for p in (profiles_dir() / "catalog").glob("*.csv") if p.name != "dependencies.csv")
    declared = sorted(s.catalog for s in services.all_services() if s.catalog)
    assert files == declared


def test_fixed_ports_and_spellings_are_unique() -> None:
    ports = [p for s in services.all_services() for p in s.ports.values()]
    assert len(ports) == len(set(ports))
    spellings = [x for s in services.all_services() for x in (s.id, *s.aliases)]
    assert len(spellings) == len(set(spellings))
    assert services.canonical_id("INSi") == "INS" and services.canonical_id("MSSante") == "MSS"


def test_endpoint_keys_and_trigger_operations_are_in_the_trigger_api() -> None:
    api = yaml.safe_load((REPO_ROOT / "harness" / "sut" / "openapi" / "trigger-api.yaml").read_text("utf-8"))
    operations = {op["operationId"] for path in api["paths"].values() for op in path.values()}
    endpoint_keys = set(api["components"]["schemas"]["Endpoints"]["properties"])
    for service in services.simulated():
        assert service.endpoint_key in endpoint_keys, service.id
        assert set(service.trigger_operations) <= operations, service.id


def test_a_service_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match="already registered"):
        services.register(services.Service("TOY2", "x", "y", aliases=("INSi",)))


def test_serve_has_one_option_per_declared_port() -> None:
    args = build_parser().parse_args(["serve", "--mss-port", "9123", "--mss-imaps-port", "0"])
    assert serve_cli.ports_asked(args, services.get("MSS")) == {
        "port": 9123,
        "smtp_port": 8587,
        "smtps_port": 8465,
        "imap_port": 8143,
        "imaps_port": 0,
    }
    assert serve_cli.ports_asked(args, services.get("INS")) == {"port": 8701}
    free = build_parser().parse_args(["serve", "--mss-port", "0"])
    assert set(serve_cli.ports_asked(free, services.get("MSS")).values()) == {0}
    assert signal.getsignal(signal.SIGTERM) is not serve_cli._stop_on_sigterm


def test_the_runs_cda_pack_reaches_the_simulators_through_their_setup(tmp_path: Path) -> None:
    # given the run's pack in the settings (never an environment variable)
    from mocks.dmp import create as create_dmp
    from mocks.fhir import create_eparcours

    pack = CdaPack(tmp_path / "pack", (("VSM", "2023.01"),))
    setup = SimulatorSetup(Recorder(), cda_pack=pack, cda_warmup=Warmup(pack))  # the run's compilation, started
    # then e-parcours judges the CDA of TDDUI bundles with it, and the DMP judges submissions with it once (the
    # suites reuse that judgement; what the DMP refuses does not depend on the pack: mocks.dmp.policy)
    assert create_eparcours(setup).cda_pack is pack
    assert create_dmp(setup).pack is pack


def test_the_reference_dui_loads_the_features_the_services_declare() -> None:
    from reference_dui.features import FEATURE_MODULES, feature_modules

    declared = {s.reference_dui_feature for s in services.all_services() if s.reference_dui_feature}
    assert declared <= set(feature_modules()) and set(FEATURE_MODULES) <= set(feature_modules())
    assert len(feature_modules()) == len(set(feature_modules()))  # e-parcours and e-prescription share one
