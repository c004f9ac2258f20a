"""The DMP simulator: an XDS.b registry + repository on loopback, with the DMP's security context.

Endpoints (every one accepts every transaction; the ``wsa:Action`` decides):
``POST /dmp/repository`` (ITI-41, ITI-43), ``POST /dmp/registry`` (ITI-18, ITI-57),
``POST /dmp/td02`` (TD0.2, see :mod:`mocks.dmp.td02` for the assumed wire format), ``POST /dmp/td03``
(TD0.3, offered and its use flagged: :mod:`mocks.dmp.td03`). SOAP 1.2,
inline or MTOM/XOP. For each request, in this order:

1. an injected fault (``http_status`` e.g. 503 = DMP unavailable, ``delay``, ``soap_fault``,
   ``registry_error``) applies first;
2. the message is split (MIME, bounded) and parsed (SOAP 1.2, safe XML): unusable → SOAP
   Sender fault 400 saying what and where; an unknown action → fault;
3. the security context (mutual TLS, signed VIHF, :mod:`mocks.dmp.vihf`): a failure →
   ``wsse:`` fault, nothing processed;
4. the transaction (:mod:`.iti41`, :mod:`.iti18`, :mod:`.iti43`, :mod:`.iti57`, :mod:`.td02`)
   answers a ``rs:RegistryResponse`` (errors with XDS codes) or its query/retrieve response.

Every exchange is recorded with its transaction name (``ITI-41``…), tags (``ins``,
``patient_id``, ``query``…), a summary and the findings of every check.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute, Route

from harness.core.findings import Finding, Severity
from harness.core.ins import INS_OIDS
from harness.core.recorder import Exchange, Recorder
from harness.core.rules import rule
from harness.validators.cda.pack import CdaPack
from harness.validators.soap12 import SoapError, content_type_action, parse_envelope
from harness.validators.xds.schemas import check_schema, load_schemas
from mocks.common.faults import Fault
from mocks.common.pipeline import Answer, Call
from mocks.common.server import TlsSettings
from mocks.common.simulator import Simulator
from mocks.common.soap import soap_fault
from mocks.dmp import iti18, iti41, iti43, iti57, td02, td03, webps
from mocks.dmp.context import DmpAnswer, DmpRequest
from mocks.dmp.faults import FAULT_KINDS, XdsError, registry_response, security_fault, sender_fault, soap_envelope
from mocks.dmp.hold import Holds
from mocks.dmp.mtom import MimeError, package, split_message
from mocks.dmp.psc_context import PscResolver, attach_psc
from mocks.dmp.registry import Registry
from mocks.dmp.seeding import seed_document
from mocks.dmp.vihf import check_security

__all__ = ["PATHS", "REPOSITORY_ID", "DmpSimulator"]

PATHS = ("/dmp/repository", "/dmp/registry", "/dmp/td02", "/dmp/td03")
#: the simulator's repositoryUniqueId (the real DMP's is not public: an OID of our own, under 2.25)
REPOSITORY_ID = "2.25.227148916716186338316839853302813710001"
FAULT_CT = "application/soap+xml; charset=utf-8"
#: what a DMP request may be sent as: SOAP 1.2 inline, or MTOM/XOP (IHE ITI TF-2x V.3.6)
ACCEPTED_MEDIA_TYPES = ("application/soap+xml", "multipart/related")
Handler = Callable[["DmpSimulator", DmpRequest], DmpAnswer]


class DmpSimulator(Simulator):
    """Simulated DMP (Mon espace santé) for DUI feeding and consultation.

    Args:
        recorder: the recorder shared by the run.
        port: 0 for a free port.
        tls: TLS settings; with ``client_ca`` the client certificate is checked (DMP-SEC-01).
        db_path: SQLite file of the registry (None: in memory).
        trust_ca: PEM CA the VIHF signing certificate must chain to (default: ``tls.client_ca``).
        pack: CI-SIS artefact pack for CDA and value-set checks (None: the embedded rules only).
        td02: the TD0.2 wire format (default: :class:`mocks.dmp.td02.Td02Protocol`).
        signing: the test PKI's ``signing-vihf`` certificate and key, handed to a DUI through
            ``PUT /config/endpoints`` (:meth:`endpoint_details`) to sign its VIHF with.
        xds_schemas: a folder with the IHE XDS.b and OASIS ebRS 3.0 schemas
            (:mod:`harness.validators.xds.schemas`): every request is also validated against them.
    """

    service = "DMP"
    fault_kinds = FAULT_KINDS
    max_body = 64 * 1024 * 1024

    def __init__(
        self,
        recorder: Recorder,
        *,
        port: int = 0,
        tls: TlsSettings | None = None,
        db_path: Path | None = None,
        trust_ca: Path | None = None,
        pack: Path | CdaPack | None = None,
        td02: td02.Td02Protocol | None = None,
        signing: tuple[Path, Path] | None = None,
        xds_schemas: Path | None = None,
    ) -> None:
        #: the IHE XDS.b + OASIS ebRS 3.0 schemas (compiled once), None: no schema validation
        self.xds_schemas = load_schemas(xds_schemas) if xds_schemas is not None else None
        self.registry = Registry(db_path)
        self.trust_ca = trust_ca or (tls.client_ca if tls is not None else None)
        self.pack = pack
        self.signing = signing
        self.td02 = td02 or _default_td02()
        self.default_status = "VALIDE"
        #: INS whose missing authorisation a TD0.3 adds (SC.DMP/UX.50, :mod:`mocks.dmp.td03`)
        self.td03_grants: set[str] = set()
        self.repository_id = REPOSITORY_ID
        self.holds = Holds()  # answers held until the harness releases them (mocks.dmp.hold)
        self.psc_resolver: PscResolver | None = None  # SC.DMP/PSC.01: set by trust_psc()
        self.handlers: dict[str, tuple[str, Handler]] = {
            iti41.ACTION: ("ITI-41", iti41.handle),
            iti18.ACTION: ("ITI-18", iti18.handle),
            iti43.ACTION: ("ITI-43", iti43.handle),
            iti57.ACTION: ("ITI-57", iti57.handle),
            self.td02.action: ("TD0.2", _td02_handle),
            td03.ACTION: ("TD0.3", td03.handle),
        }
        super().__init__(recorder, port=port, tls=tls)

    # -- configuration and state -------------------------------------------------------------
    @property
    def endpoint(self) -> str:
        """The registry endpoint (``…/dmp/registry``); see also :attr:`endpoints`."""
        return self.url + "/dmp/registry"

    @property
    def endpoints(self) -> dict[str, str]:
        return {
            "repository": self.url + PATHS[0],
            "registry": self.url + PATHS[1],
            "td02": self.url + PATHS[2],
            "td03": self.url + PATHS[3],
        }

    def routes(self) -> list[BaseRoute]:
        methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
        return [
            Route(webps.PATH, self.handler("webps"), methods=methods),
            *(Route(path, self.handler(), methods=methods) for path in (*PATHS, "/dmp")),
        ]

    def trust_psc(self, resolver: PscResolver | None) -> None:
        """Resolve the PSC access tokens of PSC-backed calls with ``resolver`` (``realm_resolver(psc)``)."""
        self.psc_resolver = resolver

    def patient_status(self, ins: str, oid: str) -> tuple[str, str | None]:
        """The TD0.2 status of the INS (set through the state, else ``default_status``)."""
        if oid not in INS_OIDS:
            return "NON_EXISTE", f"OID {oid} is not an INS assigning authority"
        found = self.registry.patient(ins)
        return found if found is not None else (self.default_status, None)

    def state(self) -> dict[str, Any]:
        return {
            "endpoints": self.endpoints,
            "repository_id": self.repository_id,
            "default_status": self.default_status,
            "patients": self.registry.patients(),
            "counts": self.registry.counts(),
            "td02_action": self.td02.action,
            "td03_grants": sorted(self.td03_grants),
        }

    def update_state(self, data: dict[str, Any]) -> None:
        """``{"patients": {INS: status | {"status", "reason"}}, "default_status": status,
        "seed": [{"kind": "FLUDR"|"VSM"|"N1", "ins", "oid", "traits": {...}}], "td03_grants": [INS…]}``."""
        unknown = set(data) - {"patients", "default_status", "seed", "td03_grants"}
        if unknown:
            raise ValueError(
                f"unknown DMP state keys {sorted(unknown)}; known: patients, default_status, seed, td03_grants"
            )
        grants = data.get("td03_grants")
        if grants is not None and (not isinstance(grants, list) or not all(isinstance(i, str) for i in grants)):
            raise ValueError("td03_grants must be a list of INS strings")
        patients = []
        for ins, value in (data.get("patients") or {}).items():
            status, reason = (value.get("status"), value.get("reason")) if isinstance(value, dict) else (value, None)
            if status not in td02.STATUSES:
                raise ValueError(f"patient {ins}: status {status!r} is not one of {', '.join(td02.STATUSES)}")
            patients.append((str(ins), str(status), reason))
        for item in data.get("seed") or []:  # before the statuses: a hospital fed the DMP earlier
            if not isinstance(item, dict) or not {"kind", "ins", "oid", "traits"} <= set(item):
                raise ValueError("each seed entry is an object with kind, ins, oid and traits")
            self.seed(**item)
        for ins, status, reason in patients:
            self.registry.set_patient(ins, status, reason)
        if "default_status" in data:
            if data["default_status"] not in td02.STATUSES:
                raise ValueError(f"default_status must be one of {', '.join(td02.STATUSES)}")
            self.default_status = str(data["default_status"])
        if grants is not None:
            self.td03_grants = set(grants)

    def seed(self, kind: str, ins: str, oid: str, traits: dict[str, Any], **options: Any) -> dict[str, Any]:
        """Register a document written by another professional (a hospital) for the patient ``ins``."""
        return seed_document(self, kind, ins, oid, traits, **options)

    def reset(self) -> None:
        super().reset()
        self.registry.reset()
        self.default_status = "VALIDE"
        self.td03_grants = set()

    def serve_lines(self) -> list[str]:
        e = self.endpoints
        return [
            f"  DMP (XDS.b ITI-41/43 {e['repository']}, ITI-18/57 {e['registry']}, TD0.2 {e['td02']}); "
            "VIHF signing certificate: signing-vihf of the test PKI"
        ]

    def endpoint_details(self) -> dict[str, Any]:
        """The three endpoints and, with a test PKI, the certificate a DUI signs its VIHF with."""
        details: dict[str, Any] = dict(self.endpoints)
        if self.signing is not None:
            details.update(signing_cert=str(self.signing[0]), signing_key=str(self.signing[1]))
        return details

    def stop(self) -> None:
        super().stop()
        self.registry.close()

    def oversize_response(self, reason: str) -> tuple[int, str, bytes]:
        return 413, FAULT_CT, sender_fault("dmp_oversized", f"Message trop volumineux / message too large: {reason}")

    # -- one request: the stages of mocks.common.pipeline ----------------------------------
    def refuse_method(self, call: Call, allowed: tuple[str, ...]) -> Answer:
        text = f"Method {call.request.method} not allowed: the DMP accepts SOAP over POST only\n"
        return DmpAnswer(
            405,
            text.encode(),
            "text/plain",
            headers={"Allow": "POST"},
            summary={"error": f"method {call.request.method}"},
        )

    async def prepare(self, call: Call) -> Answer | None:
        """Split, parse and authenticate (steps 2-3 of the module doc); a fault when it cannot go further."""
        tls = call.tls
        content_type = call.request.headers.get("content-type", "")
        if call.route == "webps":  # TD0.9, the browser's contextual access (mocks.dmp.webps)
            call.operation = "TD0.9"
            call.parsed = await run_in_threadpool(
                webps.read_form, call.body, content_type, self.trust_ca, self.limits.xml_elements
            )
            return None
        prepared, call.operation = await self.judged(
            self._prepare, call.body, content_type, bool(tls), tls.get("client_subject")
        )
        attach_psc(prepared, call.request.headers.get("authorization"), self.psc_resolver)  # SC.DMP/PSC.01
        if isinstance(prepared, DmpRequest):
            call.parsed = prepared
            return None
        return prepared

    async def respond(self, call: Call) -> Answer:
        if isinstance(call.parsed, webps.WebAccess):
            return webps.answer(call.parsed)
        gate = self.holds.gate(call.operation)
        if gate is not None:
            await run_in_threadpool(gate.pass_through)
        return await self.judged(self.handlers_for(call.operation), self, call.parsed)

    def findings_of(self, call: Call, answer: Answer) -> list[Finding]:
        """The security findings, the answer's, the VIHF-patient check (DMP-VIHF-03) and, with the XDS
        schemas, a consultation's schema errors (an ITI-41's are the submission's own, refused)."""
        request = call.parsed
        if isinstance(request, webps.WebAccess):
            return request.findings
        if not isinstance(request, DmpRequest):
            return answer.findings
        schema: list[Finding] = []
        if self.xds_schemas is not None and call.operation in ("ITI-18", "ITI-43"):
            schema = check_schema(self.xds_schemas, request.envelope.body_child, "DMP-GET-02")
        return [*request.security_findings, *answer.findings, *_patient_check(request, answer), *schema]

    def describe_exchange(self, call: Call, answer: Answer, exchange: Exchange) -> None:
        exchange.tags = {"transaction": call.operation, **exchange.tags}
        if isinstance(call.parsed, DmpRequest):
            exchange.summary.setdefault("vihf", _vihf_summary(call.parsed.vihf))
            if call.parsed.psc is not None:
                exchange.summary.setdefault("psc", call.parsed.psc)
        if answer.status >= 400:
            exchange.summary["rejected"] = True

    def internal_error(self, call: Call, exc: Exception) -> Answer:
        text = f"simulator error {type(exc).__name__}: {exc}"
        return DmpAnswer(500, soap_fault("Receiver", "dmp_internal", text), FAULT_CT, summary={"error": text})

    def handlers_for(self, name: str) -> Handler:
        return next(handler for label, handler in self.handlers.values() if label == name)

    @rule("dmp.message", requirement="DMP-XDS-01", summary="a readable SOAP/MTOM request")
    @rule("dmp.action", requirement="DMP-XDS-01", summary="a known wsa:Action")
    def _prepare(
        self, body: bytes, content_type: str, over_tls: bool, subject: str | None
    ) -> tuple[DmpRequest | DmpAnswer, str]:
        """Split, parse and authenticate; a DmpAnswer (fault) when the request cannot go further."""
        media_type = content_type.split(";", 1)[0].strip().lower()
        if media_type not in ACCEPTED_MEDIA_TYPES:
            text = (
                f"Content-Type {media_type or '(none)'!r} refusé / refused: a DMP request is SOAP 1.2 "
                f"({' or '.join(ACCEPTED_MEDIA_TYPES)})"
            )
            return DmpAnswer(
                415,
                sender_fault("dmp_content_type", text),
                FAULT_CT,
                summary={"error": text},
                findings=[Finding("dmp.message.content_type", "DMP-XDS-01", text, Severity.ERROR, "Content-Type")],
            ), "invalid"
        limits = self.limits
        try:
            message = split_message(body, content_type, max_parts=limits.mime_parts, max_depth=limits.mime_depth)
            envelope = parse_envelope(message.envelope, max_bytes=20 * 1024 * 1024, max_elements=limits.xml_elements)
        except (MimeError, SoapError) as exc:
            kind = "MTOM/MIME" if isinstance(exc, MimeError) else "SOAP 1.2"
            where = getattr(exc, "location", "") or "body"
            text = f"Message {kind} illisible / unreadable {kind} message: {exc}"
            return DmpAnswer(
                400,
                sender_fault("dmp_malformed", text),
                FAULT_CT,
                summary={"error": text},
                findings=[Finding("dmp.message.malformed", "DMP-XDS-01", text, Severity.ERROR, where)],
            ), "invalid"
        action = envelope.action or content_type_action(message.root_content_type) or content_type_action(content_type)
        if action not in self.handlers:
            text = (
                f"Action inconnue / unknown action {action!r}; known: {', '.join(sorted(self.handlers))}"
                if action
                else "no wsa:Action header and no action parameter: the transaction is unknown"
            )
            return DmpAnswer(
                400,
                sender_fault("dmp_unknown_action", text),
                FAULT_CT,
                summary={"error": text},
                findings=[
                    Finding("dmp.action", "DMP-XDS-01", text, Severity.ERROR, "/soap:Envelope/soap:Header/wsa:Action")
                ],
            ), "invalid"
        name = self.handlers[action][0]
        vihf, findings = check_security(envelope, over_tls=over_tls, client_subject=subject, trust_ca=self.trust_ca)
        errors = [f for f in findings if f.severity is Severity.ERROR]
        if errors:
            first = errors[0]
            code = {"DMP-SEC-01": "FailedAuthentication", "DMP-VIHF-01": "FailedCheck"}.get(
                first.requirement, "InvalidSecurityToken"
            )
            if first.rule == "vihf.missing":
                code = "InvalidSecurity"
            text = "Contexte de sécurité refusé / security context refused: " + " | ".join(str(f) for f in errors[:3])
            return DmpAnswer(
                400,
                security_fault(code, text),
                FAULT_CT,
                findings=findings,
                summary={"error": text, "vihf": _vihf_summary(vihf)},
            ), name
        return DmpRequest(body, content_type, message, envelope, action, vihf, subject, findings), name

    def unavailable(self, call: Call, status: int, params: dict[str, Any]) -> Answer:
        text = str(params.get("body", f"DMP indisponible / DMP unavailable (dui-harness: injected HTTP {status})\n"))
        return DmpAnswer(status, text.encode(), "text/plain; charset=utf-8", summary={"error": text.strip()})

    async def apply_fault(self, call: Call, fault: Fault) -> Answer | None:
        """``soap_fault`` and ``registry_error`` (``http_status`` and ``delay``: the pipeline)."""
        params, request = fault.params, call.parsed
        if fault.kind == "soap_fault":
            text = str(params.get("reason", "Erreur interne du DMP / DMP internal error (injected)"))
            return DmpAnswer(
                int(params.get("status", 500)),
                soap_fault("Receiver", str(params.get("subcode", "dmp_internal")), text),
                FAULT_CT,
                summary={"error": text},
            )
        if fault.kind == "registry_error":
            error = XdsError(str(params.get("code", "XDSRegistryBusy")), str(params.get("context", "injected error")))
            body, ctype = package(
                soap_envelope(
                    str(params.get("action", "urn:ihe:iti:2007:RegistryResponse")),
                    registry_response([error]),
                    request.message_id,
                ),
                "response",
                mtom=request.message.mtom,
            )
            return DmpAnswer(
                200,
                body,
                ctype,
                summary={"status": "Failure", "errors": [{"code": error.code, "context": error.context}]},
            )
        return None


def _patient_check(request: DmpRequest, answer: Answer) -> list[Finding]:
    """DMP-VIHF-03: the VIHF resource-id names the patient the request is about."""
    ins = answer.tags.get("ins", "")
    if not ins or not request.vihf.ins or ins == request.vihf.ins:
        return []
    if any(
        f.rule == "vihf.resource_id.patient" or f.requirement in ("DMP-CON-01", "DMP-GET-02") for f in answer.findings
    ):
        return []  # already judged, or the patientId itself is not the patient's INS (not the VIHF's fault)
    return [
        Finding(
            "vihf.resource_id.patient",
            "DMP-VIHF-03",
            f"the VIHF resource-id names INS {request.vihf.ins}, the request is about {ins}",
            Severity.ERROR,
            "/soap:Envelope/soap:Header/wsse:Security/saml2:Assertion",
        )
    ]


def _vihf_summary(vihf: Any) -> dict[str, Any]:
    return {
        "present": vihf.present,
        "signed": vihf.signed,
        "signer": vihf.signer,
        "subject": vihf.subject,
        "structure": vihf.structure,
        "ins": vihf.ins,
        "auth_mode": (vihf.attributes.get("Authentification_Mode") or [""])[0],
    }


def _default_td02() -> td02.Td02Protocol:
    return td02.Td02Protocol()


def _td02_handle(sim: DmpSimulator, request: DmpRequest) -> DmpAnswer:
    return td02.handle(sim, request)
