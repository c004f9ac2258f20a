"""INSi answers, shaped like the real ones: RESULTAT envelopes and siram SOAP faults.

The RESULTAT envelope copies the real qualification responses (padoa/tlsi-ins fixtures
``TEST_2.04_cas2.xml``, ``TEST_2.08_cas1.xml``, ``REP_CR01.xml``): a ``soap:Envelope`` with
an ``S:Body`` re-declaring the SOAP 1.2 namespace, ``RESULTAT`` in the default namespace
``http://www.cnamts.fr/INSiResultat`` with ``ns2``/``ns3`` declared, no SOAP header, then
``CR{CodeCR,LibelleCR}`` and on CR 00 ``INDIVIDU{INSACTIF, INSHISTO*, TIQ}``.

Two deliberate copies of the real service that differ from INSi_RESULTAT_INS.xsd:
``INSHISTO`` writes ``DateDeb``/``DateFin`` *before* ``IdIndividu`` (as in TEST_2.04_cas2),
and TIQ carries both ``Prenom`` (first birth first name) and ``ListePrenom`` (as in
TEST_2.05 / TEST_2.08).

Faults copy ``FAULT_siram_100_desir_550.xml``: ``soap:Sender`` / ``soap:siram_100`` with a
``siram:Erreur`` detail (code, severite, messageID).
"""

from __future__ import annotations

from lxml import etree

from harness.validators.insi_rules import RECSANS_NS, RECVIT_NS, RESULTAT_NS, SIRAM_NS, SOAP12_NS
from mocks.common.soap import soap_fault
from mocks.insi.identity_base import HistoricalIns, Person

__all__ = [
    "CR_LABELS",
    "DESIR_550_MESSAGE",
    "DESIR_550_REASON",
    "DESIR_560_REASON",
    "fault_envelope",
    "result_envelope",
]

CR_LABELS = {"00": "OK", "01": "Aucune identite trouvee", "02": "Plusieurs identites trouvees"}
DESIR_550_REASON = (
    "L'accès par ce progiciel au service n'est pas autorisé. Contactez l'éditeur du "
    "progiciel ou votre responsable informatique."
)
DESIR_550_MESSAGE = "Numéro d'autorisation du logiciel inconnu."
#: DESIR_560 reason as padoa/tlsi-ins README quotes it ("Niveau d'accès insuffisant")
DESIR_560_REASON = "Vous ne disposez pas des droits suffisants pour accéder à ce service."
SEVERITIES = ("information", "avertissement", "erreur", "fatale")


def _sub(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{RESULTAT_NS}}}{name}")
    if text is not None:
        element.text = text
    return element


def _ins_block(
    parent: etree._Element,
    name: str,
    nir: str,
    key: str,
    oid: str,
    history: HistoricalIns | None = None,
    dates_first: bool = True,
) -> None:
    block = _sub(parent, name)
    dates = [
        (tag, value)
        for tag, value in (("DateDeb", history and history.start), ("DateFin", history and history.end))
        if value
    ]
    for tag, value in dates if dates_first else ():
        _sub(block, tag, value)
    ident = _sub(block, "IdIndividu")
    _sub(ident, "NumIdentifiant", nir)
    _sub(ident, "Cle", key)
    _sub(block, "OID", oid)
    for tag, value in () if dates_first else dates:
        _sub(block, tag, value)


#: answers already written, by what they are made of (bounded: :func:`result_envelope`)
_ANSWERS: dict[tuple[object, ...], bytes] = {}
_ANSWERS_MAX = 1024


def result_envelope(cr: str, person: Person | None = None, *, dates_first: bool = True) -> bytes:
    """A RESULTAT answer: CR ``00`` with ``person``, or ``01`` / ``02`` without INDIVIDU.

    The same answer (same CR, same INS, history and traits) is written once and remembered (issue 18).
    """
    key: tuple[object, ...] = (cr, dates_first)
    if person is not None:
        key += (person.ins, tuple(person.history), person.traits)
    try:
        known = _ANSWERS.get(key)
    except TypeError:  # a person built with unhashable parts (a list of first names): written every time
        return _result_envelope(cr, person, dates_first=dates_first)
    if known is None:
        known = _result_envelope(cr, person, dates_first=dates_first)
        if len(_ANSWERS) >= _ANSWERS_MAX:
            _ANSWERS.clear()
        _ANSWERS[key] = known
    return known


def _result_envelope(cr: str, person: Person | None = None, *, dates_first: bool = True) -> bytes:
    """:func:`result_envelope`, written.

    ``dates_first`` False writes INSHISTO's DateDeb/DateFin after OID, in the XSD's order
    (a strict WSDL-generated client such as zeep refuses the fixture's order).

    Raises:
        ValueError: an unknown CR, or CR 00 without a person that has an INS.
    """
    if cr not in CR_LABELS:
        raise ValueError(f"unknown INSi CR {cr!r}; known: {', '.join(CR_LABELS)}")
    envelope = etree.Element(f"{{{SOAP12_NS}}}Envelope", nsmap={"soap": SOAP12_NS})
    body = etree.SubElement(envelope, f"{{{SOAP12_NS}}}Body", nsmap={"S": SOAP12_NS})
    result = etree.SubElement(
        body, f"{{{RESULTAT_NS}}}RESULTAT", nsmap={"ns3": RECVIT_NS, "ns2": RECSANS_NS, None: RESULTAT_NS}
    )
    cr_el = _sub(result, "CR")
    _sub(cr_el, "CodeCR", cr)
    _sub(cr_el, "LibelleCR", CR_LABELS[cr])
    if cr == "00":
        if person is None or person.ins is None:
            raise ValueError("CR 00 needs a person with an INS")
        individu = _sub(result, "INDIVIDU")
        _ins_block(individu, "INSACTIF", person.ins.nir, person.ins.key, person.ins.oid)
        for entry in person.history:
            _ins_block(individu, "INSHISTO", entry.ins.nir, entry.ins.key, entry.ins.oid, entry, dates_first)
        t = person.traits
        tiq = _sub(individu, "TIQ")
        _sub(tiq, "NomNaissance", t.birth_name)
        _sub(tiq, "Prenom", t.first_name)
        _sub(tiq, "ListePrenom", t.first_names_list)
        _sub(tiq, "Sexe", t.sex)
        _sub(tiq, "DateNaissance", t.birth_date)
        if t.birth_place:
            _sub(tiq, "LieuNaissance", t.birth_place)
    data: bytes = etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")
    return data


def fault_envelope(
    *,
    subcode: str = "siram_100",
    code: str = "desir_550",
    message: str = DESIR_550_MESSAGE,
    reason: str | None = None,
    severite: str = "erreur",
    message_id: str | None = None,
    soap_code: str = "Sender",
) -> bytes:
    """A SOAP 1.2 fault carrying ``siram:Erreur`` (schema_faultSOAP_V01_01.xsd).

    Args:
        subcode: ``soap:<subcode>`` in Code/Subcode (``siram_100`` in the real fixture).
        code: the ``code`` attribute of siram:Erreur (``desir_550``, ``DESIR_560``…).
        message: the text of siram:Erreur.
        reason: the Reason text; defaults to ``message``.
        severite: information, avertissement, erreur or fatale.
        message_id: the request's wsa:MessageID, echoed as ``messageID``.
        soap_code: ``Sender`` or ``Receiver``.
    """
    if severite not in SEVERITIES:
        raise ValueError(f"severite must be one of {', '.join(SEVERITIES)}, not {severite!r}")
    if soap_code not in ("Sender", "Receiver"):
        raise ValueError(f"soap_code must be Sender or Receiver, not {soap_code!r}")
    detail = etree.Element(f"{{{SIRAM_NS}}}Erreur", nsmap={"siram": SIRAM_NS})
    detail.set("code", code)
    if message_id:
        detail.set("messageID", message_id)
    detail.set("severite", severite)
    detail.text = message
    return soap_fault("Sender" if soap_code == "Sender" else "Receiver", subcode, reason or message, detail)
