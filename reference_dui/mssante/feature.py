"""MSSanté in the reference DUI: trigger API routes, sending documents, fetching and integrating mail.

=======  ==================================  ===============================================
POST     /persons/{pid}/mss/messages         send a note about the person (professional,
                                             organisation, patient), with or without an ack
GET      /persons/{pid}/mss/documents        documents received and integrated for the person
POST     /mss/fetch                          read unread mail, integrate, acknowledge
GET      /mss/acknowledgements               the MDNs sent
POST     /mss/messages/reply                 answer a message fetched earlier (In-Reply-To, References)
POST     /mss/messages/read                  the user opens a message fetched earlier (read receipt if asked)
PUT      /persons/{pid}/mss/refusal          record the person's refusal of sending (to them, to professionals)
GET      /mss/worklist                       received documents not attached, kept for manual attachment
PUT/GET  /persons/{pid}/mss/correspondents   the person's correspondents (at least 10: SC.MSS.14.MS1)
GET      /mss/document-trace                 received documents replaced or deleted by MSSanté (SC.MSS.24.MS1)
POST     /mss/autoconfig                     autoconfigure a mailbox, then test the connection (SC.MSS/CONF.04)
POST     /annuaire/import                    integrate the Annuaire Santé extraction of MSSanté addresses
GET      /annuaire/search?name=&rpps=        find a correspondent's address in it
=======  ==================================  ===============================================

Configured by the ``mssante`` entry of ``PUT /config/endpoints`` (host, ports, mailbox,
password or client certificate, CA). Defect switches prefixed ``mss_`` break one rule each.
"""

from __future__ import annotations

import smtplib
import threading
from collections.abc import Mapping
from dataclasses import replace
from email.message import EmailMessage, Message
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from reference_dui.app import ApiError, guarded, json_body
from reference_dui.identity import InvalidInput
from reference_dui.mssante.annuaire import MssAnnuaire
from reference_dui.mssante.autoconfig import autoconfigure
from reference_dui.mssante.correspondents import Correspondents
from reference_dui.mssante.mail import MailboxClient, MailSettings, mdn_message
from reference_dui.mssante.read_receipt import MAX_KEPT, send_read_receipt
from reference_dui.mssante.receive import ERRORS, decide, documents_of, parse, stylesheet_href, stylesheets_of
from reference_dui.mssante.reply import Received, headers_of, reply_message
from reference_dui.mssante.send import compose
from reference_dui.mssante.storage import MssStorage
from reference_dui.mssante.tls_policy import CrlCache, with_security_defects
from reference_dui.mssante.updates import DocumentLifecycle, deleted_ids, replaced_id
from reference_dui.service import UnknownPerson
from reference_dui.store import PersonRecord

if TYPE_CHECKING:
    from reference_dui.service import DuiService

__all__ = ["MssFeature", "create"]

KO_SUBJECT = "[KO Intégration système !]"


def _pem(entry: Mapping[str, Any], name: str) -> Path | None:
    value = entry.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not Path(value).is_file():
        raise InvalidInput(f"mssante.{name} must be the path of a readable PEM file, not {value!r}")
    return Path(value)


def _settings(entry: Any) -> MailSettings:
    if not isinstance(entry, Mapping) or not isinstance(entry.get("address"), str):
        raise InvalidInput("mssante must be an object {host, smtp_port, imap_port, address, password|client_cert}")
    for name in ("smtp_port", "imap_port"):
        if not isinstance(entry.get(name), int):
            raise InvalidInput(f"mssante.{name} must be a port number")
    return MailSettings(
        str(entry.get("host") or "127.0.0.1"),
        entry["smtp_port"],
        entry["imap_port"],
        entry["address"],
        entry.get("password") or None,
        _pem(entry, "client_cert"),
        _pem(entry, "client_key"),
        _pem(entry, "ca"),
        bool(entry.get("tls", True)),
        reply_to=str(entry["reply_to"]) if isinstance(entry.get("reply_to"), str) else None,
        annuaire_url=str(entry["annuaire_url"]) if isinstance(entry.get("annuaire_url"), str) else None,
        crl_url=entry["crl_url"] if isinstance(entry.get("crl_url"), str) else None,
        smtps_port=entry["smtps_port"] if isinstance(entry.get("smtps_port"), int) else None,
        imaps_port=entry["imaps_port"] if isinstance(entry.get("imaps_port"), int) else None,
    )


class MssFeature:
    name = "mssante"

    def __init__(self, service: DuiService) -> None:
        self.service = service
        self.storage = MssStorage(service.store)
        self._settings: MailSettings | None = None
        self._crls = CrlCache()  # the last valid CRLs outlive a change of endpoints (SC.MSS/CONF.22)
        self._lock = threading.Lock()
        self._received: dict[str, Received] = {}  # Message-ID -> what an answer needs
        self._to_read: dict[str, Message] = {}  # Message-ID -> a received message asking a read receipt
        self._refusals: dict[str, set[str]] = {}  # person -> refused recipients (patient, professionals)
        self.annuaire = MssAnnuaire()
        self.worklist: list[dict[str, Any]] = []  # received documents not attached: for manual attachment
        self.lifecycle = DocumentLifecycle(service.store)  # received documents replaced or deleted
        self.correspondents = Correspondents()

    def _client(self) -> MailboxClient:
        if self._settings is None:
            raise ApiError(409, "MSSanté not configured (PUT /config/endpoints with an mssante entry)")
        settings = with_security_defects(self._settings, self._has, self._crls)
        if self._has("mss_smtp_stale_password") and settings.password:  # not updated after a rotation
            # a DUI logging in by password (no certificate: the certificate would authenticate the application
            # mailbox whatever the password, SC.MSS/CONF.12) whose SMTP password was not updated
            stale = replace(settings, smtp_password=settings.password + "-2025", client_cert=None, client_key=None)
            return MailboxClient(stale)
        return MailboxClient(settings)

    def _person(self, person_id: str) -> PersonRecord:
        record = self.service.store.get(person_id)
        if record is None:
            raise UnknownPerson(f"unknown person {person_id!r}")
        return record

    def _has(self, defect: str) -> bool:
        return self.service.config.has(defect)

    # -- sending --------------------------------------------------------------------------
    def send(self, person_id: str, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict) or not isinstance(data.get("recipient"), dict):
            raise InvalidInput("the body must be {recipient: {kind, address?}, acknowledgement?, visible_to_patient?}")
        record = self._person(person_id)
        client = self._client()
        refused = set() if self._has("mss_ignore_refusal") else self._refusals.get(person_id, set())
        composed = compose(
            record,
            data,
            client.settings.address,
            self.service.config.defects,
            reply_to=client.settings.reply_to,
            refused=refused,
        )
        if composed.reason is not None:
            return {
                "status": "not_sent",
                "message_id": None,
                "recipients": [],
                "document_id": None,
                "reason": composed.reason,
            }
        assert composed.message is not None
        try:
            client.send(composed.message, [composed.recipient])
        except (smtplib.SMTPException, OSError) as exc:
            return {
                "status": "error",
                "message_id": None,
                "recipients": [composed.recipient],
                "document_id": composed.document_id,
                "reason": f"{type(exc).__name__}: {exc}",
            }
        return {
            "status": "sent",
            "message_id": str(composed.message["Message-ID"]),
            "recipients": [composed.recipient],
            "document_id": composed.document_id,
            "reason": None,
        }

    # -- receiving ------------------------------------------------------------------------
    def fetch(self) -> dict[str, Any]:
        client = self._client()
        outcomes: list[dict[str, Any]] = []
        with self._lock:
            for _uid, raw in client.unread():
                outcomes.append(self._handle(client, raw))
        return {"messages": outcomes}

    def _handle(self, client: MailboxClient, raw: bytes) -> dict[str, Any]:
        message = parse(raw)
        message_id = str(message.get("Message-ID", "")) if message is not None else ""
        kept = headers_of(message) if message is not None else None
        if kept is not None:
            self._received[kept.message_id] = kept
            if message is not None and message.get("Disposition-Notification-To"):  # for its read receipt
                self._to_read[kept.message_id] = message
                while len(self._to_read) > MAX_KEPT:
                    self._to_read.pop(next(iter(self._to_read)))
        if message is None or not message_id or self.storage.seen(message_id):
            return {
                "message_id": message_id,
                "outcome": "ignored",
                "person_id": None,
                "error_code": None,
                "acknowledgement_sent": False,
            }
        documents = documents_of(message)
        if not documents:
            self.storage.handled(message_id, "ignored", None, None, False)
            return {
                "message_id": message_id,
                "outcome": "ignored",
                "person_id": None,
                "error_code": None,
                "acknowledgement_sent": False,
            }
        persons = self.service.store.list()
        decisions = [
            decide(
                patient,
                persons,
                wrong_person=self._has("mss_integrate_wrong_person"),
                check_traits=not self._has("mss_skip_trait_check"),
            )
            for _, patient in documents
        ]
        error = next((d.error_code for d in decisions if d.error_code), None)
        person_id = None
        if error is None:
            deleted = set() if self._has("mss_ignore_received_deletion") else deleted_ids(message)
            for (content, patient), decision in zip(documents, decisions, strict=True):
                assert patient is not None and decision.person_id is not None
                person_id = decision.person_id
                if patient.document_id in deleted:  # a deletion (SC.MSS.23.MS1): flagged, kept, traced
                    self._changed(patient.document_id, person_id, "deleted", message_id, None)
                    continue
                self.storage.integrate(person_id, patient.document_id, patient.code, patient.title, message_id, content)
                self._keep_stylesheet(person_id, patient.document_id, content, message)
                parent = None if self._has("mss_ignore_received_replacement") else replaced_id(content)
                if parent:  # a new version, "annule et remplace" (SC.MSS/UX.05)
                    self._changed(parent, person_id, "replaced", message_id, patient.document_id)
        if error is not None and not self._has("mss_drop_unmatched"):  # kept for manual attachment (SC.MSS.25.MS1)
            self.worklist += [
                {"document_id": patient.document_id if patient else "", "message_id": message_id, "error_code": error}
                for _, patient in documents
            ]
        acknowledged = False
        asked = bool(message.get("Disposition-Notification-To")) or (error is None and self._has("mss_mdn_unasked"))
        if asked and not (error and self._has("mss_no_error_mdn")):
            acknowledged = self._acknowledge(client, message, error)
        self.storage.handled(message_id, "rejected" if error else "integrated", person_id, error, acknowledged)
        return {
            "message_id": message_id,
            "outcome": "rejected" if error else "integrated",
            "person_id": person_id,
            "error_code": error,
            "acknowledgement_sent": acknowledged,
        }

    def _keep_stylesheet(self, person_id: str, document_id: str, content: bytes, message: EmailMessage) -> None:
        """The producer's stylesheet the CDA names, shipped in the archive, kept with it (SC.CDA/INT.15)."""
        href = stylesheet_href(content)
        sheet = stylesheets_of(message).get(href) if href else None
        if sheet is not None and not self._has("mss_drop_stylesheet"):
            self.storage.keep_stylesheet(person_id, document_id, href or "", sheet)

    def _changed(self, document_id: str, person_id: str, action: str, message_id: str, by: str | None) -> None:
        traced = not self._has("mss_no_update_trace")  # SC.MSS.24.MS1
        self.lifecycle.change(document_id, person_id, action, message_id, by=by, traced=traced)

    def _acknowledge(self, client: MailboxClient, original: Any, error: str | None) -> bool:
        subject = str(original.get("Subject", ""))
        if error is None:
            disposition = "automatic-action/MDN-sent-automatically; processed"
            human = "Le document a été intégré dans le dossier de l'usager."
            title = f"Accusé de traitement : {subject}"
        else:
            label = ERRORS[error]
            disposition = f"automatic-action/MDN-sent-automatically; processed/Error: {error}^{label}"
            human = f"Le document n'a pas pu être intégré.\nLe système a retourné l'erreur {error}^{label}"
            title = f"{KO_SUBJECT}[{error}] {subject}"
        mdn = mdn_message(
            client.settings.address,
            original,
            disposition,
            human,
            title,
            with_nil=not self._has("mss_no_nil"),
            with_final_recipient=not self._has("mss_mdn_no_final_recipient"),
        )
        recipient = str(original.get("Disposition-Notification-To", "") or original.get("From", "")).strip()
        recipient = recipient.rpartition("<")[2].strip(">") if "<" in recipient else recipient
        try:
            client.send(mdn, [recipient])
        except (smtplib.SMTPException, OSError):
            return False
        self.storage.acknowledged(
            str(original.get("Message-ID", "")), str(mdn["Message-ID"]), recipient, disposition, error
        )
        return True

    # -- answers and refusals --------------------------------------------------------------
    def read(self, data: Any) -> dict[str, Any]:
        """The user opens a fetched message (SC.MSS/UX.34: its read receipt when it asked for one)."""
        if not isinstance(data, dict) or not isinstance(data.get("message_id"), str):
            raise InvalidInput("the body must be {message_id}")
        message_id = data["message_id"].strip()
        if message_id not in self._received:
            raise ApiError(404, f"no fetched message {message_id!r} (fetch the mailbox first)")
        original = self._to_read.pop(message_id, None)
        if original is None:
            return {"read": True, "receipt": "not_asked", "message_id": None}
        return send_read_receipt(self._client(), original, self.service.config.defects)

    def reply(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict) or not isinstance(data.get("message_id"), str):
            raise InvalidInput("the body must be {message_id, text?}")
        original = self._received.get(data["message_id"].strip())
        if original is None or not original.answer_to:
            raise ApiError(404, f"no fetched message {data['message_id']!r} to answer (fetch the mailbox first)")
        client = self._client()
        message = reply_message(
            original,
            client.settings.address,
            client.settings.reply_to,
            str(data.get("text") or "Bien reçu, merci."),
            self.service.config.defects,
        )
        try:
            client.send(message, [original.answer_to])
        except (smtplib.SMTPException, OSError) as exc:
            return {
                "status": "error",
                "message_id": None,
                "recipients": [original.answer_to],
                "document_id": None,
                "reason": f"{type(exc).__name__}: {exc}",
            }
        return {
            "status": "sent",
            "message_id": str(message["Message-ID"]),
            "recipients": [original.answer_to],
            "document_id": None,
            "reason": None,
        }

    def refuse(self, person_id: str, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict) or not all(
            isinstance(data.get(k, False), bool) for k in ("patient", "professionals")
        ):
            raise InvalidInput("the body must be {patient: bool, professionals: bool}")
        self._person(person_id)
        refused = {k for k in ("patient", "professionals") if data.get(k)}
        self._refusals[person_id] = refused
        return {"person_id": person_id, "patient": "patient" in refused, "professionals": "professionals" in refused}

    # -- Annuaire Santé -------------------------------------------------------------------
    def import_annuaire(self) -> dict[str, Any]:
        settings = self._client().settings
        try:
            count = self.annuaire.integrate(settings.annuaire_url, settings.ca, self.service.config.defects)
        except (OSError, ValueError) as exc:
            raise ApiError(502, f"Annuaire Santé extraction unavailable: {exc}") from exc
        return {"entries": count}

    def autoconfigure(self, data: Any) -> dict[str, Any]:
        settings = self._client().settings
        try:
            return autoconfigure(data, settings, self.service.config.defects)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc
        except OSError as exc:
            raise ApiError(502, f"autoconfiguration document unavailable: {exc}") from exc

    def search_annuaire(self, name: str, rpps: str) -> dict[str, Any]:
        return {"results": self.annuaire.search(name, rpps, self.service.config.defects)}

    # -- Feature --------------------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        async def send(request: Request) -> Response:
            data = await json_body(request)
            return JSONResponse(await run_in_threadpool(self.send, request.path_params["pid"], data))

        async def documents(request: Request) -> Response:
            pid = request.path_params["pid"]
            await run_in_threadpool(self._person, pid)
            found = await run_in_threadpool(self.storage.documents, pid)
            return JSONResponse(await run_in_threadpool(self.lifecycle.with_status, pid, found))

        async def fetch(request: Request) -> Response:
            return JSONResponse(await run_in_threadpool(self.fetch))

        async def acknowledgements(request: Request) -> Response:
            return JSONResponse(await run_in_threadpool(self.storage.acknowledgements))

        async def read(request: Request) -> Response:
            data = await json_body(request)
            return JSONResponse(await run_in_threadpool(self.read, data))

        async def reply(request: Request) -> Response:
            data = await json_body(request)
            return JSONResponse(await run_in_threadpool(self.reply, data))

        async def worklist(request: Request) -> Response:
            return JSONResponse(list(self.worklist))

        async def correspondents(request: Request) -> Response:
            pid = request.path_params["pid"]
            await run_in_threadpool(self._person, pid)
            if request.method == "PUT":
                self.correspondents.record(pid, await json_body(request), self.service.config.defects)
            return JSONResponse({"correspondents": self.correspondents.of(pid)})

        async def document_trace(request: Request) -> Response:
            return JSONResponse({"changes": await run_in_threadpool(self.lifecycle.trace)})

        async def autoconfig(request: Request) -> Response:
            data = await json_body(request)
            return JSONResponse(await run_in_threadpool(self.autoconfigure, data))

        async def annuaire_import(request: Request) -> Response:
            return JSONResponse(await run_in_threadpool(self.import_annuaire))

        async def annuaire_search(request: Request) -> Response:
            query = request.query_params
            return JSONResponse(self.search_annuaire(query.get("name", ""), query.get("rpps", "")))

        async def refusal(request: Request) -> Response:
            data = await json_body(request)
            return JSONResponse(await run_in_threadpool(self.refuse, request.path_params["pid"], data))

        return [
            Route("/persons/{pid}/mss/messages", guarded(send), methods=["POST"]),
            Route("/persons/{pid}/mss/documents", guarded(documents), methods=["GET"]),
            Route("/mss/fetch", guarded(fetch), methods=["POST"]),
            Route("/mss/acknowledgements", guarded(acknowledgements), methods=["GET"]),
            Route("/mss/messages/reply", guarded(reply), methods=["POST"]),
            Route("/mss/messages/read", guarded(read), methods=["POST"]),
            Route("/persons/{pid}/mss/refusal", guarded(refusal), methods=["PUT"]),
            Route("/mss/worklist", guarded(worklist), methods=["GET"]),
            Route("/persons/{pid}/mss/correspondents", guarded(correspondents), methods=["GET", "PUT"]),
            Route("/mss/document-trace", guarded(document_trace), methods=["GET"]),
            Route("/mss/autoconfig", guarded(autoconfig), methods=["POST"]),
            Route("/annuaire/import", guarded(annuaire_import), methods=["POST"]),
            Route("/annuaire/search", guarded(annuaire_search), methods=["GET"]),
        ]

    def configure(self, endpoints: Mapping[str, Any]) -> None:
        entry = endpoints.get("mssante")
        if entry is not None:
            self._settings = _settings(entry)

    def reset(self) -> None:
        self.storage.reset()
        self._received.clear()
        self._refusals.clear()
        self.annuaire = MssAnnuaire()
        self.worklist.clear()
        self.lifecycle.reset()
        self.correspondents.clear()

    def close(self) -> None:
        self._crls.close()


def create(service: DuiService) -> MssFeature:
    return MssFeature(service)
