"""The reference DUI's PSC-backed DMP calls (SC.DMP/PSC.01, stated model): token, VIHF NameID and mode.

The whole path (PSC login, then DMP calls seen by the DMP simulator linked to the PSC realm) is the
suite's (``harness/suites/dmp_psc``); here, each part alone: which identity a call carries, the VIHF
built for it, the HTTP header the DMP client sends (``responses``: our own client only).
"""

from __future__ import annotations

from dataclasses import dataclass

import responses

from reference_dui.dmp.client import DmpClient, DmpEndpoint
from reference_dui.dmp.psc_identity import PscIdentity, psc_identity
from reference_dui.dmp.vihf import SAML, build_assertion
from reference_dui.dmp.xds import td02

CLAIRE = "899900000011"
DMP_URL = "http://dmp.invalid"
NO_DEFECT: frozenset[str] = frozenset()


@dataclass
class FakePscFeature:
    """The two questions the DMP part asks of the PSC feature (reference_dui.psc.feature.PscFeature)."""

    token: str | None
    professional: str | None = CLAIRE

    def access_token(self) -> str | None:
        return self.token

    def current_professional(self) -> str | None:
        return self.professional


class OtherFeature:
    name = "dmp"


def test_no_psc_session_no_psc_identity() -> None:
    assert psc_identity([OtherFeature()], NO_DEFECT) is None
    assert psc_identity([OtherFeature(), FakePscFeature(None)], NO_DEFECT) is None  # local login: no token


def test_a_psc_session_gives_its_token_and_the_professional() -> None:
    found = psc_identity([OtherFeature(), FakePscFeature("at-1")], NO_DEFECT)
    assert found == PscIdentity(bearer="at-1", name_id=CLAIRE, auth_mode="DIRECTE")
    assert found.vihf() == {"name_id": CLAIRE, "auth_mode": "DIRECTE"}


def test_each_defect_changes_only_its_part() -> None:
    feature = [FakePscFeature("at-1")]
    assert psc_identity(feature, frozenset({"dmp_no_psc_token"})) == PscIdentity(None, CLAIRE)
    assert psc_identity(feature, frozenset({"dmp_vihf_not_psc_user"})) == PscIdentity("at-1", None)


def _vihf_values(name_id: str | None = None, auth_mode: str = "INDIRECTE") -> tuple[str, str]:
    assertion = build_assertion(
        "2751263220749",
        "1.2.250.1.213.1.4.10",
        lps_name="DUI",
        lps_version="1",
        signing=None,
        name_id=name_id,
        auth_mode=auth_mode,
    )
    name_id = assertion.findtext(f"{{{SAML}}}Subject/{{{SAML}}}NameID") or ""
    mode = assertion.findtext(f".//{{{SAML}}}Attribute[@Name='Authentification_Mode']/{{{SAML}}}AttributeValue")
    return name_id, mode or ""


def test_the_vihf_names_the_psc_professional_in_direct_mode() -> None:
    assert _vihf_values(name_id=CLAIRE, auth_mode="DIRECTE") == (CLAIRE, "DIRECTE")


def test_without_psc_the_vihf_stays_the_organisations() -> None:
    name_id, mode = _vihf_values()
    assert name_id and name_id != CLAIRE and mode == "INDIRECTE"
    assert _vihf_values(name_id=None, auth_mode="DIRECTE")[0] == name_id  # dmp_vihf_not_psc_user


@responses.activate
def test_the_client_sends_the_token_as_bearer_only_when_given() -> None:
    responses.add(responses.POST, f"{DMP_URL}/dmp/td02", body=b"not xml", status=200)
    client = DmpClient(DmpEndpoint(DMP_URL))
    assertion = build_assertion("2751263220749", "1.2.250.1.213.1.4.10", lps_name="DUI", lps_version="1", signing=None)
    try:
        client.call("TD0.2", td02("x"), assertion, bearer="at-1")
        client.call("TD0.2", td02("x"), assertion)
    finally:
        client.close()
    sent = [call.request.headers.get("Authorization") for call in responses.calls]
    assert sent == ["Bearer at-1", None]
