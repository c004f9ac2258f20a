"""The INSi teleservice simulator: ``POST /lps``, real SOAP 1.2, checks on every request.

Each request is checked by :func:`harness.validators.insi_request.check_insi_request`; its
findings land on the recorded exchange. Answers, in this order:

1. an injected fault (``http_status``, ``delay``, ``soap_fault``) applies first;
2. an INS-INSI-04 error: wrong certificate CN → ``DESIR_560`` (the code and the CN rule are
   documented by padoa/tlsi-ins; the Subcode ``soap:siram_100`` is our assumption); no client
   certificate over TLS → a fault ``insi.tls.no_client_cert`` (our own code);
3. any other ERROR finding (INS-INSI-01/02/03/05, malformed or hostile input) → a Sender
   fault, Subcode ``soap:dui_harness``, ``siram:Erreur code`` = the first finding's rule id
   (codes and wording are our own: the real service's answer to such requests is unknown);
4. an IDAM outside ``accepted_idam`` → the real ``soap:siram_100`` / ``desir_550`` fault;
5. ``force_result`` (CR 01 or 02), else the identity base: one match → CR 00, none → 01,
   several → 02. A CR 00 answers the TIQ of the person with the ``tiq_overrides`` of the
   scenario state applied: identities as INSi holds some of them, with ``00`` as birth day or
   month or an empty birth name, first names or sex (rules 11 and 12 of the INS guide; the
   person is still *found* with the traits the DUI knows: an assumption, the real service's
   matching of such identities is not public).

Sender faults are HTTP 400, Receiver faults 500 (SOAP 1.2 Part 2 §7.5.2), oversized bodies
413, other methods than POST 405. Nothing raised by a request ever becomes a traceback.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from typing import Any

from starlette.routing import BaseRoute, Route

from harness.core.findings import Finding
from harness.core.ins import Traits
from harness.core.recorder import Exchange, Recorder
from harness.validators.insi_request import InsiRequestReport, check_insi_request
from harness.validators.insi_rules import OP_TRAITS, OP_VITALE
from mocks.common.faults import Fault
from mocks.common.pipeline import INLINE_BODY_BYTES, Answer, Call
from mocks.common.server import TlsSettings
from mocks.common.simulator import Simulator
from mocks.common.soap import SOAP12_CONTENT_TYPE
from mocks.insi.identity_base import IdentityBase, Person
from mocks.insi.psc_context import PscResolver, psc_context
from mocks.insi.responses import (
    DESIR_550_MESSAGE,
    DESIR_550_REASON,
    DESIR_560_REASON,
    fault_envelope,
    result_envelope,
)

__all__ = ["InsiSimulator"]

PATH = "/lps"
HARNESS_SUBCODE = "dui_harness"


@dataclass
class _Answer(Answer):
    content_type: str | None = SOAP12_CONTENT_TYPE
    cr: str | None = None
    person: Person | None = None
    fault: dict[str, Any] | None = None


#: longest identity trait searched (a birth name of 9 MB took 26 s of matching, on the event loop: issue 17)
MAX_TRAIT_CHARS = 255
#: an identity base up to this many persons is searched on the event loop (Pipeline.off_loop)
INLINE_PERSONS = 1000


def _overlong_trait(traits: Any) -> tuple[str, int] | None:
    """The first trait (name, length) longer than :data:`MAX_TRAIT_CHARS`, or None."""
    for name, value in dict(traits).items():
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            if isinstance(item, str) and len(item) > MAX_TRAIT_CHARS:
                return name, len(item)
    return None


def _soap_fault(
    status: int,
    code: str,
    message: str,
    *,
    subcode: str = HARNESS_SUBCODE,
    reason: str | None = None,
    severite: str = "erreur",
    message_id: str | None = None,
    soap_code: str = "Sender",
) -> _Answer:
    body = fault_envelope(
        subcode=subcode,
        code=code,
        message=message,
        reason=reason,
        severite=severite,
        message_id=message_id,
        soap_code=soap_code,
    )
    return _Answer(
        status,
        body,
        fault={"kind": "soap", "status": status, "code": code, "subcode": subcode, "message": reason or message},
    )


def _describe(findings: list[Finding], limit: int = 3) -> str:
    parts = [str(f) for f in findings[:limit]]
    more = f" (+{len(findings) - limit} autre(s) / more)" if len(findings) > limit else ""
    return "Requête INSi refusée / INSi request rejected: " + " | ".join(parts) + more


class InsiSimulator(Simulator):
    """Simulated INSi teleservice (DESIR_ICIR_EXP_1.5.0.wsdl), served at ``<url>/lps``.

    Args:
        recorder: the recorder shared by the run.
        port: 0 for a free port.
        tls: TLS settings; with ``client_ca`` the simulator checks the client certificate.
        identities: the identity base (the packaged one by default); ``reset()`` restores it.
        accepted_idam: None accepts any non-empty IDAM; a set answers others with desir_550.
    """

    service = "INS"
    fault_kinds = ("soap_fault", "force_result")
    allowed_methods = ("POST",)
    service_routes_first = True  # its one route, /lps, never matches a /_harness path

    def __init__(
        self,
        recorder: Recorder,
        *,
        port: int = 0,
        tls: TlsSettings | None = None,
        identities: IdentityBase | None = None,
        accepted_idam: set[str] | None = None,
    ) -> None:
        self._initial = identities if identities is not None else IdentityBase.load()
        self.identities = self._initial.copy()
        self._initial_idam = set(accepted_idam) if accepted_idam is not None else None
        self.accepted_idam = set(self._initial_idam) if self._initial_idam is not None else None
        self.psc_resolver: PscResolver | None = None  # SC.INS/PSC.01: set by trust_psc()
        self.inshisto_dates_first = True
        self.tiq_overrides: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        super().__init__(recorder, port=port, tls=tls)

    @property
    def endpoint(self) -> str:
        """The URL a DUI is configured with (``http(s)://127.0.0.1:<port>/lps``)."""
        return self.url + PATH

    # -- scenario state -------------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
        return [Route(PATH, self.handler(), methods=methods)]

    def state(self) -> dict[str, Any]:
        with self._lock:
            return {
                "endpoint": PATH,
                "identities": self.identities.summary(),
                "accepted_idam": sorted(self.accepted_idam) if self.accepted_idam is not None else None,
                "inshisto_dates_first": self.inshisto_dates_first,
                "tiq_overrides": dict(self.tiq_overrides),
            }

    def update_state(self, data: dict[str, Any]) -> None:
        """``{"add_persons": [...], "remove_persons": [ids], "accepted_idam": [...] | null,
        "inshisto_dates_first": bool, "tiq_overrides": {person id: {trait: value} | null}}``
        (INSHISTO dates before IdIndividu as in the real fixture TEST_2.04_cas2, or after OID as
        INSi_RESULTAT_INS.xsd orders them; the TIQ traits answered for a person instead of its own)."""
        unknown = set(data) - {
            "add_persons",
            "remove_persons",
            "accepted_idam",
            "inshisto_dates_first",
            "tiq_overrides",
        }
        if unknown:
            raise ValueError(
                f"unknown INSi state keys {sorted(unknown)}; known: add_persons, "
                "remove_persons, accepted_idam, inshisto_dates_first, tiq_overrides"
            )
        overrides = _tiq_overrides(data.get("tiq_overrides") or {})
        with self._lock:
            base = self.identities.copy()
            for person in data.get("add_persons") or []:
                base.add(person)
            for person_id in data.get("remove_persons") or []:
                base.remove(str(person_id))
            if "accepted_idam" in data:
                idam = data["accepted_idam"]
                self.accepted_idam = set(map(str, idam)) if idam is not None else None
            self.identities = base
            if "inshisto_dates_first" in data:
                self.inshisto_dates_first = bool(data["inshisto_dates_first"])
            for person_id, traits in overrides.items():
                if traits is None:
                    self.tiq_overrides.pop(person_id, None)
                else:
                    self.tiq_overrides[person_id] = traits

    def reset(self) -> None:
        super().reset()
        with self._lock:
            self.identities = self._initial.copy()
            self.accepted_idam = set(self._initial_idam) if self._initial_idam is not None else None
            self.inshisto_dates_first = True
            self.tiq_overrides = {}

    def oversize_response(self, reason: str) -> tuple[int, str, bytes]:
        answer = _soap_fault(413, "insi.http.oversized", f"Requête trop volumineuse / request too large: {reason}")
        return answer.status, SOAP12_CONTENT_TYPE, answer.body

    def serve_lines(self) -> list[str]:
        return [
            f"  INSi (SOAP 1.2, rechercherInsAvecTraitsIdentite): {self.endpoint}",
            f"      control API: {self.url}/_harness/exchanges, /_harness/faults, /_harness/state",
        ]

    # -- one request: the stages of mocks.common.pipeline ------------------------------------
    def refuse_method(self, call: Call, allowed: tuple[str, ...]) -> Answer:
        text = f"Method {call.request.method} not allowed: INSi accepts POST only\n"
        call.parsed = InsiRequestReport()
        return _Answer(
            405,
            text.encode(),
            "text/plain",
            headers={"Allow": "POST"},
            fault={"kind": "http", "status": 405, "message": text.strip()},
        )

    async def prepare(self, call: Call) -> Answer | None:
        tls = call.tls
        # a large body off the event loop: parsing and checking it never stalls the other clients (issue 17)
        call.parsed = report = await self.off_loop(
            len(call.body) <= INLINE_BODY_BYTES,
            check_insi_request,
            call.body,
            content_type=call.request.headers.get("content-type"),
            over_tls=call.over_tls,
            tls_subject=tls.get("client_subject"),
        )
        call.operation = report.operation
        self._psc_backed(report, call.request.headers.get("authorization"))
        return None

    def trust_psc(self, resolver: PscResolver | None) -> None:
        """Resolve the PSC access tokens of PSC-backed calls with ``resolver`` (``realm_resolver(psc)``)."""
        self.psc_resolver = resolver

    def _psc_backed(self, report: InsiRequestReport, authorization: str | None) -> None:
        """SC.INS/PSC.01 (our model): a Bearer PSC access token makes the call PSC-backed; PSC must know it."""
        context = psc_context(authorization, self.psc_resolver)
        if context is None:
            return
        report.auth_mode, report.psc = "PSC", context
        if context["known"] is True:
            report.professional = context["professional"]
        elif context["known"] is False:
            report.findings.append(
                Finding(
                    "insi.psc.token",
                    "INS-PSC-01",
                    f"le jeton d'accès Pro Santé Connect n'est pas reconnu par PSC / the PSC access token is not "
                    f"valid at PSC ({context['reason']}): a PSC-backed INSi call carries the professional's "
                    "current access token (SC.INS/PSC.01)",
                    location="HTTP Authorization: Bearer",
                )
            )

    def unavailable(self, call: Call, status: int, params: dict[str, Any]) -> Answer:
        default = f"Service INSi indisponible (dui-harness: injected HTTP {status})\n"
        text = str(params.get("body", default))
        return _Answer(
            status,
            text.encode(),
            "text/plain; charset=utf-8",
            fault={"kind": "http", "status": status, "message": text.strip()},
        )

    async def apply_fault(self, call: Call, fault: Fault) -> Answer | None:
        if fault.kind != "soap_fault":
            return None  # force_result: applied by respond() unless the request is rejected
        params = fault.params
        soap_code = str(params.get("soap_code", "Sender"))
        status = int(params.get("status", 400 if soap_code == "Sender" else 500))
        message = str(params.get("message", DESIR_550_MESSAGE))
        return _soap_fault(
            status,
            str(params.get("code", "desir_550")),
            message,
            subcode=str(params.get("subcode", "siram_100")),
            reason=params.get("reason"),
            severite=str(params.get("severite", "erreur")),
            message_id=call.parsed.message_id,
            soap_code=soap_code,
        )

    async def respond(self, call: Call) -> Answer:
        report: InsiRequestReport = call.parsed
        forced = call.fault if call.fault is not None and call.fault.kind == "force_result" else None
        answer = self._check_answer(report)
        if answer is None and forced is not None:
            cr = str(forced.params.get("cr", "02"))
            if cr not in ("01", "02"):
                return _soap_fault(
                    500,
                    "dui_harness.force_result",
                    f"fault force_result: cr must be 01 or 02, not {cr!r}",
                    soap_code="Receiver",
                )
            return _Answer(200, result_envelope(cr), cr=cr)
        if answer is not None:
            if forced is not None:
                call.fault_note = "(not applied: the request was rejected)"
            return answer
        # matching off the event loop, unless the base is small (a few µs per person)
        return await self.off_loop(len(self.identities) <= INLINE_PERSONS, self._search, report)

    def internal_error(self, call: Call, exc: Exception) -> Answer:
        if not isinstance(call.parsed, InsiRequestReport):
            call.parsed = InsiRequestReport()
        return _soap_fault(
            500, "dui_harness.internal", f"simulator error {type(exc).__name__}: {exc}", soap_code="Receiver"
        )

    def _check_answer(self, report: InsiRequestReport) -> _Answer | None:
        """The fault the findings call for (steps 2–4 of the module doc), or None."""
        errors = report.errors
        tls = [f for f in errors if f.requirement == "INS-INSI-04"]
        if tls and tls[0].rule == "insi.tls.cn":
            return _soap_fault(
                400,
                "DESIR_560",
                f"Niveau d'accès insuffisant : le CN du certificat doit être INSI-AUTO ou INSI-MANU. {tls[0].message}",
                subcode="siram_100",
                reason=DESIR_560_REASON,
                message_id=report.message_id,
            )
        if tls:
            return _soap_fault(
                400,
                tls[0].rule,
                "Aucun certificat client présenté : le mode serveur exige "
                f"un certificat IGC-Santé de CN INSI-AUTO ou INSI-MANU. {tls[0].message}",
                message_id=report.message_id,
            )
        if errors:
            return _soap_fault(400, errors[0].rule, _describe(errors), message_id=report.message_id)
        long = _overlong_trait(report.traits)
        if long is not None:
            return _soap_fault(
                400,
                "insi.trait.length",
                f"Trait d'identité trop long / identity trait too long: "
                f"{long[0]} has {long[1]} characters, more than {MAX_TRAIT_CHARS}",
                message_id=report.message_id,
            )
        idam = report.lps.get("idam")
        if self.accepted_idam is not None and idam not in self.accepted_idam:
            return _soap_fault(
                400,
                "desir_550",
                DESIR_550_MESSAGE,
                subcode="siram_100",
                reason=DESIR_550_REASON,
                message_id=report.message_id,
            )
        return None

    def _search(self, report: InsiRequestReport) -> _Answer:
        t = report.traits
        with self._lock:
            base = self.identities
            overrides = dict(self.tiq_overrides)
        if report.operation == OP_VITALE:
            m = report.matricule
            found = base.search_by_matricule(m.get("nir") or "", m.get("key"), t.get("birth_name"), t.get("birth_date"))
        else:
            found = base.search(
                Traits(
                    birth_name=t.get("birth_name") or "",
                    first_names=tuple(t.get("first_names") or ()),
                    sex=t.get("sex") or "",
                    birth_date=t.get("birth_date") or "",
                    birth_place=t.get("birth_place"),
                )
            )
        if len(found) == 1:
            person = _answered(found[0], overrides.get(found[0].id))
            body = result_envelope("00", person, dates_first=self.inshisto_dates_first)
            return _Answer(200, body, cr="00", person=person)
        cr = "01" if not found else "02"
        return _Answer(200, result_envelope(cr), cr=cr)

    def describe_exchange(self, call: Call, answer: Answer, exchange: Exchange) -> None:
        """Fill the exchange: transaction, summary, tags, findings (evidence = its id)."""
        report: InsiRequestReport = call.parsed
        insi = answer if isinstance(answer, _Answer) else _Answer(answer.status, answer.body)
        t, person = report.traits, insi.person
        ins = person.ins if person is not None else None
        exchange.transaction = report.operation if report.operation in (OP_TRAITS, OP_VITALE) else "invalid"
        exchange.summary.update(
            operation=report.operation,
            traits=dict(t),
            lps=dict(report.lps),
            cr=insi.cr,
            ins=ins.value if ins else None,
            oid=ins.oid if ins else None,
            fault=insi.fault,
            message_id=report.message_id,
            matricule=dict(report.matricule) or None,
            auth_mode=report.auth_mode,
            professional=report.professional,
            psc=report.psc,
            person=person.id if person else None,
            tiq=_tiq(person) if person else None,
            history=[h.ins.value for h in person.history] if person else [],
        )
        exchange.tags.update(
            operation=report.operation,
            birth_name=t.get("birth_name") or "",
            birth_date=t.get("birth_date") or "",
            sex=t.get("sex") or "",
            first_names="|".join(t.get("first_names") or []),
            cr=insi.cr or "",
        )

    def findings_of(self, call: Call, answer: Answer) -> list[Finding]:
        report: InsiRequestReport = call.parsed
        return list(report.findings)


#: traits a ``tiq_overrides`` entry may replace in the TIQ answered
OVERRIDABLE = ("birth_name", "first_names", "sex", "birth_date", "birth_place")


def _tiq_overrides(data: Any) -> dict[str, dict[str, Any] | None]:
    """Check ``tiq_overrides``: person id -> {trait: value} (or null to drop the override)."""
    if not isinstance(data, dict):
        raise ValueError("tiq_overrides must be an object {person id: {trait: value} | null}")
    checked: dict[str, dict[str, Any] | None] = {}
    for person_id, traits in data.items():
        if traits is not None and (not isinstance(traits, dict) or set(traits) - set(OVERRIDABLE)):
            raise ValueError(
                f"tiq_overrides[{person_id!r}] must be null or an object with keys among {', '.join(OVERRIDABLE)}"
            )
        if traits is not None and not isinstance(traits.get("first_names", []), list):
            raise ValueError(f"tiq_overrides[{person_id!r}].first_names must be a list")
        checked[str(person_id)] = dict(traits) if traits is not None else None
    return checked


def _answered(person: Person, override: dict[str, Any] | None) -> Person:
    """The person as INSi answers it: its TIQ with the scenario's override applied (rules 11, 12)."""
    if not override:
        return person
    t = person.traits

    def text(key: str, default: str) -> str:
        return default if key not in override else str(override[key] if override[key] is not None else "")

    names = tuple(str(n) for n in override["first_names"]) if "first_names" in override else t.first_names
    place = text("birth_place", t.birth_place or "") or None
    traits = Traits(
        text("birth_name", t.birth_name), names, text("sex", t.sex), text("birth_date", t.birth_date), place
    )
    return dataclasses.replace(person, traits=traits)


def _tiq(person: Person) -> dict[str, Any]:
    """The TIQ block returned, as a dict (birth_name, first_name, first_names, sex…)."""
    t = person.traits
    return {
        "birth_name": t.birth_name,
        "first_name": t.first_name,
        "first_names": list(t.first_names),
        "sex": t.sex,
        "birth_date": t.birth_date,
        "birth_place": t.birth_place,
    }
