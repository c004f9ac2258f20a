"""The reference DUI's own INSi client: builds RECSANSVITALE SOAP 1.2 requests, parses RESULTAT.

Written from the CNAM contract (DESIR_ICIR_EXP_1.5.0.wsdl, ROOT_ctxlps_CTXLPS_V01_00.xsd,
ROOT_ctxbam_CTXBAM_V01_02.xsd, INSi_RESULTAT_INS.xsd), independently of the harness code that
checks it. :meth:`InsiClient.search` never raises: transport errors, HTTP errors, SOAP faults
and malformed answers all come back as an :class:`InsiAnswer` with ``error`` set.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import requests
from lxml import etree

__all__ = [
    "ACTION",
    "CONTENT_TYPE",
    "InsNumber",
    "InsiAnswer",
    "InsiClient",
    "InsiQuery",
    "RequestSettings",
    "Tiq",
    "VitaleQuery",
    "build_request",
    "parse_response",
]

NS_SOAP = "http://www.w3.org/2003/05/soap-envelope"
NS_CTXBAM = "urn:siram:bam:ctxbam"
NS_CTXLPS = "urn:siram:lps:ctxlps"
NS_WSA = "http://www.w3.org/2005/08/addressing"
NS_RECSANS = "http://www.cnamts.fr/INSiRecSans"
NS_RECVIT = "http://www.cnamts.fr/INSiRecVit"
NS_RESULTAT = "http://www.cnamts.fr/INSiResultat"
NS_SIRAM = "urn:siram"
NS_WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
NS_SAML2 = "urn:oasis:names:tc:SAML:2.0:assertion"
ACTION = "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite"
CONTENT_TYPE = f'application/soap+xml; charset=utf-8; action="{ACTION}"'
ACTION_VITALE = "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecCarteVitale"
CONTENT_TYPE_VITALE = f'application/soap+xml; charset=utf-8; action="{ACTION_VITALE}"'
#: the SOAP 1.1 media type some clients keep sending to SOAP 1.2 services (defect ``insi_soap11_content_type``)
SOAP11_CONTENT_TYPE = "text/xml; charset=utf-8"
MAX_RESPONSE_BYTES = 2 * 1024 * 1024
_NSMAP = {"soap": NS_SOAP, "ctxbam": NS_CTXBAM, "ctxlps": NS_CTXLPS, "wsa": NS_WSA, "insi_recsans_ins": NS_RECSANS}
_NSMAP_VITALE = {**{k: v for k, v in _NSMAP.items() if k != "insi_recsans_ins"}, "insi_recvit_ins": NS_RECVIT}


@dataclass(frozen=True)
class InsiQuery:
    """The traits of one ``rechercherInsAvecTraitsIdentite`` call, exactly as sent.

    ``first_names`` gives one ``Prenom`` element each (the reference DUI sends exactly one).
    """

    birth_name: str
    first_names: tuple[str, ...]
    sex: str
    birth_date: str
    birth_place: str | None = None


@dataclass(frozen=True)
class VitaleQuery:
    """A ``rechercherInsAvecCarteVitale`` call (INSi_RECVITALE_INS.xsd): what the card reader gave."""

    nir: str
    key: str | None
    birth_name: str
    birth_date: str
    birth_rank: str | None = None


@dataclass(frozen=True)
class RequestSettings:
    """How the DUI presents itself in the SOAP headers (the switches serve defect injection)."""

    idam: str
    lps_name: str
    lps_version: str
    instance: str
    emetteur: str
    with_ctxlps: bool = True
    with_ctxbam: bool = True
    standard_lps: bool = True
    soap11_content_type: bool = False
    #: individual CPx mode: the professional the AssertionPs names ("" = an assertion without NameID, a defect)
    cpx_professional: str | None = None
    #: PSC-backed call (SC.INS/PSC.01, our stated model): the professional's PSC access token, sent as
    #: ``Authorization: Bearer`` beside the organisation certificate
    bearer_token: str | None = None


@dataclass(frozen=True)
class InsNumber:
    """An INS as INSi returns it (INSACTIF or INSHISTO): NIR/NIA, key, OID, validity dates."""

    nir: str
    key: str
    oid: str
    date_deb: str | None = None
    date_fin: str | None = None

    @property
    def value(self) -> str:
        return self.nir + self.key


@dataclass(frozen=True)
class Tiq:
    """Traits d'identité qualifiés returned with CR 00."""

    birth_name: str
    first_names: tuple[str, ...]
    sex: str
    birth_date: str
    birth_place: str | None


@dataclass(frozen=True)
class InsiAnswer:
    """What one INSi call gave: a RESULTAT (``cr`` set) or an ``error`` message."""

    cr: str | None = None
    label: str | None = None
    active: InsNumber | None = None
    history: tuple[InsNumber, ...] = ()
    tiq: Tiq | None = None
    error: str | None = None


def _utc_now() -> str:
    now = dt.datetime.now(dt.UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def _sub(parent: etree._Element, ns: str, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{tag}")
    if text is not None:
        element.text = text
    return element


def build_request(
    query: InsiQuery | VitaleQuery, settings: RequestSettings, message_id: str | None = None, now: str | None = None
) -> bytes:
    """The SOAP 1.2 envelope of a ``rechercherInsAvecTraitsIdentite`` call, or of a
    ``rechercherInsAvecCarteVitale`` one for a :class:`VitaleQuery` (UTF-8 bytes)."""
    message_id = message_id or str(uuid.uuid4())
    now = now or _utc_now()
    vitale = isinstance(query, VitaleQuery)
    envelope = etree.Element(f"{{{NS_SOAP}}}Envelope", nsmap=_NSMAP_VITALE if vitale else _NSMAP)
    header = _sub(envelope, NS_SOAP, "Header")
    if settings.with_ctxbam:
        bam = _sub(header, NS_CTXBAM, "ContexteBAM")
        bam.set("Version", "01_02")
        _sub(bam, NS_CTXBAM, "Id", message_id)
        _sub(bam, NS_CTXBAM, "Temps", now)
        _sub(bam, NS_CTXBAM, "Emetteur", settings.emetteur)
        _sub(bam, NS_CTXBAM, "COUVERTURE")
    if settings.with_ctxlps:
        lps_ctx = _sub(header, NS_CTXLPS, "ContexteLPS")
        lps_ctx.set("Nature", "CTXLPS")
        lps_ctx.set("Version", "01_00")
        _sub(lps_ctx, NS_CTXLPS, "Id", message_id)
        _sub(lps_ctx, NS_CTXLPS, "Temps", now)
        _sub(lps_ctx, NS_CTXLPS, "Emetteur", settings.emetteur)
        lps = _sub(lps_ctx, NS_CTXLPS, "LPS")
        idam = _sub(lps, NS_CTXLPS, "IDAM", settings.idam)
        if settings.standard_lps:
            idam.set("R", "4")
        _sub(lps, NS_CTXLPS, "Version", settings.lps_version)
        _sub(lps, NS_CTXLPS, "Instance", settings.instance)
        nom = settings.lps_name
        if settings.standard_lps:
            nom = f"urn:lps:{settings.lps_name}:{settings.lps_version}"
        _sub(lps, NS_CTXLPS, "Nom", nom)
    if settings.cpx_professional is not None:
        _assertion_ps(header, settings, now)
    _sub(header, NS_WSA, "Action", ACTION_VITALE if vitale else ACTION)
    if settings.with_ctxbam:
        _sub(header, NS_WSA, "MessageID", f"uuid:{message_id}")
    body = _sub(envelope, NS_SOAP, "Body")
    if isinstance(query, VitaleQuery):
        card = _sub(body, NS_RECVIT, "RECVITALE")
        matricule = _sub(card, NS_RECVIT, "MatriculeIndividu")
        _sub(matricule, NS_RECVIT, "NumIdentifiant", query.nir)
        if query.key:
            _sub(matricule, NS_RECVIT, "Cle", query.key)
        _sub(card, NS_RECVIT, "NomNaissance", query.birth_name)
        _sub(card, NS_RECVIT, "DateNaissance", query.birth_date)
        if query.birth_rank:
            _sub(card, NS_RECVIT, "RangNaissance", query.birth_rank)
        return bytes(etree.tostring(envelope, xml_declaration=True, encoding="utf-8", pretty_print=True))
    rec = _sub(body, NS_RECSANS, "RECSANSVITALE")
    _sub(rec, NS_RECSANS, "NomNaissance", query.birth_name)
    for first_name in query.first_names:
        _sub(rec, NS_RECSANS, "Prenom", first_name)
    _sub(rec, NS_RECSANS, "Sexe", query.sex)
    _sub(rec, NS_RECSANS, "DateNaissance", query.birth_date)
    if query.birth_place:
        _sub(rec, NS_RECSANS, "LieuNaissance", query.birth_place)
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="utf-8", pretty_print=True))


def _assertion_ps(header: etree._Element, settings: RequestSettings, now: str) -> None:
    """The CPx mode's ``wsse:Security`` with an AssertionPs (SAML 2.0) naming the professional.

    Our model of it (the profile is not public): Issuer = the software, IssueInstant, Subject/NameID =
    the professional's national id; the signature with the CPx card is not produced.
    """
    security = _sub(header, NS_WSSE, "Security")
    assertion = _sub(security, NS_SAML2, "Assertion")
    assertion.set("ID", f"_{uuid.uuid4()}")
    assertion.set("IssueInstant", now)
    assertion.set("Version", "2.0")
    _sub(assertion, NS_SAML2, "Issuer", f"urn:lps:{settings.lps_name}:{settings.lps_version}")
    subject = _sub(assertion, NS_SAML2, "Subject")
    if settings.cpx_professional:
        _sub(subject, NS_SAML2, "NameID", settings.cpx_professional)


# -- parsing ---------------------------------------------------------------------------------------
def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _text(element: etree._Element | None, *path: str) -> str | None:
    for tag in path:
        if element is None:
            return None
        element = element.find(f"{{{NS_RESULTAT}}}{tag}")
    if element is None or element.text is None:
        return None
    return element.text.strip() or None


def _ins(element: etree._Element) -> InsNumber | None:
    nir = _text(element, "IdIndividu", "NumIdentifiant")
    key = _text(element, "IdIndividu", "Cle")
    oid = _text(element, "OID")
    if not (nir and key and oid):
        return None
    return InsNumber(nir, key, oid, _text(element, "DateDeb"), _text(element, "DateFin"))


def _fault_message(fault: etree._Element) -> str:
    subcode = fault.findtext(f"{{{NS_SOAP}}}Code/{{{NS_SOAP}}}Subcode/{{{NS_SOAP}}}Value")
    reason = fault.findtext(f"{{{NS_SOAP}}}Reason/{{{NS_SOAP}}}Text")
    erreur = fault.find(f"{{{NS_SOAP}}}Detail/{{{NS_SIRAM}}}Erreur")
    parts = ["erreur SOAP INSi"]
    if subcode:
        parts.append(subcode.strip().split(":")[-1])
    if erreur is not None:
        code = erreur.get("code")
        text = (erreur.text or "").strip()
        parts.append(f"{code}: {text or reason or ''}".strip() if code else text)
    elif reason:
        parts.append(reason.strip())
    return " ".join(p for p in parts if p)


def _result(resultat: etree._Element) -> InsiAnswer:
    cr = _text(resultat, "CR", "CodeCR")
    label = _text(resultat, "CR", "LibelleCR")
    if cr is None:
        return InsiAnswer(error="réponse INSi sans CR/CodeCR")
    if cr != "00":
        return InsiAnswer(cr=cr, label=label)
    individu = resultat.find(f"{{{NS_RESULTAT}}}INDIVIDU")
    actif = individu.find(f"{{{NS_RESULTAT}}}INSACTIF") if individu is not None else None
    active = _ins(actif) if actif is not None else None
    tiq_el = individu.find(f"{{{NS_RESULTAT}}}TIQ") if individu is not None else None
    if active is None or tiq_el is None:
        return InsiAnswer(cr=cr, label=label, error="réponse INSi 00 incomplète (INSACTIF ou TIQ absent)")
    names = _text(tiq_el, "ListePrenom") or _text(tiq_el, "Prenom") or ""
    tiq = Tiq(
        birth_name=_text(tiq_el, "NomNaissance") or "",
        first_names=tuple(names.split()),
        sex=_text(tiq_el, "Sexe") or "",
        birth_date=_text(tiq_el, "DateNaissance") or "",
        birth_place=_text(tiq_el, "LieuNaissance"),
    )
    # empty or "00" traits are kept as returned: the DUI's rules 11 and 12 decide (reference_dui.ins_rules)
    history = tuple(h for h in (_ins(e) for e in individu.findall(f"{{{NS_RESULTAT}}}INSHISTO")) if h is not None)
    return InsiAnswer(cr=cr, label=label, active=active, history=history, tiq=tiq)


def parse_response(status: int, body: bytes) -> InsiAnswer:
    """Read an INSi HTTP answer: RESULTAT, SOAP fault, or anything else as an error."""
    try:
        root = etree.fromstring(body, _parser()) if body.strip() else None
    except etree.XMLSyntaxError:
        root = None
    if root is None or root.tag != f"{{{NS_SOAP}}}Envelope" or root.getroottree().docinfo.doctype:
        snippet = body[:200].decode("utf-8", "replace").strip()
        return InsiAnswer(
            error=f"INSi a répondu HTTP {status} sans enveloppe SOAP 1.2 valide" + (f": {snippet}" if snippet else "")
        )
    soap_body = root.find(f"{{{NS_SOAP}}}Body")
    if soap_body is None:
        return InsiAnswer(error=f"INSi a répondu HTTP {status}: enveloppe SOAP sans Body")
    fault = soap_body.find(f"{{{NS_SOAP}}}Fault")
    if fault is not None:
        return InsiAnswer(error=_fault_message(fault))
    resultat = soap_body.find(f"{{{NS_RESULTAT}}}RESULTAT")
    if resultat is None:
        return InsiAnswer(error=f"INSi a répondu HTTP {status} sans RESULTAT")
    if status != 200:
        return InsiAnswer(error=f"INSi a répondu HTTP {status}")
    return _result(resultat)


# -- transport -------------------------------------------------------------------------------------
class InsiClient:
    """Calls ``<url>/lps`` over HTTP(S), with a client certificate for mutual TLS when given.

    Use as a context manager: the retries of one search share a connection.
    """

    def __init__(
        self,
        url: str,
        settings: RequestSettings,
        *,
        cert: tuple[Path, Path | None] | None = None,
        ca: Path | None = None,
        timeout: float = 5.0,
    ) -> None:
        self.endpoint = url.rstrip("/") + "/lps"
        self.settings = settings
        self.timeout = timeout
        self._session = requests.Session()
        self._session.trust_env = False  # never go through a proxy to reach the teleservice
        if cert is not None:
            self._session.cert = (str(cert[0]), str(cert[1])) if cert[1] is not None else str(cert[0])
        self._session.verify = str(ca) if ca is not None else True

    def _headers(self, content_type: str) -> dict[str, str]:
        headers = {"Content-Type": content_type}
        if self.settings.bearer_token:
            headers["Authorization"] = f"Bearer {self.settings.bearer_token}"
        return headers

    def search(self, query: InsiQuery | VitaleQuery) -> InsiAnswer:
        payload = build_request(query, self.settings)
        content_type = CONTENT_TYPE_VITALE if isinstance(query, VitaleQuery) else CONTENT_TYPE
        if self.settings.soap11_content_type:
            content_type = SOAP11_CONTENT_TYPE
        try:
            with self._session.post(
                self.endpoint, data=payload, headers=self._headers(content_type), timeout=self.timeout, stream=True
            ) as response:
                body = b""
                for chunk in response.iter_content(64 * 1024):
                    body += chunk
                    if len(body) > MAX_RESPONSE_BYTES:
                        return InsiAnswer(error=f"réponse INSi de plus de {MAX_RESPONSE_BYTES} octets")
                status = response.status_code
        except requests.Timeout:
            return InsiAnswer(error=f"INSi n'a pas répondu dans le délai de {self.timeout:g} s")
        except requests.exceptions.SSLError as exc:
            return InsiAnswer(error=f"échec de la connexion TLS à INSi: {exc}")
        except (requests.RequestException, OSError) as exc:
            return InsiAnswer(error=f"INSi injoignable: {exc.__class__.__name__}: {exc}")
        return parse_response(status, body)

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> InsiClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
