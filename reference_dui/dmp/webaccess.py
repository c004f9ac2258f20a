"""The reference DUI's button « Consulter le DMP » : the contextual access to the DMP's web PS (TD0.9).

SC.DMP.03.MS1: the dashboard for any user, the person's DMP home page only for a qualified INS. The DUI
builds what the browser opens: the DMP's contextual entry ``<DMP base URL>/dmp/webps/td09`` and an HTML form
(``mode``, ``vihf`` = the base64 of the signed VIHF; resource-id = the person's INS in ``DOSSIER_PATIENT``
mode, none for the dashboard) — the format :mod:`mocks.dmp.webps` assumes (the DMP guide is not public).

A person who objects to the consultation of her DMP (SC.DMP/CONF.06, :mod:`reference_dui.dmp.consent`)
gets no access to it (409).

Defect switch ``dmp_webps_dashboard_only``: the person's button opens the dashboard (no patient named).
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from lxml import etree

from reference_dui.app import ApiError
from reference_dui.dmp import consent, defective
from reference_dui.dmp.vihf import build_assertion
from reference_dui.identity import InvalidInput

if TYPE_CHECKING:
    from reference_dui.dmp.service import DmpService

__all__ = ["PATH", "web_access"]

PATH = "/dmp/webps/td09"
RESOURCE_ID = "urn:oasis:names:tc:xacml:2.0:resource:resource-id"
MODES = {"dashboard": "TABLEAU_DE_BORD", "patient": "DOSSIER_PATIENT"}


def web_access(dmp: DmpService, data: Any) -> dict[str, Any]:
    """What the browser opens for ``{mode: dashboard|patient, person_id?}``: ``{url, method, form}``."""
    if not isinstance(data, dict) or data.get("mode") not in MODES:
        raise InvalidInput("the body must be {mode: dashboard|patient, person_id?}")
    if dmp.endpoint is None:
        raise ApiError(409, "DMP non configuré / not configured (PUT /config/endpoints)")
    defects, cfg = dmp.defects, dmp.dui.config
    mode = MODES[data["mode"]]
    ins, oid = "", ""
    without: tuple[str, ...] = (RESOURCE_ID,)
    if mode == "DOSSIER_PATIENT":
        person_id = str(data.get("person_id") or "")
        patient = dmp._patient(person_id)  # 409 unless the INS is qualified
        if consent.opposed(dmp, person_id):
            raise ApiError(409, "opposition de l'usager à la consultation de son DMP / the person objects")
        ins, oid, without = patient.ins, patient.ins_oid, ()
        if "dmp_webps_dashboard_only" in defects:
            mode, without = "TABLEAU_DE_BORD", (RESOURCE_ID,)
    assertion = build_assertion(
        ins,
        oid,
        lps_name=cfg.lps_name,
        lps_version=cfg.lps_version,
        signing=defective.vihf_signing(dmp.endpoint, defects),
        without=without + defective.vihf_without(defects),
    )
    token = base64.b64encode(etree.tostring(assertion)).decode("ascii")
    return {"url": dmp.endpoint.url.rstrip("/") + PATH, "method": "POST", "form": {"mode": mode, "vihf": token}}
