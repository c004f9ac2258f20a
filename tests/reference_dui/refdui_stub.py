"""A tiny INSi stub for the reference DUI's own tests (not ``mocks.insi``).

It answers ``POST /lps`` with canned replies shaped like the CNAM fixtures (TEST_2.04_cas2,
REP_CR01, TEST_2.05, FAULT_siram_100_desir_550), queued per test, and records each request
with the client certificate subject seen by the TLS layer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import requests
from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mocks.common.server import SimulatorServer, TlsSettings

if TYPE_CHECKING:
    from reference_dui import ReferenceDui

NS = {
    "soap": "http://www.w3.org/2003/05/soap-envelope",
    "ctxbam": "urn:siram:bam:ctxbam",
    "ctxlps": "urn:siram:lps:ctxlps",
    "wsa": "http://www.w3.org/2005/08/addressing",
    "rec": "http://www.cnamts.fr/INSiRecSans",
}
OID_NIR = "1.2.250.1.213.1.4.8"
OID_NIA = "1.2.250.1.213.1.4.9"
SOAP_CT = "application/soap+xml; charset=utf-8"

_ENVELOPE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope">'
    '<S:Body xmlns:S="http://www.w3.org/2003/05/soap-envelope">'
    '<RESULTAT xmlns:ns3="http://www.cnamts.fr/INSiRecVit" xmlns:ns2="http://www.cnamts.fr/INSiRecSans"'
    ' xmlns="http://www.cnamts.fr/INSiResultat">{inner}</RESULTAT></S:Body></soap:Envelope>'
)
FAULT_550 = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><env:Body'
    ' xmlns:env="http://www.w3.org/2003/05/soap-envelope"><soap:Fault><soap:Code><soap:Value>soap:Sender'
    "</soap:Value><soap:Subcode><soap:Value>soap:siram_100</soap:Value></soap:Subcode></soap:Code>"
    "<soap:Reason><soap:Text xml:lang=\"fr\">L'accès par ce progiciel au service n'est pas autorisé."
    '</soap:Text></soap:Reason><soap:Detail><siram:Erreur code="desir_550"'
    ' messageID="uuid:b3549edd-4ae9-472a-b26f-fd2fb4ef397f" severite="erreur" xmlns:siram="urn:siram">'
    "Numéro d'autorisation du logiciel inconnu.</siram:Erreur></soap:Detail></soap:Fault></env:Body>"
    "</soap:Envelope>"
).encode()


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str = SOAP_CT
    delay: float = 0.0


def cr(code: str, label: str = "Aucune identite trouvee") -> Reply:
    inner = f"<CR><CodeCR>{code}</CodeCR><LibelleCR>{label}</LibelleCR></CR>"
    return Reply(200, _ENVELOPE.format(inner=inner).encode())


def _ins(tag: str, nir: str, key: str, oid: str) -> str:
    return (
        f"<{tag}><IdIndividu><NumIdentifiant>{nir}</NumIdentifiant><Cle>{key}</Cle></IdIndividu>"
        f"<OID>{oid}</OID></{tag}>"
    )


def found(
    nir: str,
    key: str,
    *,
    oid: str = OID_NIR,
    name: str,
    first_names: list[str],
    sex: str,
    date: str,
    place: str | None = None,
    history: tuple[tuple[str, str], ...] = (),
) -> Reply:
    """A CR 00 RESULTAT with INSACTIF, INSHISTO (same OID) and TIQ."""
    tiq = (
        f"<TIQ><NomNaissance>{name}</NomNaissance><Prenom>{first_names[0]}</Prenom>"
        f"<ListePrenom>{' '.join(first_names)}</ListePrenom><Sexe>{sex}</Sexe>"
        f"<DateNaissance>{date}</DateNaissance>"
        + (f"<LieuNaissance>{place}</LieuNaissance>" if place else "")
        + "</TIQ>"
    )
    histo = "".join(_ins("INSHISTO", n, k, oid) for n, k in history)
    inner = (
        "<CR><CodeCR>00</CodeCR><LibelleCR>OK</LibelleCR></CR><INDIVIDU>"
        + _ins("INSACTIF", nir, key, oid)
        + histo
        + tiq
        + "</INDIVIDU>"
    )
    return Reply(200, _ENVELOPE.format(inner=inner).encode())


def fault_550() -> Reply:
    return Reply(500, FAULT_550)


@dataclass
class Recorded:
    body: bytes
    headers: dict[str, str]
    client_subject: str | None
    path: str

    @property
    def xml(self) -> Any:
        return etree.fromstring(self.body, etree.XMLParser(resolve_entities=False, no_network=True))

    def find(self, path: str) -> Any:
        return self.xml.find(path, NS)

    def text(self, path: str) -> str | None:
        found: str | None = self.xml.findtext(path, namespaces=NS)
        return found

    @property
    def prenoms(self) -> list[str]:
        return [e.text for e in self.xml.findall(".//rec:RECSANSVITALE/rec:Prenom", NS)]


@dataclass
class InsiStub:
    """Queued replies (default: CR 01) and recorded requests of the fake INSi."""

    tls: TlsSettings | None = None
    replies: list[Reply] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    default: Reply = field(default_factory=lambda: cr("01"))

    def __post_init__(self) -> None:
        self.server = SimulatorServer(
            Starlette(routes=[Route("/lps", self._lps, methods=["POST"])]), name="insi-stub", tls=self.tls
        )

    async def _lps(self, request: Request) -> Response:
        body = await request.body()
        tls = request.scope.get("extensions", {}).get("tls") or {}
        self.requests.append(Recorded(body, dict(request.headers), tls.get("client_subject"), request.url.path))
        reply = self.replies.pop(0) if self.replies else self.default
        if reply.delay:
            await asyncio.sleep(reply.delay)
        return Response(reply.body, status_code=reply.status, media_type=reply.content_type)

    @property
    def url(self) -> str:
        return self.server.base_url

    def queue(self, *replies: Reply) -> None:
        self.replies[:] = list(replies)

    def reset(self) -> None:
        self.replies.clear()
        self.requests.clear()


class Api:
    """The trigger API of a running reference DUI, as the harness would call it."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return requests.request(method, self.base + path, timeout=10, **kwargs)

    def create(
        self,
        name: str,
        first_names: list[str],
        sex: str = "F",
        date: str = "1975-12-31",
        place: str | None = "63220",
        verified: bool | None = None,
    ) -> str:
        body: dict[str, Any] = {
            "traits": {
                "birth_name": name,
                "first_names": first_names,
                "sex": sex,
                "birth_date": date,
                "birth_place": place,
            }
        }
        if verified is not None:
            body["identity_document"] = {"type": "CNI", "verified": verified}
        response = self.call("POST", "/persons", json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["person_id"])

    def lookup(self, pid: str) -> dict[str, Any]:
        response = self.call("POST", f"/persons/{pid}/insi-lookup")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def identity(self, pid: str) -> dict[str, Any] | None:
        response = self.call("GET", f"/persons/{pid}/identity")
        if response.status_code == 404:
            return None
        assert response.status_code == 200, response.text
        return dict(response.json())

    def exchange(self, pid: str) -> dict[str, Any]:
        response = self.call("GET", f"/persons/{pid}/exchange-identity")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def document(self, pid: str, verified: bool = True) -> dict[str, Any]:
        response = self.call(
            "POST", f"/persons/{pid}/identity-document", json={"type": "PASSEPORT", "verified": verified}
        )
        assert response.status_code == 200, response.text
        return dict(response.json())


#: the ``make_dui`` fixture: ``make_dui(insi_url=..., defects=(...), **config)`` → (DUI, Api)
DuiFactory = Callable[..., "tuple[ReferenceDui, Api]"]
