"""What the reference DUI does for each trigger-API operation (store, INSi strategy, defects).

The HTTP layer (:mod:`reference_dui.app`) only decodes JSON and maps exceptions to statuses:
:class:`~reference_dui.identity.InvalidInput` → 400, :class:`UnknownPerson` → 404.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from reference_dui.config import DUI_NAME, EDITOR, VERSION, ReferenceDuiConfig, pki_paths
from reference_dui.features import load_features
from reference_dui.identity import (
    INS_OIDS,
    OID_NIA,
    OID_NIR,
    InvalidInput,
    Traits,
    key_is_valid,
    may_exchange_ins,
    query_plan,
    status_for,
)
from reference_dui.ins_rules import Restriction, tiq_refusal, with_blank_tiq_kept
from reference_dui.insi_client import InsiAnswer, InsiClient, InsiQuery, InsNumber, RequestSettings, VitaleQuery
from reference_dui.store import PersonRecord, Store, StoredIns

__all__ = ["DOCUMENT_TYPES", "DuiService", "NoPscSession", "UnknownPerson"]

DOCUMENT_TYPES = ("CNI", "PASSEPORT", "TITRE_SEJOUR", "LIVRET_FAMILLE", "EXTRAIT_NAISSANCE")
OID_LABELS = {
    OID_NIR: "INS-NIR",
    OID_NIA: "INS-NIA",
    "1.2.250.1.213.1.4.10": "INS-NIR de test",
    "1.2.250.1.213.1.4.11": "INS-NIR de démonstration",
}

#: the INS-NIR test OID (only written by the ``ins_test_oid`` defect)
OID_NIR_TEST = "1.2.250.1.213.1.4.10"


class UnknownPerson(LookupError):
    """No person with this id (answered 404)."""


class NoPscSession(InvalidInput):
    """A PSC-backed INSi call without a Pro Santé Connect session (answered 400)."""


@dataclass
class _Search:
    outcome: str
    cr: str | None
    message: str
    calls: int
    answer: InsiAnswer | None = None
    insi_failed: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "cr": self.cr, "message": self.message, "calls": self.calls}


def _document(data: Any) -> tuple[str, bool]:
    if not isinstance(data, dict):
        raise InvalidInput("identity_document must be a JSON object {type, verified}")
    doc_type, verified = data.get("type"), data.get("verified")
    if doc_type not in DOCUMENT_TYPES:
        raise InvalidInput(f"identity_document.type must be one of {', '.join(DOCUMENT_TYPES)}")
    if not isinstance(verified, bool):
        raise InvalidInput("identity_document.verified must be a boolean")
    return doc_type, verified


def _cpx_professional(data: Any) -> str | None:
    """The professional of a CPx-mode search (``{"authentication": "cpx", "professional": id}``), or None."""
    if data is None or (isinstance(data, dict) and data.get("authentication", "organisation") == "organisation"):
        return None
    if not isinstance(data, dict) or data.get("authentication") != "cpx":
        raise InvalidInput("the body must be {authentication: organisation | cpx, professional?: national id}")
    professional = data.get("professional")
    if not isinstance(professional, str) or not professional.strip() or len(professional) > 64:
        raise InvalidInput("professional must be the professional's national id (idNat) for a CPx search")
    return professional.strip()


def _pem(value: Any, name: str) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, str) or not Path(value).is_file():
        raise InvalidInput(f"insi.{name} must be the path of a readable PEM file, not {value!r}")
    return Path(value)


class DuiService:
    """The reference DUI's behaviour, shared by every request of one running DUI."""

    def __init__(self, config: ReferenceDuiConfig, store: Store | None = None) -> None:
        self._config = config
        self._config_lock = threading.Lock()
        self.store = store or Store(config.db_path)
        self.instance = str(uuid.uuid4())
        #: why a person may not be searched nor qualified (rule 25: doubtful, fictitious), from the features
        self.restrictions: list[Restriction] = []
        #: rule 16: told of every access and change of an identity ``(person_id, action, detail)``
        self.identity_events: list[Callable[[str, str, str], None]] = []
        #: SC.INS/PSC.01: told of the INSi calls the journal keeps (``GET /insi/trace``)
        self.insi_events: list[Callable[[dict[str, Any]], None]] = []
        self.features = load_features(self)
        self._last_ins: StoredIns | None = None  # only read by the ``insi_stale_answer`` defect
        #: the mail error that put the DUI out of order (only set by the ``mss_error_breaks_dui`` defect)
        self.mail_failure: str | None = None

    @property
    def config(self) -> ReferenceDuiConfig:
        with self._config_lock:
            return self._config

    # -- administration ------------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        defects = sorted(self.config.defects)
        build = f"reference-dui-{VERSION}" + ("+" + "+".join(defects) if defects else "")
        return {"name": DUI_NAME, "version": VERSION, "editor": EDITOR, "build_id": build, "defects": defects}

    def reset(self) -> None:
        self.mail_failure = None
        for feature in self.features:
            feature.reset()
        self.store.reset()

    def configure_endpoints(self, data: Any) -> None:
        if not isinstance(data, dict):
            raise InvalidInput("the body must be a JSON object {insi: {url, client_cert, client_key, ca}}")
        for feature in self.features:
            feature.configure(data)
        insi = data.get("insi")
        if insi is None:
            return
        if not isinstance(insi, dict) or not isinstance(insi.get("url"), str):
            raise InvalidInput("insi must be an object with a url")
        parts = urlsplit(insi["url"])
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InvalidInput(f"insi.url must be an http(s) URL, not {insi['url']!r}")
        cert, key, ca = (_pem(insi.get(k), k) for k in ("client_cert", "client_key", "ca"))
        with self._config_lock:
            self._config = self._config.with_insi(insi["url"], cert, key, ca)

    # -- persons -------------------------------------------------------------------------
    def _get(self, person_id: str) -> PersonRecord:
        record = self.store.get(person_id)
        if record is None:
            raise UnknownPerson(f"unknown person {person_id!r}")
        return record

    def identity_record(self, person_id: str) -> PersonRecord:
        """The stored record of ``person_id`` (:class:`UnknownPerson` when there is none)."""
        return self._get(person_id)

    @staticmethod
    def stored_ins(value: str, oid: str) -> StoredIns:
        return StoredIns(value, oid)

    def search_traits(self, traits: Traits) -> _Search:
        """The INSi strategy for these traits (CR 00 answer kept in ``answer``, nothing stored)."""
        return self._search(traits, self.config)

    def create_person(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise InvalidInput("the body must be a JSON object {traits, identity_document?, local_id?}")
        if "traits" not in data:
            raise InvalidInput("missing field: traits")
        traits = Traits.from_json(data["traits"])
        doc_type, verified = (None, False)
        if data.get("identity_document") is not None:
            doc_type, verified = _document(data["identity_document"])
        local_id = data.get("local_id")
        if local_id is not None and not isinstance(local_id, str):
            raise InvalidInput("local_id must be a string")
        status = status_for(insi_confirmed=False, document_verified=verified)
        if verified and self.config.has("qualify_without_insi"):
            status = "QUAL"
        if self.config.has("document_nature_not_recorded"):
            doc_type = "AUTRE" if doc_type else None  # defect: a generic value, the nature (CNI, passport…) is lost
        record = self.store.create(
            traits, status, local_id=local_id, document_type=doc_type, document_verified=verified
        )
        self.identity_event(record.person_id, "creation", f"identité créée, statut {status}")
        return self._identity_json(record)

    def list_persons(self) -> list[dict[str, Any]]:
        return [self._identity_json(r) for r in self.store.list()]

    def identity(self, person_id: str) -> dict[str, Any]:
        answer = self._identity_json(self._get(person_id))
        self.identity_event(person_id, "access", "consultation de l'identité")
        return answer

    def identity_event(self, person_id: str, action: str, detail: str) -> None:
        """Rule 16: tell the observers (:attr:`identity_events`) of an access or a change."""
        for observer in self.identity_events:
            observer(person_id, action, detail)

    def exchange_identity(self, person_id: str) -> dict[str, Any]:
        record = self._get(person_id)
        share = may_exchange_ins(record.status) or self.config.has("share_unqualified_ins")
        ins = record.ins.to_json() if share and record.ins is not None else None
        if ins is not None and self.config.has("share_ins_c_oid"):
            ins["oid"] = "1.2.250.1.213.1.4.2"  # a legacy export mapping still writing the INS-C OID
        return {
            "person_id": record.person_id,
            "traits": record.traits.to_json(),
            "ins": ins,
            "status": record.status,
        }

    def check_document(self, person_id: str, data: Any) -> dict[str, Any]:
        doc_type, verified = _document(data)
        record = self._get(person_id)
        record.document_type = "AUTRE" if self.config.has("document_nature_not_recorded") else doc_type
        record.document_verified = record.document_verified or verified
        if record.document_verified and self.config.has("qualify_without_insi"):
            record.status = "QUAL"
        else:
            record.status = status_for(
                insi_confirmed=record.ins is not None, document_verified=record.document_verified
            )
        if self.restricted(record) is not None:
            record.status = "PROV"  # rules 21 and 25: a doubtful or fictitious identity stays provisional
        self.store.save(record)
        return self._identity_json(record)

    def restricted(self, record: PersonRecord) -> str | None:
        """Why this identity may not be searched with INSi nor qualified (rule 25), or None."""
        for restriction in self.restrictions:
            reason = restriction(record)
            if reason is not None:
                return reason
        return None

    @staticmethod
    def _identity_json(record: PersonRecord) -> dict[str, Any]:
        return {
            "person_id": record.person_id,
            "local_id": record.local_id,
            "traits": record.traits.to_json(),
            "ins": record.ins.to_json() if record.ins is not None else None,
            "ins_history": [h.to_json() for h in record.ins_history],
            "status": record.status,
            "identity_document": {"type": record.document_type, "verified": record.document_verified}
            if record.document_type
            else None,
            "last_insi": record.last_insi,
        }

    # -- INSi ------------------------------------------------------------------------------
    def insi_lookup(self, person_id: str, data: Any = None) -> dict[str, Any]:
        record = self._get(person_id)
        cfg = self.config
        psc = isinstance(data, dict) and data.get("authentication") == "psc"
        cpx = None if psc else _cpx_professional(data)
        bearer = self._psc_token() if psc else None
        blocked = self.restricted(record)
        if blocked is not None:  # rule 25: no INSi call for a doubtful or fictitious identity
            search = _Search("error", None, blocked, 0)
            record.last_insi = search.to_json()
            self.store.save(record)
            return search.to_json()
        card = data.get("card") if isinstance(data, dict) else None
        if isinstance(card, dict) and not cfg.has("insi_vitale_ignored"):  # SC.INS.28A: the card read
            search = self._search_vitale(card, cfg)
        else:
            search = self._search(record.traits, cfg, cpx, bearer)
        if psc:
            self.insi_event(
                {
                    "operation": "search",
                    "authentication": "psc",
                    "person_id": person_id,
                    "professional": self._psc_professional(),
                    "cr": search.cr,
                    "calls": search.calls,
                }
            )
        if search.answer is not None:
            search = self._accept(record, search, cfg)
        if search.outcome != "found":
            if search.insi_failed and cfg.has("lose_person_on_insi_error"):
                self.store.delete(person_id)
                return search.to_json()
            if record.document_verified and cfg.has("qualify_without_insi"):
                record.status = "QUAL"
            if search.outcome == "not_found" and cfg.has("insi_stale_answer") and self._last_ins is not None:
                record.ins = self._last_ins  # the previous lookup's INS, kept in a cache keyed on nothing
        record.last_insi = search.to_json()
        self.store.save(record)
        return search.to_json()

    def _psc_feature(self) -> Any:
        return next((f for f in self.features if callable(getattr(f, "access_token", None))), None)

    def _psc_token(self) -> str | None:
        """SC.INS/PSC.01: the access token of the professional's Pro Santé Connect session."""
        feature = self._psc_feature()
        token = feature.access_token() if feature is not None else None
        if not token:
            raise NoPscSession(
                "aucune session Pro Santé Connect : connectez d'abord le professionnel (POST /psc/login)"
            )
        return None if self.config.has("insi_psc_token_missing") else token  # defect: the organisation's call

    def _psc_professional(self) -> str | None:
        feature = self._psc_feature()
        found = feature.current_professional() if feature is not None else None
        return str(found) if found else None

    def insi_event(self, entry: dict[str, Any]) -> None:
        """An INSi call for the DUI's journal (:attr:`insi_events`, read back by ``GET /insi/trace``)."""
        for observer in self.insi_events:
            observer(entry)

    def _client(self, cfg: ReferenceDuiConfig, cpx: str | None = None, bearer: str | None = None) -> InsiClient:
        cert = (cfg.client_cert, cfg.client_key) if cfg.client_cert is not None else None
        if cpx is not None:
            cert = None  # individual CPx mode: the professional's AssertionPs, not the organisation certificate
            if cfg.has("cpx_anonymous_assertion"):
                cpx = ""
        elif cfg.has("wrong_cert_cn"):
            cert = pki_paths(cfg.pki_dir, "client-wrong-cn")[:2] if cfg.pki_dir is not None else None
        settings = RequestSettings(
            idam=cfg.idam,
            lps_name=cfg.lps_name,
            lps_version=cfg.lps_version,
            instance=self.instance,
            emetteur=cfg.idam,
            with_ctxlps=not cfg.has("no_ctxlps"),
            with_ctxbam=not cfg.has("no_ctxbam"),
            standard_lps=not cfg.has("bad_lps_nom"),
            soap11_content_type=cfg.has("insi_soap11_content_type"),
            cpx_professional=cpx,
            bearer_token=bearer,
        )
        assert cfg.insi_url is not None
        return InsiClient(cfg.insi_url, settings, cert=cert, ca=cfg.ca_cert, timeout=cfg.timeout)

    def _search(
        self, traits: Traits, cfg: ReferenceDuiConfig, cpx: str | None = None, bearer: str | None = None
    ) -> _Search:
        """Run the INSi strategy up to the first CR 00, an error, or the end of the plan."""
        if not cfg.insi_url:
            return _Search("error", None, "téléservice INSi non configuré", 0)
        if traits.sex not in ("M", "F"):
            return _Search("error", None, "recherche INSi impossible: le sexe doit être M ou F", 0)
        date = traits.birth_date
        if cfg.has("bad_date_format"):
            date = f"{date[8:10]}/{date[5:7]}/{date[:4]}"
        last: InsiAnswer | None = None
        calls = 0
        with self._client(cfg, cpx, bearer) as client:
            for prenom in query_plan(traits.first_names, retry=not cfg.has("first_name_only")):
                query = InsiQuery(traits.birth_name, (prenom,), traits.sex, date, traits.birth_place)
                last = client.search(query)
                calls += 1
                if last.error is not None:
                    return _Search("error", last.cr, last.error, calls, insi_failed=True)
                if last.cr == "00":
                    return _Search("found", "00", last.label or "OK", calls, answer=last)
                if last.cr not in ("01", "02"):
                    message = f"code retour INSi inattendu: {last.cr} {last.label or ''}".strip()
                    return _Search("error", last.cr, message, calls, insi_failed=True)
        assert last is not None
        outcome = "not_found" if last.cr == "01" else "ambiguous"
        why = "aucune identité trouvée" if last.cr == "01" else "plusieurs identités trouvées"
        return _Search(
            outcome, last.cr, f"INSi {last.cr}: {why} ({calls} interrogation(s)); identité conservée sans INS", calls
        )

    def _search_vitale(self, card: dict[str, Any], cfg: ReferenceDuiConfig) -> _Search:
        """One ``rechercherInsAvecCarteVitale`` call with what the card reader gave (SC.INS.28A)."""
        if not cfg.insi_url:
            return _Search("error", None, "téléservice INSi non configuré", 0)
        fields = {k: str(card.get(k) or "") for k in ("nir", "key", "birth_name", "birth_date", "birth_rank")}
        if not (fields["nir"] and fields["birth_name"] and fields["birth_date"]):
            raise InvalidInput("card needs nir, birth_name and birth_date (the Vitale card read)")
        query = VitaleQuery(
            fields["nir"],
            fields["key"] or None,
            fields["birth_name"],
            fields["birth_date"],
            fields["birth_rank"] or None,
        )
        with self._client(cfg) as client:
            answer = client.search(query)
        if answer.error is not None or answer.cr not in ("00", "01", "02"):
            message = answer.error or f"code retour INSi inattendu: {answer.cr} {answer.label or ''}".strip()
            return _Search("error", answer.cr, message, 1, insi_failed=True)
        if answer.cr == "00":
            return _Search("found", "00", answer.label or "OK", 1, answer=answer)
        why = "aucune identité trouvée" if answer.cr == "01" else "plusieurs identités trouvées"
        return _Search("not_found" if answer.cr == "01" else "ambiguous", answer.cr, f"INSi {answer.cr}: {why}", 1)

    def _accept(self, record: PersonRecord, search: _Search, cfg: ReferenceDuiConfig) -> _Search:
        """Store the INS of a CR 00 answer, after checking it (key, OID); may refuse it."""
        answer = search.answer
        assert answer is not None and answer.active is not None and answer.tiq is not None
        active: InsNumber = answer.active
        if cfg.has("store_histo_ins") and answer.history:
            active = answer.history[0]
        oid = OID_NIR if cfg.has("nia_as_nir") and active.oid == OID_NIA else active.oid
        if cfg.has("ins_test_oid") and oid != OID_NIA:
            oid = OID_NIR_TEST  # the qualification campaign's OID left hard-coded, whatever INSi returned
        key = active.key
        refused = tiq_refusal(
            answer.tiq,
            typed=record.traits,
            lunar_ok=cfg.has("insi_lunar_date_stored"),
            blank_ok=cfg.has("insi_blank_tiq_stored"),
            first_name_ok=cfg.has("skip_first_name_consistency"),
        )
        if refused is None and oid not in INS_OIDS:
            refused = f"OID {oid} inconnu (ni NIR, ni NIA, ni test, ni démonstration)"
        elif refused is None and cfg.has("wrong_ins_key"):
            key = f"{(int(key) + 1) % 100:02d}" if key.isdigit() else "00"
        elif refused is None and not key_is_valid(active.nir, active.key):
            refused = f"clé {active.key} invalide pour le matricule {active.nir}"
        if refused:
            return _Search("error", "00", f"INS refusé: {refused}; identité conservée sans INS", search.calls)
        record.ins = StoredIns(active.nir + key, oid)
        record.ins_history = [
            StoredIns(h.value, h.oid, h.date_deb, h.date_fin)
            for h in answer.history
            if h.oid in INS_OIDS and key_is_valid(h.nir, h.key)
        ]
        if not cfg.has("keep_typed_traits"):
            tiq = with_blank_tiq_kept(answer.tiq, record.traits)
            record.traits = record.traits.with_strict(
                tiq.birth_name, tiq.first_names, tiq.sex, tiq.birth_date, tiq.birth_place
            )
        record.status = status_for(insi_confirmed=True, document_verified=record.document_verified)
        self._last_ins = record.ins
        label = OID_LABELS.get(oid, oid)
        return _Search("found", "00", f"INS {record.ins.value} ({label}) enregistré", search.calls)
