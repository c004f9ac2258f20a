"""What the reference DUI does with the DMP: publish, replace, mask, retrieve and integrate.

* publish: the person must have a qualified identity (QUAL, INS) — RNIV EXI SI 08; the
  document is stored ``pending`` first; TD0.2 is asked (feeding only when VALIDE); then ITI-41,
  tried 3 times when the DMP does not answer, and kept ``pending`` (``POST /dmp/retry``) if it
  still does not;
* replace: a new version (same setId, versionNumber + 1, relatedDocument RPLC) and an RPLC
  association to the previous entry;
* visibility: ITI-57, a new version of the entry with MASQUE_PS / INVISIBLE_PATIENT;
* retrieve: ITI-18 FindDocuments by INS and type, ITI-43, and integration only when the
  document's recordTarget INS is the person's.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any

from lxml import etree

from reference_dui.app import ApiError
from reference_dui.dmp import consent, defective, doc_options, lifecycle
from reference_dui.dmp.cda import KINDS, DocumentRequest, Patient, build_document
from reference_dui.dmp.client import DmpClient, DmpEndpoint, DmpReply, query_entries, retrieved
from reference_dui.dmp.psc_identity import psc_identity
from reference_dui.dmp.store import DmpDocument, DmpStore
from reference_dui.dmp.vihf import build_assertion
from reference_dui.dmp.xds import TD02, find_documents, provide_and_register, retrieve, td02, update_visibility
from reference_dui.identity import InvalidInput
from reference_dui.service import UnknownPerson

if TYPE_CHECKING:
    from reference_dui.service import DuiService

__all__ = ["DmpService"]

ATTEMPTS = 3
RETRIEVABLE = {"FLUDR": ("74207-2", "urn:asip:ci-sis:fludr:2017"), "VSM": ("SYNTH", "urn:asip:ci-sis:vsm:2012")}
V3 = "urn:hl7-org:v3"


class DmpService:
    def __init__(self, dui: DuiService) -> None:
        self.dui = dui
        self.store = DmpStore(dui.store)
        self.endpoint: DmpEndpoint | None = None
        self.pause = 0.05  # seconds before the 2nd try, twice that before the 3rd
        self.sending = threading.Lock()  # one sender at a time per document: the feeder's and retry's

    @property
    def defects(self) -> frozenset[str]:
        return self.dui.config.defects

    def _documents(self) -> DmpStore:
        self.store.bind(self.dui.store)
        return self.store

    # -- helpers ----------------------------------------------------------------------------
    def _patient(self, person_id: str) -> Patient:
        record = self.dui.store.get(person_id)
        if record is None:
            raise UnknownPerson(f"unknown person {person_id!r}")
        if "dmp_publish_unqualified" in self.defects and record.status != "QUAL":  # checks the INS search only
            return defective.unqualified_patient(record, person_id)
        if record.status != "QUAL" or record.ins is None:
            raise ApiError(
                409,
                f"identité {record.status} sans INS qualifié : un document n'est versé au DMP que pour "
                "une identité qualifiée (RNIV EXI SI 08) / the identity is not qualified",
            )
        t = record.traits
        return Patient(
            record.ins.value,
            record.ins.oid,
            t.birth_name,
            tuple(t.first_names),
            t.sex,
            t.birth_date,
            t.birth_place,
            record.local_id or person_id,
        )

    def _call(
        self, transaction: str, patient: Patient, body: etree._Element, attachments: dict[str, bytes] | None = None
    ) -> DmpReply:
        if self.endpoint is None:
            return DmpReply(unavailable="DMP non configuré / not configured (PUT /config/endpoints)")
        cfg, defects = self.dui.config, self.defects
        psc = psc_identity(self.dui.features, defects)  # SC.DMP/PSC.01: the PSC user's calls
        assertion = build_assertion(
            defective.resource_id(patient, defects),
            patient.ins_oid,
            lps_name=cfg.lps_name,
            lps_version=cfg.lps_version,
            signing=defective.vihf_signing(self.endpoint, defects),
            without=defective.vihf_without(defects),
            **(psc.vihf() if psc is not None else {}),
        )
        client = DmpClient(defective.endpoint_for(self.endpoint, defects), timeout=max(cfg.timeout, 5.0))
        try:
            return client.call(transaction, body, assertion, attachments, psc.bearer if psc is not None else None)
        finally:
            client.close()

    @staticmethod
    def _cx(patient: Patient) -> str:
        return f"{patient.ins}^^^&{patient.ins_oid}&ISO^NH"

    def _request(self, doc: DmpDocument, patient: Patient) -> DocumentRequest:
        data = doc.request
        return DocumentRequest(
            defective.kind_for(doc.kind, self.defects),
            patient,
            document_id=doc.document_id,
            set_id=data["set_id"],
            version=data["version"],
            replaces=data.get("replaces"),
            title=data.get("title"),
            when=_when(data["when"]),
            confidentiality=data.get("confidentiality", "N"),
            recipients=doc_options.recipients_from(data),
            visibility=tuple(data.get("visibility", ())),
            act_date=data.get("act_date"),
            legal_entity_author=bool(data.get("legal_entity_author")),
            quirks=frozenset(d for d in self.defects if d.startswith(("cda_", "dmp_histo_"))),
        )

    # -- publication ----------------------------------------------------------------------------
    def publish(
        self, person_id: str, data: Any, *, replaces: DmpDocument | None = None, send: bool = True
    ) -> dict[str, Any]:
        """Produce the document and keep it ``pending``; then send it, unless ``send`` is False (the
        automatic feeder sends it, :mod:`reference_dui.dmp.feeding`)."""
        if not isinstance(data, dict):
            raise InvalidInput("the body must be a JSON object {kind, title?, pdf_base64?, confidentiality?}")
        kind = data.get("kind", replaces.kind if replaces else None)
        if kind not in KINDS:
            raise InvalidInput(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        confidentiality = data.get("confidentiality", "N")
        if confidentiality not in ("N", "R", "V"):
            raise InvalidInput("confidentiality must be N, R or V")
        content = None
        if data.get("pdf_base64") is not None:
            try:
                content = base64.b64decode(str(data["pdf_base64"]), validate=True)
            except (binascii.Error, ValueError):
                raise InvalidInput("pdf_base64 is not valid base64") from None
        doc_options.check_kind(kind, self.defects)
        # a new version keeps the recipients and the history of the one it replaces unless told otherwise
        kept = replaces.request if replaces is not None else {}
        recipients = doc_options.recipients_from(data if "recipients" in data else kept)
        visibility = doc_options.visibility_from(data, self.defects) if replaces is None else ()
        act_date, legal_entity_author = doc_options.historical_from(data)
        if "historical" not in data and kept.get("act_date"):
            act_date, legal_entity_author = kept["act_date"], bool(kept.get("legal_entity_author"))
        patient = self._patient(person_id)
        request = DocumentRequest(
            defective.kind_for(kind, self.defects),
            patient,
            confidentiality=confidentiality,
            title=data.get("title"),
            pdf=content,
            missing_traits="dmp_missing_ins_traits" in self.defects,
            extra_template="dmp_n1_extra_template" in self.defects and kind != "DLU",
            quirks=frozenset(d for d in self.defects if d.startswith(("cda_", "dmp_histo_"))),
            recipients=recipients,
            visibility=visibility,
            act_date=act_date,
            legal_entity_author=legal_entity_author,
        )
        if replaces is not None:
            previous = replaces.request
            request.set_id, request.version, request.replaces = (
                previous["set_id"],
                previous["version"] + 1,
                replaces.document_id,
            )
        cda = build_document(request)
        doc = DmpDocument(
            request.document_id,
            person_id,
            "produced",
            kind,
            "pending",
            cda,
            ins=patient.ins,
            entry_uuid=f"urn:uuid:{uuid.uuid4()}",
            request={
                "set_id": request.set_id,
                "version": request.version,
                "replaces": request.replaces,
                "title": request.title,
                "when": request.when.isoformat(),
                "confidentiality": confidentiality,
                "replaces_entry": replaces.entry_uuid if replaces else None,
                "recipients": doc_options.recipients_json(recipients),
                "visibility": list(visibility),
                "act_date": act_date,
                "legal_entity_author": legal_entity_author,
            },
        )
        doc.logical_id = doc.entry_uuid
        doc.extra_codes = list(visibility)
        documents = self._documents()
        documents.save(doc)
        if not send:
            return doc.to_json()
        self._send(doc, patient)
        if doc.status == "published" and replaces is not None:
            replaces.status = "replaced"
            documents.save(replaces)
        return doc.to_json()

    def _send(self, doc: DmpDocument, patient: Patient) -> None:
        documents = self._documents()
        if lifecycle.before_feeding(self, doc, patient):  # the person's opposition (SC.DMP/CONF.09)
            return None
        if "dmp_skip_td02" not in self.defects:
            reply = self._call("TD0.2", patient, td02(self._cx(patient)))
            if reply.unavailable or reply.fault:
                return self._unavailable(doc, reply.unavailable or reply.fault or "")
            status = (reply.root.findtext(f"{{{TD02}}}autorisation") or "") if reply.root is not None else ""
            doc.dmp_status = status
            if status != "VALIDE":
                doc.status, doc.message = (
                    "blocked",
                    (f"TD0.2 {status}: DMP absent ou accès non autorisé ; document conservé, non versé"),
                )
                documents.save(doc)
                return None
        request = self._request(doc, patient)
        body, attachments = provide_and_register(
            request,
            doc.cda,
            doc.entry_uuid or "",
            defects=self.defects,
            replaces_entry=None if "dmp_replace_without_rplc" in self.defects else doc.request.get("replaces_entry"),
            signing=self.endpoint.signing if self.endpoint is not None else None,
        )
        for attempt in range(1, ATTEMPTS + 1):
            doc.attempts += 1
            reply = self._call("ITI-41", patient, body, attachments)
            if not reply.unavailable:
                break
            if attempt < ATTEMPTS:
                time.sleep(self.pause * attempt)
        if reply.unavailable:
            return self._unavailable(doc, reply.unavailable)
        if reply.ok and defective.left_pending(doc.kind, self.defects):
            doc.message = "en attente de confirmation"  # a confirmation awaited from a call never made
        elif reply.ok or (reply.errors and "dmp_failure_as_published" in self.defects):  # HTTP 200 read as done
            doc.status, doc.message, doc.errors = "published", "versé au DMP / published", []
        else:
            doc.status, doc.errors = "refused", reply.errors
            doc.message = reply.fault or "; ".join(f"{e['code']}: {e['context']}" for e in reply.errors)[:2000]
        documents.save(doc)
        return None

    def _unavailable(self, doc: DmpDocument, why: str) -> None:
        if "dmp_lose_document_when_unavailable" in self.defects:
            self._documents().delete(doc.document_id)
            doc.status, doc.message = "refused", f"{why} (document abandonné)"
            return
        doc.status, doc.message = "pending", f"{why}; document conservé, nouvel essai par POST /dmp/retry"
        self._documents().save(doc)

    def retry(self) -> dict[str, Any]:
        results = []
        for doc in self._documents().pending():
            if self.send_pending(doc.document_id) != "gone":
                results.append(self.document(doc.document_id))
        return {"retried": results}

    def send_pending(self, document_id: str) -> str:
        """Send a ``pending`` document (one sender at a time): its status after, ``gone`` if none is left."""
        with self.sending:
            doc = self._documents().get(document_id)
            if doc is None or doc.status != "pending":
                return doc.status if doc is not None else "gone"
            try:
                patient = self._patient(doc.person_id)
            except (ApiError, UnknownPerson):
                return "gone"
            self._send(doc, patient)
            return doc.status if self._documents().get(document_id) is not None else "gone"

    def document(self, document_id: str) -> dict[str, Any]:
        doc = self._documents().get(document_id)
        if doc is None:
            raise ApiError(404, f"no document {document_id!r}")
        return doc.to_json()

    def _owned(self, person_id: str, document_id: str) -> DmpDocument:
        doc = self._documents().get(document_id)
        if doc is None or doc.person_id != person_id or doc.direction != "produced":
            raise ApiError(404, f"no document {document_id!r} produced for person {person_id!r}")
        return doc

    def replace(self, person_id: str, document_id: str, data: Any) -> dict[str, Any]:
        previous = self._owned(person_id, document_id)
        if previous.status != "published":
            raise ApiError(409, f"document {document_id} is {previous.status}: only a published document is replaced")
        return self.publish(person_id, data if isinstance(data, dict) else {}, replaces=previous)

    def visibility(self, person_id: str, document_id: str, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise InvalidInput("the body must be {masked_from_professionals: bool, invisible_to_patient: bool}")
        doc = self._owned(person_id, document_id)
        if doc.status != "published":
            raise ApiError(409, f"document {document_id} is {doc.status}: only a published document is updated")
        codes = [
            c
            for c, on in (
                ("MASQUE_PS", data.get("masked_from_professionals") and "dmp_mask_patient_only" not in self.defects),
                ("INVISIBLE_PATIENT", data.get("invisible_to_patient")),
            )
            if on
        ]
        patient = self._patient(person_id)
        body = update_visibility(
            self._request(doc, patient),
            doc.cda,
            lid=doc.logical_id or doc.entry_uuid or "",
            previous_version=doc.meta_version,
            codes=codes,
            defects=self.defects,
        )
        reply = self._call("ITI-57", patient, body)
        if reply.ok:
            doc.extra_codes, doc.meta_version, doc.message = codes, doc.meta_version + 1, "métadonnées mises à jour"
            self._documents().save(doc)
            return {**doc.to_json(), "outcome": "updated"}
        why = reply.unavailable or reply.fault or "; ".join(f"{e['code']}: {e['context']}" for e in reply.errors)
        return {**doc.to_json(), "outcome": "error", "message": why}

    # -- retrieval and integration ------------------------------------------------------------
    def retrieve(self, person_id: str, data: Any) -> dict[str, Any]:
        kind = data.get("kind") if isinstance(data, dict) else None
        if kind not in RETRIEVABLE:
            raise InvalidInput(f"kind must be one of {', '.join(RETRIEVABLE)}, not {kind!r}")
        patient = self._patient(person_id)
        type_code, format_code = RETRIEVABLE[kind]
        # the person's opposition (SC.DMP/CONF.06), TD0.2 (SC.DMP/UX.08), the authorisation set (SC.DMP/UX.50)
        refused = consent.access_refused(self, person_id, patient)
        if refused is not None:
            return {"outcome": "blocked", "message": refused, "integrated": [], "rejected": []}
        reply = self._call(
            "ITI-18",
            patient,
            find_documents(self._cx(patient), [type_code], with_status="dmp_find_without_status" not in self.defects),
        )
        if not reply.ok:
            return {
                "outcome": "error",
                "message": reply.unavailable or reply.fault or str(reply.errors),
                "integrated": [],
                "rejected": [],
            }
        known = self._documents().integrated_unique_ids()
        wanted = [e for e in query_entries(reply) if e["format_code"] == format_code and e["unique_id"] not in known]
        integrated: list[dict[str, Any]] = []
        rejected: list[dict[str, Any]] = []
        for repository in sorted({e["repository"] for e in wanted}):
            unique_ids = [e["unique_id"] for e in wanted if e["repository"] == repository]
            answer = self._call("ITI-43", patient, retrieve(repository, unique_ids), attachments={})
            for unique, content in retrieved(answer).items():
                outcome = self._integrate(person_id, patient, kind, unique, content)
                (integrated if outcome.get("status") == "integrated" else rejected).append(outcome)
        return {"outcome": "ok", "found": len(wanted), "integrated": integrated, "rejected": rejected}

    def _integrate(self, person_id: str, patient: Patient, kind: str, unique: str, content: bytes) -> dict[str, Any]:
        try:
            root = etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
        except etree.XMLSyntaxError as exc:
            return {"document_id": unique, "status": "rejected", "message": f"CDA illisible: {exc}"}
        ns = {"c": V3}
        ins = str((root.xpath("c:recordTarget/c:patientRole/c:id/@extension", namespaces=ns) or [""])[0])
        family = str(
            (
                root.xpath(
                    "c:recordTarget/c:patientRole/c:patient/c:name/c:family[@qualifier='BR']/text()", namespaces=ns
                )
                or [""]
            )[0]
        )
        target = person_id
        if "dmp_integrate_wrong_person" in self.defects:  # homonyms: matched on the birth name only
            target = next((r.person_id for r in self.dui.store.list() if r.traits.birth_name == family), person_id)
        elif ins != patient.ins:
            return {
                "document_id": unique,
                "status": "rejected",
                "message": f"INS du document {ins} ≠ INS de l'usager {patient.ins}: non intégré",
            }
        doc = DmpDocument(
            unique,
            target,
            "integrated",
            kind,
            "integrated",
            content,
            ins=ins,
            message="intégré depuis le DMP / integrated from the DMP",
        )
        self._documents().save(doc)
        return doc.to_json()

    def documents(self, person_id: str) -> list[dict[str, Any]]:
        if self.dui.store.get(person_id) is None:
            raise UnknownPerson(f"unknown person {person_id!r}")
        return [d.to_json() for d in self._documents().of_person(person_id)]

    def reset(self) -> None:
        self._documents().reset()


def _when(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)
