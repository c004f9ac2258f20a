"""The reference DUI's authentication of the MSSanté operator (reference_dui.mssante.tls_policy)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from harness.core.recorder import Recorder
from harness.pki import TestPki, ensure_pki
from harness.pki_servers import BadServers, generate_bad_servers
from mocks.mssante.crl import CrlDistribution
from reference_dui.mssante.mail import MailSettings
from reference_dui.mssante.tls_policy import NO_CHECK_TIME, CrlCache, CrlUnavailable, with_security_defects


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return ensure_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def servers(pki: TestPki, tmp_path_factory: pytest.TempPathFactory) -> BadServers:
    return generate_bad_servers(pki, Path(tmp_path_factory.mktemp("bad")))


@pytest.fixture
def crl(servers: BadServers) -> Iterator[CrlDistribution]:
    with CrlDistribution(Recorder(), servers.crl_der.read_bytes()) as point:
        assert isinstance(point, CrlDistribution)
        yield point


@pytest.fixture
def cache() -> Iterator[CrlCache]:
    crls = CrlCache()
    yield crls
    crls.close()


def test_the_last_valid_crl_is_kept_when_the_distribution_point_fails(
    crl: CrlDistribution, cache: CrlCache, pki: TestPki
) -> None:
    # given a CRL fetched while the distribution point was up
    first = cache.current(crl.crl_url, pki.ca_cert, 5).read_bytes()
    # when it goes down
    crl.available = False
    # then the kept CRL is used, unless the client keeps none
    assert cache.current(crl.crl_url, pki.ca_cert, 5).read_bytes() == first
    with pytest.raises(CrlUnavailable):
        cache.current(crl.crl_url, pki.ca_cert, 5, keep=False)


def test_without_any_valid_crl_the_client_does_not_connect(
    crl: CrlDistribution, cache: CrlCache, pki: TestPki, servers: BadServers
) -> None:
    crl.available = False
    with pytest.raises(CrlUnavailable):
        cache.current(crl.crl_url, pki.ca_cert, 5)
    crl.available = True  # a CRL signed by another CA is not a valid CRL of the operators' CA
    with pytest.raises(CrlUnavailable):
        cache.current(crl.crl_url, servers.other_ca, 5)


def test_a_crl_over_https_or_another_scheme_is_refused(cache: CrlCache, pki: TestPki) -> None:
    with pytest.raises(CrlUnavailable, match="http://"):
        cache.current("file:///etc/passwd", pki.ca_cert, 5)


def test_each_defect_switch_weakens_one_check(pki: TestPki, cache: CrlCache) -> None:
    settings = MailSettings("127.0.0.1", 1, 2, "dui@test", ca=pki.ca_cert)
    clean = with_security_defects(settings, lambda _name: False, cache)
    assert (clean.trust_any, clean.check_time, clean.check_crl, clean.keep_crl, clean.weak_tls) == (
        False,
        True,
        True,
        True,
        False,
    )
    assert clean.context().minimum_version.name == "TLSv1_2"
    assert not clean.context().verify_flags & NO_CHECK_TIME
    for switch, field, value in [
        ("mss_trust_any_ca", "trust_any", True),
        ("mss_accept_expired_cert", "check_time", False),
        ("mss_ignore_crl", "check_crl", False),
        ("mss_no_crl_cache", "keep_crl", False),
        ("mss_accept_weak_tls", "weak_tls", True),
    ]:
        bent = with_security_defects(settings, lambda name, on=switch: name == on, cache)  # type: ignore[misc]
        assert getattr(bent, field) is value
        assert replace(bent, **{field: getattr(clean, field)}) == clean, switch
    assert (
        with_security_defects(settings, lambda name: name == "mss_accept_expired_cert", cache).context().verify_flags
        & NO_CHECK_TIME
    )
