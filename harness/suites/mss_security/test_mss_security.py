"""## Requirements
SC.MSS/va1.04 (ECO.1.1.5): the DUI refuses an operator whose certificate is expired.
SC.MSS/va1.05 (ECO.1.1.6): the DUI refuses an operator whose certificate is revoked (CRL).
SC.MSS/CONF.03: the DUI negotiates only TLS 1.2+ with the listed suites and DH >= 2048 /
ECDH >= 256-bit groups, and rejects an operator offering less.
SC.MSS/CONF.22 (ECO.1.1.7): the DUI keeps the last valid CRL, so that an outage of the
distribution point neither stops its mail nor lets a revoked operator in.
MSS-TLS12-01 (SC.MSS/CONF.01): the DUI reaches a sound operator that offers TLS 1.2 only.

ANS test-case family: ``MSS-LPS-SEGUR-GEN`` (TLS connection to the API LPS).

## Dependencies
A DUI that accepts ``PUT /config/endpoints`` (the reference DUI, or ``--free-ports``) and
whose MSSanté client takes the ``crl_url`` of its ``mssante`` entry (or the leaves' CRL
distribution point); otherwise the tests are skipped (input not provided). SC.MSS/CONF.22
is judged only for a DUI that fetched the CRL (one using OCSP is not concerned) and is
blocked by SC.MSS/va1.05 when the DUI let a revoked operator in while the CRL was available.

## Methodology
The harness generates, for the run, server certificates of its test CA (valid, expired,
revoked) and a CRL listing the revoked one, served over HTTP on loopback. One operator
simulator after another presents them, or a weak TLS configuration (TLS 1.0/1.1 only, an
AES-CBC-SHA1 suite, static RSA key exchange, a 224-bit ECDH group, a 1024-bit DH group);
each time the DUI is asked to send a document. A refusal is what is expected: the operator
records no SMTP transaction (a failed handshake is recorded, the trigger API reports the
failure). An SMTP transaction with a bad operator is a non-conformity. The sound operator
comes first: if the DUI cannot send through it, the refusals prove nothing and are not judged.
Then the CRL distribution point answers 503: the DUI must still send through the sound
operator and still refuse the revoked one.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Blocked, Finding, NonConformity
from harness.plugin.evidence import Scenario
from harness.suites.mss_security.operators import SCENARIOS, WEAK_TLS, reported_failure, sent, smtp_exchanges

EXPIRED = "SC.MSS/va1.04"
REVOKED = "SC.MSS/va1.05"
WEAK = "SC.MSS/CONF.03"
CRL_KEPT = "SC.MSS/CONF.22"
TLS12 = "MSS-TLS12-01"


def _refused(scenario: Scenario, requirement: str, what: str) -> None:
    """Pass when the DUI refused the operator; fail when it talked SMTP to it; skip when it did nothing."""
    smtp = smtp_exchanges(scenario)
    if smtp:
        raise NonConformity(
            f"the DUI talked SMTP to an operator presenting {what}",
            [
                Finding(
                    f"mss.tls.{scenario.data['case']}_accepted",
                    requirement,
                    f"the operator presented {what} ({scenario.data['certificate']}, TLS profile "
                    f"{scenario.data['tls_profile']}); the DUI went on with the SMTP session instead of refusing the "
                    "TLS "
                    "handshake",
                    location="TLS server certificate / TLS handshake",
                    evidence=tuple(f"exchange {e.id}" for e in smtp),
                )
            ],
        )
    if not reported_failure(scenario.data.get("outcome")) and not any(
        e.transaction == "TLS" for e in scenario.exchanges
    ):
        pytest.skip(
            f"the DUI did not connect to the operator (trigger API answer: {scenario.data.get('outcome')}): "
            "nothing to judge"
        )


@pytest.mark.requirement(EXPIRED)
@pytest.mark.parametrize("bad_operator", ["expired"], indirect=True)
def test_an_expired_operator_certificate_is_refused(bad_operator: Scenario) -> None:
    """The DUI refuses the TLS session of an operator whose certificate's validity has ended."""
    _refused(bad_operator, EXPIRED, "an expired certificate")


@pytest.mark.requirement(REVOKED)
@pytest.mark.parametrize("bad_operator", ["revoked"], indirect=True)
def test_a_revoked_operator_certificate_is_refused(bad_operator: Scenario) -> None:
    """The DUI refuses an operator whose certificate the CA's CRL lists as revoked."""
    _refused(bad_operator, REVOKED, "a certificate its CA revoked (CRL)")


@pytest.mark.requirement(WEAK)
@pytest.mark.parametrize("bad_operator", WEAK_TLS, indirect=True)
def test_weak_tls_is_refused(bad_operator: Scenario) -> None:
    """The DUI refuses an operator offering only a protocol, suite or group that SC.MSS/CONF.03 excludes."""
    _refused(bad_operator, WEAK, SCENARIOS[bad_operator.data["case"]].title)


@pytest.mark.requirement(CRL_KEPT)
def test_the_last_valid_crl_is_kept_when_the_distribution_point_fails(crl_outage: Scenario) -> None:
    """With the CRL distribution point down, the DUI still sends through a sound operator (the kept CRL)
    and still refuses the revoked one."""
    data = crl_outage.data
    if not data["crl_fetched_before"]:
        pytest.skip(
            "the DUI never fetched the CRL (revocation by OCSP, or not checked — see SC.MSS/va1.05): "
            "keeping the last CRL is not judged"
        )
    if not data["sent_through_valid"]:
        raise NonConformity(
            "the DUI stopped sending when the CRL distribution point failed",
            [
                Finding(
                    "mss.crl.not_kept",
                    CRL_KEPT,
                    f"the DUI had fetched a valid CRL (exchanges {', '.join(data['crl_fetched_before'])}), then the "
                    "distribution point answered 503 and the DUI did not send through the sound operator (trigger API "
                    f"answer: {data['valid'].get('outcome')}): it did not use the last valid CRL",
                    location="CRL distribution point",
                    evidence=tuple(f"exchange {e.id}" for e in crl_outage.exchanges),
                )
            ],
        )
    if data["revoked_smtp"]:
        if data["revoked_accepted_with_crl"]:
            raise Blocked("the DUI let the revoked operator in even with the CRL available", (REVOKED,))
        raise NonConformity(
            "the DUI let a revoked operator in when the CRL distribution point failed",
            [
                Finding(
                    "mss.crl.fail_open",
                    CRL_KEPT,
                    "with the distribution point down the DUI accepted the revoked certificate it refused while the "
                    "CRL "
                    "was available: it did not check it against the last valid CRL",
                    location="TLS server certificate",
                    evidence=tuple(f"exchange {e}" for e in data["revoked_smtp"]),
                )
            ],
        )


@pytest.mark.requirement(TLS12)
@pytest.mark.parametrize("bad_operator", ["tls12"], indirect=True)
def test_an_operator_offering_tls_1_2_only_is_reached(bad_operator: Scenario) -> None:
    """SC.MSS/CONF.01: a sound operator that offers TLS 1.2 only (the listed suites) gets the DUI's message."""
    handshakes = [e for e in bad_operator.exchanges if e.transaction == "TLS"]
    if not sent(bad_operator):
        raise NonConformity(
            "the DUI could not reach an operator offering TLS 1.2 only",
            [
                Finding(
                    "mss.tls.tls12_refused",
                    TLS12,
                    "the operator offered TLS 1.2 with the SC.MSS/CONF.03 suites (a sound operator, the version the "
                    "requirement names as the minimum) and the DUI sent nothing through it "
                    f"(trigger API answer: {str(bad_operator.data.get('outcome'))[:300]})",
                    location="TLS handshake",
                    evidence=tuple(f"exchange {e.id}" for e in handshakes),
                )
            ],
        )
