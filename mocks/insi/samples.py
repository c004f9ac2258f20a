"""Conformant INSi requests and a reader of INSi answers, for tests and demonstrations.

:func:`build_request` writes what a conformant DUI sends (the shape of padoa/tlsi-ins's
request example: ContexteBAM, ContexteLPS, wsa:Action, wsa:MessageID, then RECSANSVITALE
or RECVITALE). Tests break one part at a time to check one rule. :func:`read_answer` turns a
RESULTAT or a siram fault back into a dict.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from harness.validators.insi_rules import ACTIONS, NS, OP_TRAITS, OP_VITALE
from harness.validators.safexml import parse_xml

__all__ = ["SOAP12_HEADERS", "build_request", "read_answer"]

#: HTTP headers of a conformant SOAP 1.2 call
SOAP12_HEADERS = {"Content-Type": "application/soap+xml; charset=utf-8"}


def _el(parent: etree._Element, prefix: str, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NS[prefix]}}}{name}", attrib=attrs or None)
    if text is not None:
        element.text = text
    return element


def build_request(
    birth_name: str = "ADRUN",
    first_names: Sequence[str] = ("ZOE",),
    sex: str | None = "F",
    birth_date: str = "1975-12-31",
    birth_place: str | None = None,
    *,
    operation: str = OP_TRAITS,
    nir: str | None = None,
    key: str | None = None,
    idam: str = "IDAM-DUI-HARNESS-TEST",
    software: str = "DUIHARNESS",
    software_version: str = "1.0.0",
    message_id: str | None = None,
) -> bytes:
    """A conformant INSi request; ``operation=OP_VITALE`` with ``nir``/``key`` for RECVITALE."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    nsmap = {p: NS[p] for p in ("soap", "ctxbam", "ctxlps", "wsa")}
    env = etree.Element(f"{{{NS['soap']}}}Envelope", nsmap=nsmap)
    header = _el(env, "soap", "Header")
    bam = _el(header, "ctxbam", "ContexteBAM", Version="01_02")
    _el(bam, "ctxbam", "Id", str(uuid.uuid4()))
    _el(bam, "ctxbam", "Temps", now)
    _el(bam, "ctxbam", "Emetteur", "dui-harness")
    _el(bam, "ctxbam", "COUVERTURE")
    lps = _el(header, "ctxlps", "ContexteLPS", Nature="CTXLPS", Version="01_00")
    _el(lps, "ctxlps", "Id", str(uuid.uuid4()))
    _el(lps, "ctxlps", "Temps", now)
    _el(lps, "ctxlps", "Emetteur", "dui-harness")
    soft = _el(lps, "ctxlps", "LPS")
    _el(soft, "ctxlps", "IDAM", idam, R="4")
    _el(soft, "ctxlps", "Version", software_version)
    _el(soft, "ctxlps", "Instance", "00000000-0000-4000-8000-000000000002")
    _el(soft, "ctxlps", "Nom", f"urn:lps:{software}:{software_version}")
    _el(header, "wsa", "Action", ACTIONS[operation])
    _el(header, "wsa", "MessageID", message_id or f"uuid:{uuid.uuid4()}")
    body = _el(env, "soap", "Body")
    if operation == OP_VITALE:
        rec = _el(body, "recvit", "RECVITALE")
        mat = _el(rec, "recvit", "MatriculeIndividu")
        _el(mat, "recvit", "NumIdentifiant", nir or "")
        if key is not None:
            _el(mat, "recvit", "Cle", key)
        _el(rec, "recvit", "NomNaissance", birth_name)
        _el(rec, "recvit", "DateNaissance", birth_date)
    else:
        rec = _el(body, "recsans", "RECSANSVITALE")
        _el(rec, "recsans", "NomNaissance", birth_name)
        for first_name in first_names:
            _el(rec, "recsans", "Prenom", first_name)
        if sex is not None:
            _el(rec, "recsans", "Sexe", sex)
        _el(rec, "recsans", "DateNaissance", birth_date)
        if birth_place is not None:
            _el(rec, "recsans", "LieuNaissance", birth_place)
    data: bytes = etree.tostring(env, xml_declaration=True, encoding="UTF-8")
    return data


def read_answer(body: bytes) -> dict[str, Any]:
    """``{"cr", "label", "ins", "oid", "history", "tiq"}`` of a RESULTAT, or ``{"fault": {...}}``.

    A fault reads as ``{"fault": {"code", "subcode", "reason", "erreur", "erreur_code",
    "severite", "message_id"}}``.
    """
    root = parse_xml(body)
    ns = {"s": NS["soap"], "r": NS["resultat"], "siram": NS["siram"]}
    fault = root.find(".//s:Fault", ns)
    if fault is not None:
        erreur = fault.find(".//siram:Erreur", ns)
        return {
            "fault": {
                "code": fault.findtext("s:Code/s:Value", namespaces=ns),
                "subcode": fault.findtext("s:Code/s:Subcode/s:Value", namespaces=ns),
                "reason": fault.findtext("s:Reason/s:Text", namespaces=ns),
                "erreur": erreur.text if erreur is not None else None,
                "erreur_code": erreur.get("code") if erreur is not None else None,
                "severite": erreur.get("severite") if erreur is not None else None,
                "message_id": erreur.get("messageID") if erreur is not None else None,
            }
        }
    result = root.find(".//r:RESULTAT", ns)
    if result is None:
        raise ValueError("neither a RESULTAT nor a SOAP fault")
    answer: dict[str, Any] = {
        "cr": result.findtext("r:CR/r:CodeCR", namespaces=ns),
        "label": result.findtext("r:CR/r:LibelleCR", namespaces=ns),
        "ins": None,
        "oid": None,
        "history": [],
        "tiq": None,
    }
    individu = result.find("r:INDIVIDU", ns)
    if individu is not None:

        def ins(block: etree._Element) -> str:
            return (block.findtext("r:IdIndividu/r:NumIdentifiant", namespaces=ns) or "") + (
                block.findtext("r:IdIndividu/r:Cle", namespaces=ns) or ""
            )

        active = individu.find("r:INSACTIF", ns)
        if active is not None:
            answer.update(ins=ins(active), oid=active.findtext("r:OID", namespaces=ns))
        answer["history"] = [
            {
                "ins": ins(h),
                "oid": h.findtext("r:OID", namespaces=ns),
                "start": h.findtext("r:DateDeb", namespaces=ns),
                "end": h.findtext("r:DateFin", namespaces=ns),
            }
            for h in individu.findall("r:INSHISTO", ns)
        ]
        tiq = individu.find("r:TIQ", ns)
        if tiq is not None:
            answer["tiq"] = {etree.QName(c).localname: c.text for c in tiq if isinstance(c.tag, str)}
    return answer
