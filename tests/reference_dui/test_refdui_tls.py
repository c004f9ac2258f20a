"""Mutual TLS between the reference DUI and an HTTPS INSi stub (test PKI of harness.pki)."""

from __future__ import annotations

from pathlib import Path

from harness.pki import TestPki
from tests.reference_dui.refdui_stub import DuiFactory, InsiStub, found

ADRUN = found("2751263220749", "74", name="ADRUN", first_names=["ZOE"], sex="F", date="1975-12-31")


def test_mutual_tls_with_insi_auto(make_dui: DuiFactory, tls_stub: InsiStub, tls_config: dict[str, Path]) -> None:
    assert tls_stub.url.startswith("https://127.0.0.1:")
    _, api = make_dui(insi_url=tls_stub.url, **tls_config)
    tls_stub.queue(ADRUN)
    pid = api.create("ADRUN", ["ZOE"])
    assert api.lookup(pid)["outcome"] == "found"
    subject = tls_stub.requests[0].client_subject or ""
    assert "CN=INSI-AUTO" in subject.split(",")


def test_configured_by_put_endpoints(make_dui: DuiFactory, tls_stub: InsiStub, pki: TestPki) -> None:
    _, api = make_dui()
    cert, key = pki.client("client-insi-manu")
    body = {"insi": {"url": tls_stub.url, "client_cert": str(cert), "client_key": str(key), "ca": str(pki.ca_cert)}}
    assert api.call("PUT", "/config/endpoints", json=body).status_code == 204
    tls_stub.queue(ADRUN)
    assert api.lookup(api.create("ADRUN", ["ZOE"]))["outcome"] == "found"
    assert "CN=INSI-MANU" in (tls_stub.requests[0].client_subject or "")


def test_untrusted_server_is_an_error_not_a_loss(
    make_dui: DuiFactory, tls_stub: InsiStub, tls_config: dict[str, Path]
) -> None:
    _, api = make_dui(insi_url=tls_stub.url, **{**tls_config, "ca_cert": None})
    pid = api.create("ADRUN", ["ZOE"])
    outcome = api.lookup(pid)
    assert outcome["outcome"] == "error" and "TLS" in outcome["message"]
    assert not tls_stub.requests
    assert api.identity(pid)["status"] == "PROV"  # type: ignore[index]


def test_wrong_cert_cn_without_pki_sends_no_certificate(
    make_dui: DuiFactory, tls_stub: InsiStub, tls_config: dict[str, Path]
) -> None:
    _, api = make_dui(insi_url=tls_stub.url, defects=("wrong_cert_cn",), **{**tls_config, "pki_dir": None})
    api.lookup(api.create("ADRUN", ["ZOE"]))
    assert tls_stub.requests[0].client_subject is None
