"""Discovery document, JWKS, test professionals and control API of the PSC simulator."""

from __future__ import annotations

import json

import pytest
import requests

from mocks.psc import PscSimulator
from mocks.psc.professionals import ProfessionalBase, default_professionals_file, luhn_valid


def test_discovery_document_has_psc_paths(psc_sim: PscSimulator, http: requests.Session) -> None:
    # given the realm path of PSC, when the discovery document is read (both names PSC publishes)
    for name in ("openid-configuration", "wallet-openid-configuration"):
        doc = http.get(f"{psc_sim.issuer}/.well-known/{name}", timeout=5).json()
        # then the endpoints are those of the esante-wallet realm, eidas1 is the only acr
        assert doc["issuer"] == psc_sim.url + "/auth/realms/esante-wallet"
        assert doc["token_endpoint"] == doc["issuer"] + "/protocol/openid-connect/token"
        assert doc["userinfo_endpoint"].endswith("/protocol/openid-connect/userinfo")
        assert doc["jwks_uri"].endswith("/protocol/openid-connect/certs")
        assert doc["authorization_endpoint"] == psc_sim.url + "/auth"
        assert doc["acr_values_supported"] == ["eidas1"]
        assert set(doc["token_endpoint_auth_methods_supported"]) == {
            "client_secret_basic",
            "client_secret_post",
            "private_key_jwt",
        }
        assert "SubjectNameID" in doc["claims_supported"]


def test_jwks_publishes_the_public_key_only(psc_sim: PscSimulator, http: requests.Session) -> None:
    keys = http.get(psc_sim.issuer + "/protocol/openid-connect/certs", timeout=5).json()["keys"]
    assert len(keys) == 1
    key = keys[0]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig" and key["kid"] == psc_sim.signer.kid
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key), "private key material published"


def test_discovery_refuses_other_methods(psc_sim: PscSimulator, http: requests.Session) -> None:
    answer = http.post(psc_sim.discovery_url, data=b"x", timeout=5)
    assert answer.status_code == 405
    assert answer.json()["error"] == "invalid_request"


def test_fixture_professionals_are_synthetic_rpps_like() -> None:
    # given the packaged fixture, then it names its provenance and every idNat is 8 + 11 digits with a Luhn key
    data = json.loads(default_professionals_file().read_text(encoding="utf-8"))
    assert {"claims", "synthetic", "codes"} <= set(data["_provenance"])
    base = ProfessionalBase.load()
    assert len(base) >= 5
    for professional in base:
        assert professional.id_nat.startswith("8999") and len(professional.id_nat) == 12
        assert luhn_valid(professional.id_nat[1:])
        assert professional.family_name.startswith("ESSAI-")


def test_userinfo_claims_have_the_psc_structure() -> None:
    professional = ProfessionalBase.load().find("medecin-deux-activites")
    assert professional is not None
    claims = professional.userinfo()
    assert claims["SubjectNameID"] == claims["preferred_username"] == professional.id_nat
    assert claims["sub"] == f"f:{professional.uuid}:{professional.id_nat}"
    exercice = claims["SubjectRefPro"]["exercices"][0]
    assert exercice["codeProfession"] == "10" and len(exercice["activities"]) == 2
    assert exercice["activities"][1]["codeSecteurDactivite"] == "SA41"
    assert claims["SubjectRole"] == ["10^1.2.250.1.213.1.1.5.5"]
    assert claims["Secteur_Activite"] == "SA07^1.2.250.1.71.4.2.4"
    assert claims["Palier_Authentification"] == "APPPRIP3^1.2.250.1.213.1.5.1.1.1"


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"id": "x", "id_nat": "899900000012", "family_name": "A", "given_name": "B"}, "Luhn"),
        ({"id": "x", "id_nat": "10001234567", "family_name": "A", "given_name": "B"}, "is not '8'"),
        ({"id": "x", "id_nat": "899900000011", "given_name": "B"}, "missing family_name"),
        ({"id": "x", "id_nat": "899900000086", "family_name": "A", "given_name": "B", "exercices": "10"}, "exercices"),
    ],
)
def test_bad_professional_entries_are_refused(entry: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ProfessionalBase().add(entry)


def test_control_api_selects_and_registers(psc_sim: PscSimulator, http: requests.Session) -> None:
    try:
        # when a professional is selected by its fixture id, then the state shows its idNat
        state = http.patch(
            f"{psc_sim.url}/_harness/state", json={"next_professional": "kine-liberal"}, timeout=5
        ).json()
        assert state["next_professional"] == "899900000052"
        # and new client registrations replace the default one
        clients = [{"client_id": "editor-dui", "client_secret": "s3cret", "redirect_uris": ["https://dui.test/cb"]}]
        state = http.patch(f"{psc_sim.url}/_harness/state", json={"clients": clients}, timeout=5).json()
        assert [c["client_id"] for c in state["clients"]] == ["editor-dui"]
        assert "s3cret" not in json.dumps(state)  # the secret is never returned in clear (issue 17)
        assert psc_sim.endpoint_details()["client_id"] == "editor-dui"
    finally:
        psc_sim.reset()
    assert psc_sim.state()["next_professional"] is None


@pytest.mark.parametrize(
    "body, message",
    [
        ({"next_professional": "800000000000"}, "no test professional"),
        ({"colour": "blue"}, "unknown PSC state keys"),
        ({"clients": []}, "non-empty list"),
        ({"clients": [{"client_id": "a", "client_secret": "b", "redirect_uris": ["dui.test/cb"]}]}, "absolute http"),
        ({"code_lifetime": -1}, "positive"),
        (
            {"add_professionals": [{"id": "dup", "id_nat": "899900000011", "family_name": "A", "given_name": "B"}]},
            "already exists",
        ),
    ],
)
def test_bad_state_changes_are_refused(
    psc_sim: PscSimulator, http: requests.Session, body: dict[str, object], message: str
) -> None:
    before = psc_sim.state()
    answer = http.patch(f"{psc_sim.url}/_harness/state", json=body, timeout=5)
    assert answer.status_code == 400
    assert message in answer.json()["error"]
    assert psc_sim.state() == before


@pytest.mark.parametrize(
    "fault, message",
    [
        ({"kind": "expired", "operation": "userinfo"}, "applies to the token operation"),
        ({"kind": "wrong_state", "operation": "nowhere"}, "unknown PSC operation"),
        ({"kind": "teapot"}, "unknown fault kind"),
    ],
)
def test_bad_faults_are_refused(
    psc_sim: PscSimulator, http: requests.Session, fault: dict[str, object], message: str
) -> None:
    answer = http.post(f"{psc_sim.url}/_harness/faults", json=fault, timeout=5)
    assert answer.status_code == 400 and message in answer.json()["error"]


def test_token_faults_target_the_token_operation(psc_sim: PscSimulator, http: requests.Session) -> None:
    answer = http.post(f"{psc_sim.url}/_harness/faults", json={"kind": "wrong_nonce"}, timeout=5)
    assert answer.status_code == 201 and answer.json()["operation"] == "token"
    psc_sim.faults.clear()


def test_declared_redirect_uris_are_registered(psc_sim: PscSimulator, http: requests.Session) -> None:
    # given an editor's DUI that declares its own callback, when the harness registers it
    try:
        psc_sim.register_redirect_uris(["https://dui.editor.test/oidc/psc"])
        client = psc_sim.realm.client("dui-harness-dui")
        assert client is not None and client.allows_redirect("https://dui.editor.test/oidc/psc")
        assert client.allows_redirect("http://127.0.0.1:1234/harness/v1/psc/callback")  # the defaults stay
        with pytest.raises(ValueError, match="absolute http"):
            psc_sim.register_redirect_uris(["not a uri"])
        with pytest.raises(ValueError, match="no client"):
            psc_sim.register_redirect_uris(["https://x.test/cb"], client_id="nobody")
    finally:
        psc_sim.reset()
    client = psc_sim.realm.client("dui-harness-dui")
    assert client is not None and not client.allows_redirect("https://dui.editor.test/oidc/psc")
