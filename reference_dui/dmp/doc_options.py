"""What the user chooses when producing a document: its recipients and its visibility at the first submission.

* recipients (SC.DOC.04.MS1): every professional the document is sent to is named in its header
  (``informationRecipient``); given as ``recipients: [{rpps, family, given, organisation_id?,
  organisation_name?}]``;
* visibility (SC.DOC.01/02.MS1, DMPi guide: confidentialityCode of the DocumentEntry, JDV_J08
  ``1.2.250.1.213.1.1.4.13``): ``masked_from_professionals`` → MASQUE_PS,
  ``invisible_to_patient`` → INVISIBLE_PATIENT, ``invisible_to_legal_representatives`` →
  INVISIBLE_REPRESENTANTS_LEGAUX, set on the very first ITI-41 (not by a later ITI-57);
* a historical document (SC.DMP/HISTO.03/04): ``historical: {act_date: YYYY-MM-DD,
  author_left_rpps: bool}`` dates it by its act and adds the legal entity as an author;
* the FLUDT is produced unless the ``dmp_no_fludt`` defect makes the DUI a DLU-only one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from reference_dui.app import ApiError
from reference_dui.dmp.cda import Recipient
from reference_dui.identity import InvalidInput

__all__ = ["VISIBILITY", "check_kind", "historical_from", "recipients_from", "recipients_json", "visibility_from"]

#: trigger API flag -> confidentialityCode of the DocumentEntry (JDV_J08, TRE_A07)
VISIBILITY = {
    "masked_from_professionals": "MASQUE_PS",
    "invisible_to_patient": "INVISIBLE_PATIENT",
    "invisible_to_legal_representatives": "INVISIBLE_REPRESENTANTS_LEGAUX",
}
_MAX_RECIPIENTS = 50


def check_kind(kind: str, defects: frozenset[str]) -> None:
    """A DLU-only DUI (``dmp_no_fludt``) cannot produce a FLUDT: 422, as a DUI without the feature answers."""
    if kind == "FLUDT" and "dmp_no_fludt" in defects:
        raise ApiError(422, "la DUI ne produit pas de FLUDT / this DUI does not produce a FLUDT")


def recipients_from(data: dict[str, Any]) -> tuple[Recipient, ...]:
    """The ``recipients`` of a publication request, checked (InvalidInput on a malformed one)."""
    raw = data.get("recipients", [])
    if not isinstance(raw, list) or len(raw) > _MAX_RECIPIENTS:
        raise InvalidInput(f"recipients must be a list of at most {_MAX_RECIPIENTS} objects")
    found = []
    for item in raw:
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("rpps", "family", "given")):
            raise InvalidInput("each recipient must be an object {rpps, family, given, organisation_id?, ...}")
        org_id, org_name = item.get("organisation_id"), item.get("organisation_name")
        found.append(
            Recipient(
                item["rpps"],
                item["family"],
                item["given"],
                org_id if isinstance(org_id, str) else None,
                org_name if isinstance(org_name, str) else None,
            )
        )
    return tuple(found)


def recipients_json(recipients: tuple[Recipient, ...]) -> list[dict[str, Any]]:
    return [
        {
            "rpps": r.rpps,
            "family": r.family,
            "given": r.given,
            "organisation_id": r.organisation_id,
            "organisation_name": r.organisation_name,
        }
        for r in recipients
    ]


def visibility_from(data: dict[str, Any], defects: frozenset[str]) -> tuple[str, ...]:
    """The confidentiality codes the first submission carries; none with ``dmp_visibility_after_submission``
    (the DUI keeps the choice for a later update and sends the first version visible to all)."""
    for flag in VISIBILITY:
        if not isinstance(data.get(flag, False), bool):
            raise InvalidInput(f"{flag} must be a boolean")
    if "dmp_visibility_after_submission" in defects:
        return ()
    return tuple(code for flag, code in VISIBILITY.items() if data.get(flag))


def historical_from(data: dict[str, Any]) -> tuple[str | None, bool]:
    """``(act date, legal entity as an author)`` of a historical document; ``(None, False)`` for a current one."""
    raw = data.get("historical")
    if raw is None:
        return None, False
    if not isinstance(raw, dict) or not isinstance(raw.get("act_date"), str):
        raise InvalidInput("historical must be an object {act_date: YYYY-MM-DD, author_left_rpps?: bool}")
    try:
        act = dt.date.fromisoformat(raw["act_date"])
    except ValueError:
        raise InvalidInput(f"historical.act_date must be a date YYYY-MM-DD, not {raw['act_date']!r}") from None
    return act.isoformat(), raw.get("author_left_rpps") is True
