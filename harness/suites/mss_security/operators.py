"""The operators of the security scenarios, played in order against the DUI.

Each scenario starts one MSSanté operator simulator with the certificate and the TLS profile
of :data:`SCENARIOS`, points the DUI at it (``PUT /config/endpoints``, with the CRL address),
asks it to send one document to a professional, and keeps what was recorded: SMTP
transactions, failed TLS handshakes, CRL fetches, and the trigger API's answer. The order
matters: the DUI fetches the CRL while it is available (``valid``, ``revoked``), then the
distribution point goes down for the two ``crl-down-*`` scenarios (SC.MSS/CONF.22).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.core.recorder import Exchange, Recorder
from harness.errors import HarnessError
from harness.pki import TestPki
from harness.pki_servers import BadServers
from harness.plugin.evidence import Scenario
from harness.sut.driver import SutDriver
from mocks.common.server import TlsSettings
from mocks.mssante import DUI_CERTIFICATE, MssSimulator
from mocks.mssante.crl import CrlDistribution
from mocks.mssante.server_tls import server_tls

__all__ = ["SCENARIOS", "OperatorCase", "play", "reported_failure", "smtp_exchanges"]

SERVICE = "MSS"
RECIPIENT = "jean.medecin-essai@chu-essai.mssante.fr"


@dataclass(frozen=True)
class OperatorCase:
    """One operator the DUI meets: its certificate, TLS profile, CRL availability, and what the DUI must do."""

    certificate: str
    profile: str
    crl_available: bool
    must_send: bool
    title: str


SCENARIOS: dict[str, OperatorCase] = {
    "valid": OperatorCase("server-valid", "sound", True, True, "opérateur valide / sound operator"),
    "tls12": OperatorCase("server-valid", "tls12", True, True, "TLS 1.2 seulement / TLS 1.2 only"),
    "expired": OperatorCase("server-expired", "sound", True, False, "certificat expiré / expired certificate"),
    "revoked": OperatorCase("server-revoked", "sound", True, False, "certificat révoqué / revoked certificate"),
    "tls10": OperatorCase("server-valid", "tls10", True, False, "TLS 1.0 et 1.1 seulement / TLS 1.0 and 1.1 only"),
    "weak-cipher": OperatorCase(
        "server-valid", "weak-cipher", True, False, "suite hors liste (AES-CBC-SHA1) / suite off the list"
    ),
    "static-rsa": OperatorCase(
        "server-rsa", "static-rsa", True, False, "échange de clé RSA statique / static RSA key exchange"
    ),
    "weak-ecdh": OperatorCase("server-valid", "weak-ecdh", True, False, "groupe ECDH de 224 bits / 224-bit ECDH group"),
    "weak-dh": OperatorCase("server-rsa", "weak-dh", True, False, "groupe DH de 1024 bits / 1024-bit DH group"),
    "crl-down-valid": OperatorCase(
        "server-valid", "sound", False, True, "CRL indisponible, certificat valide / CRL down, valid certificate"
    ),
    "crl-down-revoked": OperatorCase(
        "server-revoked", "sound", False, False, "CRL indisponible, certificat révoqué / CRL down, revoked certificate"
    ),
}
WEAK_TLS = ("tls10", "weak-cipher", "static-rsa", "weak-ecdh", "weak-dh")


def reported_failure(outcome: object) -> bool:
    """Whether the trigger API's answer says the DUI could not send (status error, or an error raised)."""
    return isinstance(outcome, dict) and (outcome.get("status") in ("error", "failed") or "error" in outcome)


def smtp_exchanges(scenario: Scenario) -> list[Exchange]:
    return [e for e in scenario.exchanges if e.transaction == "SMTP"]


def sent(scenario: Scenario) -> bool:
    """An SMTP transaction the operator accepted (250)."""
    return any(str(e.summary.get("reply", "")).startswith("250") for e in smtp_exchanges(scenario))


def play(
    name: str,
    *,
    sut: SutDriver,
    recorder: Recorder,
    pki: TestPki,
    servers: BadServers,
    crl: CrlDistribution,
    person_id: str,
    endpoints: dict[str, Any],
    timeout: float,
) -> Scenario:
    """Point the DUI at the operator of scenario ``name``, ask it to send, and record what happened."""
    case = SCENARIOS[name]
    cert, key = servers.server(case.certificate)
    crl.available = case.crl_available
    sim = MssSimulator(
        recorder,
        tls=TlsSettings(cert, key, client_ca=pki.ca_cert),
        server_tls=server_tls(case.profile, cert, key, pki.ca_cert),
        dui_certificate=pki.client(DUI_CERTIFICATE),
        crl_url=crl.crl_url,
    ).start()
    try:
        entries = {**endpoints, "mssante": {**endpoints.get("mssante", {}), "url": sim.url, **sim.endpoint_details()}}
        since = recorder.mark()
        if not sut.configure_endpoints(entries):
            return Scenario(name=case.title, person_id=person_id, data={"case": name, "configurable": False})
        try:
            outcome: object = sut.mss_send(
                person_id, "professional", address=RECIPIENT, acknowledgement=False, visible_to_patient=True
            )
        except (HarnessError, AssertionError) as exc:  # a DUI reporting that it could not send is expected
            outcome = {"error": str(exc)[:500]}
        # a DUI that queues its mail gets a moment to send it; a refusal, the moment its handshake is recorded
        recorder.wait_for(
            lambda found: any(e.transaction in ("SMTP", "TLS") for e in found),
            service=SERVICE,
            since=since,
            timeout=1.0 if reported_failure(outcome) else timeout,
        )
        return Scenario(
            name=f"MSSanté sécurité / security: {case.title}",
            person_id=person_id,
            exchanges=recorder.exchanges(service=SERVICE, since=since),
            data={
                "case": name,
                "configurable": True,
                "certificate": case.certificate,
                "tls_profile": case.profile,
                "crl_available": case.crl_available,
                "outcome": outcome,
            },
        )
    finally:
        sim.stop()
