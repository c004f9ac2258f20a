"""Mailbox autoconfiguration served by the simulated operator (SC.MSS/CONF.04, ECO.1.1.9).

SC.MSS/CONF.04: from the address of the mailbox to configure, the DUI reads the operator's
autoconfiguration document ``https://autoconfig.<domain>/mail/config-v1.1.xml``, configures the
API LPS parameters it gives, then runs a connection test. The document follows Thunderbird's
autoconfiguration format (``clientConfig version="1.1"``: ``emailProvider`` with its domains,
``incomingServer type="imap"`` and ``outgoingServer type="smtp"``, each with ``hostname``,
``port``, ``socketType`` ``SSL``/``STARTTLS``/``plain``, ``username`` ``%EMAILADDRESS%`` and
``authentication``).

Modelled on loopback (assumption, stated in the README): ``autoconfig.<domain>`` cannot be
resolved on the bench, so the DUI is given the operator's base URL (the simulator's control
URL) and asks ``<base>/mail/config-v1.1.xml?emailaddress=<address>``, the query Thunderbird
adds; the domain is taken from that address. An address of a domain the operator does not
serve gets 404. The document announces the implicit-TLS listeners (IMAPS, SMTPS) when the
operator has them, so a DUI that uses the document is told apart from one that keeps the
STARTTLS ports of its ``mssante`` endpoint entry. Authentication is announced per mailbox
kind: ``OAuth2`` (Pro Santé Connect) for personal and organisational mailboxes,
``TLS-client-cert`` for an application mailbox.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from mocks.common.pipeline import Answer, Call

if TYPE_CHECKING:
    from mocks.mssante.app import MssSimulator

__all__ = ["AUTOCONFIG_PATH", "TRANSACTION", "autoconfig_answer", "autoconfig_document"]

AUTOCONFIG_PATH = "/mail/config-v1.1.xml"
TRANSACTION = "AUTOCONFIG"
AUTHENTICATION = {"personal": "OAuth2", "organisational": "OAuth2", "applicative": "TLS-client-cert"}


def _server(tag: str, kind: str, host: str, port: int, socket_type: str, authentication: str) -> str:
    return (
        f'    <{tag} type="{kind}">\n'
        f"      <hostname>{escape(host)}</hostname>\n"
        f"      <port>{port}</port>\n"
        f"      <socketType>{socket_type}</socketType>\n"
        "      <username>%EMAILADDRESS%</username>\n"
        f"      <authentication>{authentication}</authentication>\n"
        f"    </{tag}>\n"
    )


def autoconfig_document(sim: MssSimulator, address: str) -> bytes | None:
    """The autoconfiguration document for ``address``, or None when no mailbox of its domain is served."""
    domain = address.rpartition("@")[2].strip().lower()
    accounts = [a for a in sim.directory.accounts.values() if a.address.lower().endswith(f"@{domain}")]
    if not domain or not accounts or not sim.ports:
        return None
    own = sim.directory.accounts.get(address.strip().lower())
    authentication = AUTHENTICATION.get(own.kind if own else "", "password-cleartext")
    if sim.mail_tls is None:
        imap, smtp = (sim.ports["imap"], "plain"), (sim.ports["submission"], "plain")
    elif "imaps" in sim.ports and "smtps" in sim.ports:
        imap, smtp = (sim.ports["imaps"], "SSL"), (sim.ports["smtps"], "SSL")
    else:
        imap, smtp = (sim.ports["imap"], "STARTTLS"), (sim.ports["submission"], "STARTTLS")
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<clientConfig version="1.1">\n'
        f'  <emailProvider id="{escape(domain)}">\n'
        f"    <domain>{escape(domain)}</domain>\n"
        "    <displayName>Opérateur MSSanté simulé (dui-harness)</displayName>\n"
        "    <displayShortName>MSSanté (essai)</displayShortName>\n"
        + _server("incomingServer", "imap", "127.0.0.1", imap[0], imap[1], authentication)
        + _server("outgoingServer", "smtp", "127.0.0.1", smtp[0], smtp[1], authentication)
        + "  </emailProvider>\n</clientConfig>\n"
    )
    return text.encode("utf-8")


def autoconfig_answer(sim: MssSimulator, call: Call) -> Answer:
    """``GET /mail/config-v1.1.xml?emailaddress=<address>``: the document, recorded ``AUTOCONFIG``."""
    address = call.request.query_params.get("emailaddress", "")
    summary = {"emailaddress": address, "domain": address.rpartition("@")[2].lower()}
    document = autoconfig_document(sim, address) if "@" in address else None
    if document is None:
        text = (
            f"aucune autoconfiguration pour « {address} » (donnez ?emailaddress= d'un domaine servi) / "
            f"no autoconfiguration for {address!r} (give ?emailaddress= of a domain this operator serves)\n"
        )
        return Answer(404, text.encode("utf-8"), transaction=TRANSACTION, summary={**summary, "served": False})
    return Answer(
        200, document, content_type="application/xml", transaction=TRANSACTION, summary={**summary, "served": True}
    )
