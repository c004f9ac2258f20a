"""Mailbox autoconfiguration in the reference DUI (SC.MSS/CONF.04), then a connection test.

From the mailbox address, the DUI reads the operator's autoconfiguration document
(Thunderbird's ``clientConfig`` format, ``<base>/mail/config-v1.1.xml?emailaddress=<address>``;
on the bench the base URL is given in the request, ``https://autoconfig.<domain>`` otherwise),
takes the IMAP and SMTP servers it announces, then opens each of them (TLS as announced,
authentication with the mailbox's credentials when they are the configured mailbox's). Its own
code, not the harness's.
"""

from __future__ import annotations

import imaplib
import smtplib
import ssl
import urllib.parse
import urllib.request
from collections.abc import Set
from dataclasses import dataclass, replace
from typing import Any

from lxml import etree

from reference_dui.mssante.mail import MailSettings

__all__ = ["ServerConfig", "autoconfigure", "connection_test", "read_config"]

MAX_DOCUMENT = 256 * 1024


@dataclass(frozen=True)
class ServerConfig:
    hostname: str
    port: int
    socket_type: str  # SSL, STARTTLS, plain

    def as_dict(self) -> dict[str, Any]:
        return {"hostname": self.hostname, "port": self.port, "socket_type": self.socket_type}


def read_config(data: bytes) -> tuple[ServerConfig, ServerConfig]:
    """The IMAP and SMTP servers of an autoconfiguration document.

    Raises:
        ValueError: not a clientConfig with an IMAP and an SMTP server.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"autoconfiguration document unreadable: {exc}") from exc

    def server(path: str) -> ServerConfig:
        found = root.find(path)
        if found is None:
            raise ValueError(f"autoconfiguration document without {path}")
        port = (found.findtext("port") or "").strip()
        if not port.isdigit():
            raise ValueError(f"{path}: port {port!r} is not a number")
        return ServerConfig(
            (found.findtext("hostname") or "").strip(), int(port), (found.findtext("socketType") or "").strip()
        )

    if root.tag != "clientConfig":
        raise ValueError(f"not a clientConfig document: {root.tag}")
    return server("emailProvider/incomingServer[@type='imap']"), server("emailProvider/outgoingServer[@type='smtp']")


def _fetch(base_url: str, address: str, settings: MailSettings) -> bytes:
    url = f"{base_url.rstrip('/')}/mail/config-v1.1.xml?{urllib.parse.urlencode({'emailaddress': address})}"
    context = ssl.create_default_context(cafile=str(settings.ca) if settings.ca else None)
    with urllib.request.urlopen(url, timeout=settings.timeout, context=context) as answer:
        data: bytes = answer.read(MAX_DOCUMENT + 1)
    if len(data) > MAX_DOCUMENT:
        raise ValueError("autoconfiguration document larger than expected")
    return data


def connection_test(settings: MailSettings, imap: ServerConfig, smtp: ServerConfig, own: bool) -> dict[str, Any]:
    """Open the IMAP and the SMTP server as configured; log in when ``own`` (the configured mailbox's credentials)."""
    context = settings.context()
    result: dict[str, Any] = {"imap": False, "smtp": False, "error": None}
    try:
        client: imaplib.IMAP4 = (
            imaplib.IMAP4_SSL(imap.hostname, imap.port, ssl_context=context, timeout=settings.timeout)
            if imap.socket_type == "SSL"
            else imaplib.IMAP4(imap.hostname, imap.port, timeout=settings.timeout)
        )
        try:
            if imap.socket_type == "STARTTLS":
                client.starttls(ssl_context=context)
            if own and settings.password:
                client.login(settings.address, settings.password)
            result["imap"] = True
        finally:
            client.logout()
        smtp_class = smtplib.SMTP_SSL if smtp.socket_type == "SSL" else smtplib.SMTP
        kwargs: dict[str, Any] = {"context": context} if smtp.socket_type == "SSL" else {}
        with smtp_class(smtp.hostname, smtp.port, timeout=settings.timeout, **kwargs) as session:
            session.ehlo("dui-reference.test")
            if smtp.socket_type == "STARTTLS":
                session.starttls(context=context)
                session.ehlo("dui-reference.test")
            if own and settings.password:
                session.login(settings.address, settings.password)
            result["smtp"] = True
    except (OSError, imaplib.IMAP4.error, smtplib.SMTPException) as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"
    return result


def autoconfigure(data: Any, settings: MailSettings, defects: Set[str]) -> dict[str, Any]:
    """``POST /mss/autoconfig`` ``{address, autoconfig_url}``: fetch, configure, test."""
    if not isinstance(data, dict) or not isinstance(data.get("address"), str) or "@" not in data["address"]:
        raise ValueError("the body must be {address, autoconfig_url?}")
    address = data["address"].strip()
    base = data.get("autoconfig_url") or f"https://autoconfig.{address.rpartition('@')[2]}"
    if "mss_autoconfig_ignored" in defects:  # keeps its built-in servers, never reads the document
        imap = ServerConfig(settings.host, settings.imap_port, "STARTTLS" if settings.tls else "plain")
        smtp = ServerConfig(settings.host, settings.smtp_port, "STARTTLS" if settings.tls else "plain")
        source = "built-in"
    else:
        imap, smtp = read_config(_fetch(str(base), address, settings))
        source = "autoconfig"
    answer: dict[str, Any] = {
        "address": address,
        "source": source,
        "incoming": imap.as_dict(),
        "outgoing": smtp.as_dict(),
        "connection_test": None,
    }
    if "mss_autoconfig_no_test" not in defects:
        own = address.lower() == settings.address.lower()
        answer["connection_test"] = connection_test(replace(settings, host=imap.hostname), imap, smtp, own)
    return answer
