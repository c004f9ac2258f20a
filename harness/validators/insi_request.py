"""Pure checks of one INSi request as a DUI sent it: envelope, headers, authentication, traits.

:func:`check_insi_request` reads the raw HTTP body (plus content type and TLS facts) and
returns an :class:`InsiRequestReport`: what was asked (operation, traits, LPS context) and
one :class:`~harness.core.findings.Finding` per broken rule, each with a stable ``rule`` id,
the requirement it proves broken (``profiles/catalog/ins.csv``) and an XPath-like location:

* INS-INSI-01: SOAP 1.2 envelope, ``application/soap+xml``, known action, RECSANSVITALE /
  RECVITALE body in its namespace, children known and in schema order
  (DESIR_ICIR_EXP_1.5.0.wsdl; INSi_RECSANS_INS.xsd; INSi_RECVITALE_INS.xsd);
* INS-INSI-02: ``ctxlps:ContexteLPS`` complete (ROOT_ctxlps_CTXLPS_V01_00.xsd, french-specs §1.5);
* INS-INSI-03: ``ctxbam:ContexteBAM`` complete and ``wsa:MessageID`` = ``uuid:<uuid>``;
* INS-INSI-04: mutual TLS client certificate with CN INSI-AUTO or INSI-MANU (DESIR_560), unless the
  request is made in the individual CPx mode (a ``wsse:Security`` header: INS-INSI-07,
  :mod:`harness.validators.insi_cpx`);
* INS-INSI-05: traits in the service formats (birth name, first names, sex M/F, date
  YYYY-MM-DD, COG). A day or month ``00`` (a *date lunaire*, the XSD type name) is only a
  WARNING: that such dates are accepted is our reading of the type name, not a verified fact.

Nothing here starts a server or touches the network.
"""

from __future__ import annotations

import re
from datetime import date

from lxml import etree

from harness.core.findings import Severity
from harness.core.ins import COG_PATTERN, KEY_PATTERN, NIR_PATTERN, ins_key
from harness.core.rules import rule
from harness.validators.insi_cpx import check_assertion_ps, security_header
from harness.validators.insi_headers import check_ctxbam, check_ctxlps, check_message_id, header_blocks
from harness.validators.insi_rules import (
    ACTIONS,
    BODY_ELEMENTS,
    NS,
    OP_TRAITS,
    OP_VITALE,
    OPERATIONS_BY_ACTION,
    Collector,
    InsiRequestReport,
    SequenceChecker,
    split_tag,
    text_of,
)
from harness.validators.soap12 import SOAP11_NS, SoapError, content_type_action, parse_envelope

__all__ = ["InsiRequestReport", "check_insi_request"]

ERROR, WARNING = Severity.ERROR, Severity.WARNING
H = "/soap:Envelope/soap:Header"
B = "/soap:Envelope/soap:Body"
ACCEPTED_CN = ("INSI-AUTO", "INSI-MANU")
DATE_SHAPE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
CN_IN_SUBJECT = re.compile(r"(?:^|,)\s*CN=([^,]*)")


@rule("insi.envelope", requirement="INS-INSI-01", summary="a SOAP 1.2 envelope with one INSi body")
def check_insi_request(
    body: bytes, *, content_type: str | None, over_tls: bool, tls_subject: str | None
) -> InsiRequestReport:
    """Check one INSi request (INS-INSI-01 to INS-INSI-05) and say what it asked.

    Args:
        body: the HTTP request body as received.
        content_type: the Content-Type header, or None when absent.
        over_tls: whether the request came over TLS (the mutual-TLS server mode).
        tls_subject: the client certificate subject (``C=FR,…,CN=INSI-AUTO``), or None.
    """
    report = InsiRequestReport()
    check = Collector(report)
    _check_content_type(check, content_type)
    try:
        env = parse_envelope(body)
    except SoapError as exc:
        _check_tls(check, over_tls, tls_subject)
        rule = "insi.envelope.soap11" if SOAP11_NS in exc.reason else "insi.envelope.invalid"
        check.add(rule, "INS-INSI-01", f"the request is not a usable SOAP 1.2 envelope: {exc}", exc.location or "/")
        return report
    if env.body_children > 1:
        check.add(
            "insi.body.multiple",
            "INS-INSI-01",
            f"soap:Body holds {env.body_children} elements; document/literal INSi requests "
            "carry exactly one (RECSANSVITALE or RECVITALE)",
            B,
        )
    operation = _check_body_element(check, env.body_child)
    _check_action(check, env.action, content_type_action(content_type), operation)
    header = env.header_blocks()
    security = security_header(header)
    if security is None:
        _check_tls(check, over_tls, tls_subject)
    else:  # individual CPx mode: the professional's AssertionPs replaces the organisation certificate
        report.auth_mode = "CPx"
        report.professional = check_assertion_ps(check, security)
    blocks = header_blocks(check, header)
    check_ctxlps(check, blocks.get("ContexteLPS"))
    check_ctxbam(check, blocks.get("ContexteBAM"))
    check_message_id(check, blocks.get("MessageID"))
    if operation == OP_TRAITS:
        _check_recsans(check, env.body_child)
    elif operation == OP_VITALE:
        _check_recvitale(check, env.body_child)
    report.operation = operation
    return report


# -- HTTP, TLS ------------------------------------------------------------------------------
@rule("insi.tls", requirement="INS-INSI-04", summary="IGC-Santé client certificate of CN INSI-AUTO or INSI-MANU")
def _check_tls(check: Collector, over_tls: bool, subject: str | None) -> None:
    """INS-INSI-04: server mode authenticates with an IGC-Santé certificate, CN INSI-AUTO/MANU."""
    where = "TLS client certificate"
    if not over_tls:
        check.add(
            "insi.tls.not_checked",
            "INS-INSI-04",
            "authentication could not be checked: the simulator runs without mutual TLS "
            "(start it with TLS to check the INSI-AUTO / INSI-MANU certificate)",
            where,
            WARNING,
        )
        return
    if not subject:
        check.add(
            "insi.tls.no_client_cert",
            "INS-INSI-04",
            "no client certificate was presented over TLS: INSi server mode requires an "
            "IGC-Santé organisation certificate whose CN is INSI-AUTO or INSI-MANU",
            where,
        )
        return
    names = CN_IN_SUBJECT.findall(subject)
    cn = names[-1].strip() if names else ""
    if cn not in ACCEPTED_CN:
        check.add(
            "insi.tls.cn",
            "INS-INSI-04",
            f"client certificate CN is {cn or '(none)'!r} (subject {subject}); INSi refuses it "
            "with DESIR_560: the CN must be exactly INSI-AUTO or INSI-MANU",
            where,
        )


@rule("insi.http", requirement="INS-INSI-01", summary="Content-Type application/soap+xml with the action")
def _check_content_type(check: Collector, content_type: str | None) -> None:
    """INS-INSI-01: SOAP 1.2 over HTTP uses ``application/soap+xml`` (SOAP 1.2 Part 2 §7.1.4)."""
    where = "HTTP header Content-Type"
    media = (content_type or "").split(";")[0].strip().lower()
    if not media:
        check.add(
            "insi.http.content_type",
            "INS-INSI-01",
            "no Content-Type header; a SOAP 1.2 request is sent as application/soap+xml",
            where,
        )
    elif media != "application/soap+xml":
        hint = " (text/xml is SOAP 1.1)" if media == "text/xml" else ""
        check.add(
            "insi.http.content_type",
            "INS-INSI-01",
            f"Content-Type is {media!r}{hint}; a SOAP 1.2 request is sent as application/soap+xml",
            where,
        )


# -- envelope, action -------------------------------------------------------------------------
@rule("insi.body", requirement="INS-INSI-01", summary="the body of a known operation, in its namespace and order")
def _check_body_element(check: Collector, element: etree._Element) -> str:
    element_ns, element_local = split_tag(element.tag)
    for operation, (namespace, local) in BODY_ELEMENTS.items():
        if element_local == local:
            if element_ns != namespace:
                check.add(
                    "insi.body.namespace",
                    "INS-INSI-01",
                    f"{local} is in namespace {element_ns or '(none)'!r}; it must be in {namespace!r}",
                    f"{B}/{local}",
                )
                return "invalid"
            return operation
    check.add(
        "insi.body.unknown",
        "INS-INSI-01",
        f"the body element is {{{element_ns or ''}}}{element_local}; INSi expects RECSANSVITALE "
        "(rechercherInsAvecTraitsIdentite) or RECVITALE (rechercherInsAvecCarteVitale)",
        f"{B}/{element_local}",
    )
    return "invalid"


@rule("insi.action", requirement="INS-INSI-01", summary="wsa:Action and the Content-Type action name the operation")
def _check_action(check: Collector, header: str | None, param: str | None, operation: str) -> None:
    """INS-INSI-01: wsa:Action (or the content type's action) names the operation called."""
    where = f"{H}/wsa:Action"
    check.report.action = header or param
    if header and param and header != param:
        check.add(
            "insi.action.mismatch",
            "INS-INSI-01",
            f"wsa:Action {header!r} differs from the Content-Type action {param!r}",
            where,
        )
    action = header or param
    if not action:
        check.add(
            "insi.action.missing",
            "INS-INSI-01",
            "no wsa:Action header and no action parameter in the Content-Type; expected "
            f"{ACTIONS.get(operation, ACTIONS[OP_TRAITS])!r}",
            where,
        )
        return
    called = OPERATIONS_BY_ACTION.get(action)
    if called is None:
        check.add(
            "insi.action.unknown",
            "INS-INSI-01",
            f"action {action!r} is not an INSi operation; expected one of {', '.join(ACTIONS.values())}",
            where,
        )
    elif operation != "invalid" and called != operation:
        check.add(
            "insi.action.body_mismatch",
            "INS-INSI-01",
            f"action {action!r} calls {called} but the body is for {operation} (expected {ACTIONS[operation]!r})",
            where,
        )


# -- traits ---------------------------------------------------------------------------------------
@rule("insi.traits", requirement="INS-INSI-05", summary="identity traits in the format of the teleservice")
def _check_recsans(check: Collector, body: etree._Element) -> None:
    """INS-INSI-01 (structure) and INS-INSI-05 (formats) of RECSANSVITALE (INSi_RECSANS_INS.xsd)."""
    loc = f"{B}/recsans:RECSANSVITALE"
    seq = SequenceChecker(check.add, "INS-INSI-01", "insi.body", NS["recsans"], "recsans")
    kids = seq.run(
        body,
        loc,
        (
            ("NomNaissance", False),
            ("Prenom", True),
            ("Sexe", False),
            ("DateNaissance", False),
            ("LieuNaissance", False),
        ),
    )
    traits = check.report.traits
    traits.update(
        birth_name=text_of(kids, "NomNaissance"),
        first_names=[el.text or "" for el in kids["Prenom"]],
        sex=text_of(kids, "Sexe"),
        birth_date=text_of(kids, "DateNaissance"),
        birth_place=text_of(kids, "LieuNaissance"),
    )
    _check_birth_name(check, traits["birth_name"], f"{loc}/recsans:NomNaissance")
    if not [p for p in traits["first_names"] if p.strip()]:
        check.add(
            "insi.traits.first_name",
            "INS-INSI-05",
            "no non-empty Prenom: send the birth first name(s), one Prenom each or the whole list",
            f"{loc}/recsans:Prenom",
        )
    elif any(not p.strip() for p in traits["first_names"]):
        check.add("insi.traits.first_name", "INS-INSI-05", "an empty Prenom element is sent", f"{loc}/recsans:Prenom")
    if traits["sex"] not in ("M", "F"):
        check.add(
            "insi.traits.sex", "INS-INSI-05", f"Sexe is {traits['sex']!r}; INSi accepts M or F", f"{loc}/recsans:Sexe"
        )
    _check_birth_date(check, traits["birth_date"], f"{loc}/recsans:DateNaissance")
    place = traits["birth_place"]
    if kids["LieuNaissance"] and not COG_PATTERN.match(place or ""):
        check.add(
            "insi.traits.birth_place",
            "INS-INSI-05",
            f"LieuNaissance is {place!r}; when sent it is a 5-character INSEE COG code [A-Za-z0-9]{{5}}",
            f"{loc}/recsans:LieuNaissance",
        )


@rule("insi.vitale", requirement="INS-INSI-05", summary="Vitale card data (matricule, NIR, key) in its format")
def _check_recvitale(check: Collector, body: etree._Element) -> None:
    """INS-INSI-01 (structure) and INS-INSI-05 (formats) of RECVITALE (INSi_RECVITALE_INS.xsd)."""
    loc = f"{B}/recvit:RECVITALE"
    seq = SequenceChecker(check.add, "INS-INSI-01", "insi.body", NS["recvit"], "recvit")
    kids = seq.run(
        body,
        loc,
        (
            ("MatriculeIndividu", False),
            ("MatriculeOD", False),
            ("NomNaissance", False),
            ("DateNaissance", False),
            ("RangNaissance", False),
        ),
    )
    check.report.traits.update(
        birth_name=text_of(kids, "NomNaissance"),
        first_names=[],
        sex=None,
        birth_date=text_of(kids, "DateNaissance"),
        birth_place=None,
    )
    _check_birth_name(check, check.report.traits["birth_name"], f"{loc}/recvit:NomNaissance")
    _check_birth_date(check, check.report.traits["birth_date"], f"{loc}/recvit:DateNaissance")
    mat = check.report.matricule
    mat["birth_rank"] = text_of(kids, "RangNaissance")
    loc = f"{loc}/recvit:MatriculeIndividu"
    if not kids["MatriculeIndividu"]:
        check.add(
            "insi.vitale.matricule", "INS-INSI-05", "MatriculeIndividu (the NIR read on the card) is missing", loc
        )
        return
    sub = seq.run(
        kids["MatriculeIndividu"][0], loc, (("NumIdentifiant", False), ("Cle", False), ("TypeMatricule", False))
    )
    mat.update(nir=text_of(sub, "NumIdentifiant"), key=text_of(sub, "Cle"), type=text_of(sub, "TypeMatricule"))
    if not NIR_PATTERN.match(mat["nir"] or ""):
        check.add(
            "insi.vitale.nir",
            "INS-INSI-05",
            f"NumIdentifiant is {mat['nir']!r}; a NIR has 13 characters \\d{{6}}[A-Za-z0-9]\\d{{6}}",
            f"{loc}/recvit:NumIdentifiant",
        )
    elif mat["key"] is not None and not KEY_PATTERN.match(mat["key"]):
        check.add("insi.vitale.key", "INS-INSI-05", f"Cle is {mat['key']!r}; it must be 2 digits", f"{loc}/recvit:Cle")
    elif mat["key"] is not None and _key_of(mat["nir"] or "") != int(mat["key"]):
        check.add(
            "insi.vitale.key",
            "INS-INSI-05",
            f"Cle {mat['key']} does not match 97 − (NIR mod 97) for {mat['nir']}",
            f"{loc}/recvit:Cle",
            WARNING,
        )


def _key_of(nir: str) -> int | None:
    try:
        return ins_key(nir)
    except ValueError:
        return None


def _check_birth_name(check: Collector, value: str | None, loc: str) -> None:
    if not (value or "").strip():
        check.add("insi.traits.birth_name", "INS-INSI-05", "NomNaissance (birth name) is missing or empty", loc)


def _check_birth_date(check: Collector, value: str | None, loc: str) -> None:
    """DateNaissance: YYYY-MM-DD and a real calendar date; ``00`` day/month only warned."""
    match = DATE_SHAPE.match(value or "")
    if match is None:
        check.add(
            "insi.traits.birth_date",
            "INS-INSI-05",
            f"DateNaissance is {value!r}; it must read YYYY-MM-DD (e.g. 1975-12-31)",
            loc,
        )
        return
    year, month, day = map(int, match.groups())
    if month == 0 or day == 0:
        check.add(
            "insi.traits.birth_date.lunar",
            "INS-INSI-05",
            f"DateNaissance {value} has an unknown day or month (00, 'date lunaire'): accepted, "
            "but not a calendar date",
            loc,
            WARNING,
        )
        return
    try:
        date(year, month, day)
    except ValueError:
        check.add("insi.traits.birth_date", "INS-INSI-05", f"DateNaissance {value} is not a real calendar date", loc)
