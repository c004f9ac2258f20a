"""PSC-backed DMP calls (SC.DMP/PSC.01, stated model): the DMP reads the Bearer token through the PSC realm.

First the rule alone (:func:`mocks.dmp.psc_context.psc_context` with a resolver of our own), then over
real HTTP: a DMP simulator over mutual TLS linked to a Pro Santé Connect simulator whose code flow gives
the tokens, as the suite links them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from harness.core.findings import Severity
from harness.core.recorder import Recorder
from mocks.common.control_token import authorization_header, run_token
from mocks.dmp import DmpSimulator
from mocks.dmp.psc_context import psc_context, realm_resolver
from mocks.dmp.samples import envelope, vihf
from mocks.psc import DEFAULT_CLIENT, PscSimulator
from mocks.psc.realm import short_id
from tests.mocks.dmp.conftest import INS, OID, Caller, Reply
from tests.mocks.psc.conftest import Flow

CLAIRE, LOUIS = "899900000011", "899900000029"  # fixtures/psc/professionals.json
TD02 = "urn:dui-harness:dmp:td02Exist"
TOKENS = {"good": (CLAIRE, "dui", None), "old": (None, None, "access token expired")}


def _resolve(token: str) -> tuple[str | None, str | None, str | None]:
    return TOKENS.get(token, (None, None, "unknown access token"))


# -- the rule alone ---------------------------------------------------------------------------


def test_a_call_without_bearer_token_is_not_psc_backed() -> None:
    assert psc_context(None, _resolve, subject=CLAIRE, auth_mode="INDIRECTE") == (None, [])
    assert psc_context("Basic Zm9vOmJhcg==", _resolve, subject=CLAIRE, auth_mode="DIRECTE") == (None, [])


def test_a_good_token_naming_the_vihf_professional_gives_no_finding() -> None:
    context, findings = psc_context("Bearer good", _resolve, subject=CLAIRE, auth_mode="DIRECTE")
    assert findings == []
    assert context is not None and context["known"] is True and context["professional"] == CLAIRE
    assert context["token"] == short_id("good") and "good" not in context.values()  # never the token itself


@pytest.mark.parametrize("token", ["old", "forged"])
def test_a_token_psc_does_not_know_is_a_finding(token: str) -> None:
    context, findings = psc_context(f"Bearer {token}", _resolve, subject=CLAIRE, auth_mode="DIRECTE")
    assert context is not None and context["known"] is False
    assert [(f.rule, f.requirement, f.severity) for f in findings] == [("dmp.psc.token", "DMP-PSC-01", Severity.ERROR)]
    assert str(context["reason"]) in findings[0].message


def test_a_vihf_naming_another_professional_than_the_token_is_a_finding() -> None:
    _, findings = psc_context("Bearer good", _resolve, subject=LOUIS, auth_mode="DIRECTE")
    assert [(f.rule, f.severity) for f in findings] == [("dmp.psc.professional", Severity.ERROR)]
    assert LOUIS in findings[0].message and CLAIRE in findings[0].message
    assert findings[0].location.endswith("saml2:Subject/saml2:NameID")


def test_the_indirect_mode_with_a_psc_token_is_only_a_warning() -> None:
    _, findings = psc_context("Bearer good", _resolve, subject=CLAIRE, auth_mode="INDIRECTE")
    assert [(f.rule, f.severity) for f in findings] == [("dmp.psc.auth_mode", Severity.WARNING)]


def test_without_the_realm_the_token_is_recorded_not_judged() -> None:
    context, findings = psc_context("Bearer anything", None, subject=LOUIS, auth_mode="INDIRECTE")
    assert findings == [] and context is not None and context["known"] is None


# -- over HTTP, linked to a PSC simulator ---------------------------------------------------------


@pytest.fixture(scope="module")
def psc_sim() -> Iterator[PscSimulator]:
    sim = PscSimulator(Recorder()).start()
    yield sim
    sim.stop()


@pytest.fixture
def linked(dmp_sim: DmpSimulator, psc_sim: PscSimulator) -> Iterator[DmpSimulator]:
    dmp_sim.trust_psc(realm_resolver(psc_sim))
    yield dmp_sim
    dmp_sim.trust_psc(None)


@pytest.fixture
def token(psc_sim: PscSimulator) -> str:
    """A fresh access token of Claire's PSC session (authorization code flow)."""
    http = requests.Session()
    http.trust_env = False
    http.headers.update(authorization_header(run_token()))
    return str(Flow(psc_sim, http).tokens(login_hint=CLAIRE)["access_token"])


def _td02(caller: Caller, bearer: str | None, subject: str = CLAIRE, mode: str = "DIRECTE") -> Reply:
    from lxml import etree

    body = etree.Element("{urn:dui-harness:dmp:td02:1}td02ExistRequest")
    etree.SubElement(body, "{urn:dui-harness:dmp:td02:1}patientId").text = f"{INS}^^^&{OID}&ISO^NH"
    assertion = vihf(INS, OID, signer=caller.signer, subject=subject, overrides={"Authentification_Mode": mode})
    headers = {"Content-Type": "application/soap+xml"}
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
    since = caller.sim.recorder.mark()
    response = caller.session.post(
        caller.sim.url + "/dmp/td02", data=envelope(TD02, body, assertion), headers=headers, timeout=30
    )
    found = caller.sim.recorder.wait_for(service="DMP", since=since, timeout=5)
    assert found, "the simulator recorded no exchange"
    return Reply(response, found[-1])


def _psc_findings(reply: Reply) -> list[str]:
    return [f.rule for f in reply.exchange.findings if f.requirement == "DMP-PSC-01"]


@pytest.mark.usefixtures("linked")
def test_http_good_token_recorded_by_its_short_id(caller: Caller, token: str) -> None:
    reply = _td02(caller, token)
    assert reply.response.status_code == 200
    psc = reply.exchange.summary["psc"]
    assert psc["known"] is True and psc["professional"] == CLAIRE and psc["token"] == short_id(token)
    assert token not in str(reply.exchange.summary)
    assert _psc_findings(reply) == []


@pytest.mark.usefixtures("linked")
def test_http_no_token_is_not_psc_backed(caller: Caller) -> None:
    reply = _td02(caller, None, mode="INDIRECTE")
    assert "psc" not in reply.exchange.summary and _psc_findings(reply) == []


@pytest.mark.usefixtures("linked")
def test_http_unknown_token(caller: Caller) -> None:
    reply = _td02(caller, "not-a-psc-token")
    assert reply.exchange.summary["psc"]["known"] is False
    assert _psc_findings(reply) == ["dmp.psc.token"]


@pytest.mark.usefixtures("linked")
def test_http_revoked_token(caller: Caller, token: str, psc_sim: PscSimulator) -> None:
    assert psc_sim.realm.revoke(token, DEFAULT_CLIENT.client_id) == ("access_token", "")
    reply = _td02(caller, token)
    assert "revoked" in str(reply.exchange.summary["psc"]["reason"])
    assert _psc_findings(reply) == ["dmp.psc.token"]


@pytest.mark.usefixtures("linked")
def test_http_vihf_of_another_professional(caller: Caller, token: str) -> None:
    reply = _td02(caller, token, subject=LOUIS)
    assert reply.exchange.summary["psc"]["professional"] == CLAIRE
    assert _psc_findings(reply) == ["dmp.psc.professional"]


@pytest.mark.usefixtures("linked")
def test_http_request_refused_for_its_vihf_still_records_the_psc_context(caller: Caller, token: str) -> None:
    reply = _td02(caller, token, subject=LOUIS, mode="INCONNU")  # Authentification_Mode refused (DMP-VIHF-02)
    assert reply.response.status_code == 400 and reply.exchange.summary["rejected"] is True
    assert reply.exchange.summary["psc"]["known"] is True
    assert "dmp.psc.professional" in _psc_findings(reply)
