"""The CNSA orientation-decision profiles (SI-SdO ⇄ SI-ESMS, ANS IG ``ans.fhir.fr.sdo``): the project's rules.

Written from the facts of the IG's StructureDefinitions (release 4.0.5 FSH and the 4.0.7 build's
differentials, ``../shared/reference/sdo-esms-fhir/``): fixed values (``patternCode`` /
``patternCodeableConcept``), cardinalities and the bindings that matter, plus the IG's FHIRPath
invariants ``regle-NomPieceJointe-type`` and ``regle-Contenu`` (warning). Not copied: the IG's files;
the NOS value sets (JDV_J252…, package ``ans.fr.terminologies``) are not bundled, so a bound coding is
judged on having a NOS system (``https://mos.esante.gouv.fr/NOS/…``) and a code, not on its membership.

Profiles (canonical ``https://interop.esante.gouv.fr/ig/fhir/sdo/StructureDefinition/<id>``), what they
carry, the requirement their findings name:

* ``esms-consent``: the accord of flux 2 (DUI → SdO), SDO-ACC-01;
* ``esms-task`` (legacy ``sdo-task``): a status of flux 4 (DUI → SdO), SDO-STA-01;
* ``esms-document-reference`` (legacy ``sdo-document-reference``): flux 1.4 / 3.2 (SdO → DUI), SDO-DOC-01;
* ``esms-bundle-resultat-recherche-decision-evaluation`` and ``…-notification-esms`` (legacy ``sdo-…``):
  the search results of flux 1.2 / 3.2 / 5.2, SDO-DOC-01.

``regle-StatutUnite`` is not applied: its 4.0.7 expression tests ``input.type.text``, which coded inputs
never carry (inert in the IG itself); ``regle-ModePriseEnCharge`` is gone from the 4.0.7 differential.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from harness.core.findings import Finding, Severity
from harness.core.rules import rule
from harness.validators.fhir.refs import as_dict, as_list, codings, text
from harness.validators.fhir.structure import check_structure

__all__ = [
    "ACC",
    "DECISION",
    "DOC",
    "EVALUATION",
    "INPUT_SYSTEM",
    "SDO_CANONICAL",
    "STA",
    "check_consent",
    "check_document_reference",
    "check_sdo",
    "check_search_bundle",
    "check_task",
    "sdo_profile",
    "task_inputs",
]

ACC = "SDO-ACC-01"
STA = "SDO-STA-01"
DOC = "SDO-DOC-01"
SDO_CANONICAL = "https://interop.esante.gouv.fr/ig/fhir/sdo/StructureDefinition/"
INPUT_SYSTEM = "https://interop.esante.gouv.fr/ig/fhir/sdo/CodeSystem/input-task-sdo-codesystem"
LOINC = "http://loinc.org"
#: DocumentReference.type (ValueSet type-document-reference-esms-valueset) -> the attachment title it imposes
DECISION, EVALUATION = "57830-2", "51848-0"
TITLES = {DECISION: "Document Individu et décision", EVALUATION: "Document évaluation"}
_NOS = "https://mos.esante.gouv.fr/NOS/"
#: a literal reference: Type/id[/_history/v], an absolute URL, urn:uuid:/urn:oid:, or a contained #id
_REFERENCE = re.compile(
    r"^([A-Z][A-Za-z]+/[A-Za-z0-9\-.]{1,64}(/_history/[A-Za-z0-9\-.]{1,64})?|https?://\S+|urn:(uuid|oid):\S+|#\S+)$"
)

#: profile id -> kind of rules
_PROFILES = {
    "esms-consent": "consent",
    "esms-task": "task",
    "sdo-task": "task",
    "esms-document-reference": "document-reference",
    "sdo-document-reference": "legacy-document-reference",
    "esms-bundle-resultat-recherche-decision-evaluation": "bundle-documents",
    "esms-bundle-resultat-recherche-notification-esms": "bundle-tasks",
    "sdo-bundle-resultat-recherche-notification-esms": "bundle-tasks",
}

#: ESMSTask input slices: code -> (min, value[x] type, bound to a NOS value set)
TASK_INPUTS: dict[str, tuple[int, str, bool]] = {
    "idNat_Struct": (1, "valueIdentifier", False),
    "nomESMS": (1, "valueString", False),
    "statutESMS": (0, "valueCodeableConcept", True),
    "motifESMS": (0, "valueCodeableConcept", True),
    "dateStatutESMS": (0, "valueDate", False),
    "idUnite": (0, "valueIdentifier", False),
    "nomUnite": (0, "valueString", False),
    "categorieOrganisation": (0, "valueCodeableConcept", True),
    "temporaliteAccueil": (0, "valueCodeableConcept", True),
    "accueilSequentiel": (0, "valueBoolean", False),
    "modePriseCharge": (0, "valueCodeableConcept", True),
    "statutUnite": (0, "valueCodeableConcept", True),
    "dateStatutUnite": (0, "valueDate", False),
    "motifUnite": (0, "valueCodeableConcept", True),
    "idDecision": (1, "valueIdentifier", False),
    "idNat_Decision": (1, "valueIdentifier", False),
}


def sdo_profile(resource: Any) -> str | None:
    """The SdO rules a resource claims in ``meta.profile`` (``consent``, ``task``…), or None."""
    for claimed in as_list(as_dict(as_dict(resource).get("meta")).get("profile")):
        name = text(claimed).split("|")[0]
        for prefix in (SDO_CANONICAL, "https://interop.esante.gouv.fr/ig/fhir/sdo-esms/StructureDefinition/"):
            if name.startswith(prefix) and name[len(prefix) :] in _PROFILES:
                return _PROFILES[name[len(prefix) :]]
    return None


def _f(rule_id: str, requirement: str, message: str, where: str, severity: Severity = Severity.ERROR) -> Finding:
    return Finding(rule_id, requirement, message, severity=severity, location=where)


@rule("sdo.structure", requirement=ACC, summary="a valid FHIR R4 resource under an SdO profile", also=(STA, DOC))
def _structure(resource: dict[str, Any], requirement: str, path: str) -> list[Finding]:
    """FHIR R4 structure (:func:`~harness.validators.fhir.structure.check_structure`) under the SdO rule id."""
    return [
        dataclasses.replace(f, rule=f"sdo.structure{f.rule.removeprefix('fhir.structure')}")
        for f in check_structure(resource, requirement=requirement, path=path)
    ]


def _has_coding(concept: Any, system: str, code: str) -> bool:
    return any(text(c.get("system")) == system and text(c.get("code")) == code for c in codings(concept))


@rule("sdo.consent", requirement=ACC, summary="ESMSConsent: accord of flux 2 (fixed values, the decision's identifier)")
def check_consent(resource: dict[str, Any], path: str = "Consent") -> list[Finding]:
    """ESMSConsent (4.0.7): ``meta.source`` 1.., status ``active``, scope ``consentscope#patient-privacy``,
    category ``LOINC 59284-0``, ``dateTime`` 1.., exactly one ``provision.data`` (meaning ``related``) whose
    ``reference.identifier`` is ``{use: official, value: idNat_Decision}``."""
    out = _structure(resource, ACC, path)
    if not text(as_dict(resource.get("meta")).get("source")):
        out.append(_f("sdo.consent.source", ACC, "meta.source (idNat_Struct of the ESMS) is missing", f"{path}.meta"))
    if resource.get("status") != "active":
        out.append(
            _f("sdo.consent.status", ACC, f"status {resource.get('status')!r}, fixed 'active'", f"{path}.status")
        )
    if not _has_coding(resource.get("scope"), "http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy"):
        found = [c.get("code") for c in codings(resource.get("scope"))]
        out.append(_f("sdo.consent.scope", ACC, f"scope {found}, fixed consentscope#patient-privacy", f"{path}.scope"))
    if not any(_has_coding(c, LOINC, "59284-0") for c in as_list(resource.get("category"))):
        out.append(_f("sdo.consent.category", ACC, "no category LOINC 59284-0 (Consent)", f"{path}.category"))
    if not text(resource.get("dateTime")):
        out.append(_f("sdo.consent.datetime", ACC, "dateTime (date the ESMS got the accord) is missing", path))
    data = as_list(as_dict(resource.get("provision")).get("data"))
    if len(data) != 1:
        out.append(_f("sdo.consent.data", ACC, f"provision.data has {len(data)} entries, exactly 1 expected", path))
        return out
    where = f"{path}.provision.data[0]"
    item = as_dict(data[0])
    if item.get("meaning") != "related":
        out.append(_f("sdo.consent.meaning", ACC, f"meaning {item.get('meaning')!r}, fixed 'related'", where))
    ident = as_dict(as_dict(item.get("reference")).get("identifier"))
    if not ident:
        out.append(
            _f(
                "sdo.consent.decision",
                ACC,
                "provision.data.reference has no identifier: the accord points at the decision by its "
                "idNat_Decision (identifier use official), not by a literal reference",
                f"{where}.reference",
            )
        )
    else:
        if ident.get("use") != "official":
            out.append(
                _f("sdo.consent.decision.use", ACC, f"identifier.use {ident.get('use')!r}, fixed 'official'", where)
            )
        if not text(ident.get("value")):
            out.append(_f("sdo.consent.decision.value", ACC, "identifier.value (idNat_Decision) is empty", where))
    return out


def task_inputs(resource: Any) -> dict[str, list[dict[str, Any]]]:
    """The inputs of a Task by their code of ``input-task-sdo-codesystem`` (other inputs left out)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for item in as_list(as_dict(resource).get("input")):
        for coding in codings(as_dict(item).get("type")):
            if text(coding.get("system")) == INPUT_SYSTEM and text(coding.get("code")):
                out.setdefault(text(coding.get("code")), []).append(as_dict(item))
                break
    return out


@rule("sdo.task", requirement=STA, summary="ESMSTask: statut of flux 4 (fixed values, input slices)", also=(DOC,))
def check_task(resource: dict[str, Any], path: str = "Task", requirement: str = STA) -> list[Finding]:
    """ESMSTask (4.0.7): ``meta.lastUpdated`` 1.., status ``completed``, intent ``plan``, ``input`` sliced on
    ``type`` (pattern: a coding of ``input-task-sdo-codesystem``): idNat_Struct, nomESMS, idDecision and
    idNat_Decision 1..1, the others 0..1, each with its ``value[x]`` type; bound CodeableConcepts coded
    from a NOS terminology (modePriseCharge: exactly one coding)."""
    req = requirement
    out = _structure(resource, req, path)
    if not text(as_dict(resource.get("meta")).get("lastUpdated")):
        out.append(_f("sdo.task.lastupdated", req, "meta.lastUpdated is missing (1..1)", f"{path}.meta"))
    if resource.get("status") != "completed":
        out.append(
            _f("sdo.task.status", req, f"status {resource.get('status')!r}, fixed 'completed'", f"{path}.status")
        )
    if resource.get("intent") != "plan":
        out.append(_f("sdo.task.intent", req, f"intent {resource.get('intent')!r}, fixed 'plan'", f"{path}.intent"))
    items = as_list(resource.get("input"))
    uncoded = [
        i
        for i, item in enumerate(items)
        if not any(text(c.get("system")) == INPUT_SYSTEM for c in codings(as_dict(item).get("type")))
    ]
    for i in uncoded:
        said = text(as_dict(as_dict(items[i]).get("type")).get("text")) or "no code"
        out.append(
            _f(
                "sdo.task.input.type",
                req,
                f"input[{i}].type ({said!r}) is not coded with {INPUT_SYSTEM}: it fits no slice of ESMSTask",
                f"{path}.input[{i}].type",
            )
        )
    inputs = task_inputs(resource)
    for code, (minimum, value_key, bound) in TASK_INPUTS.items():
        found = inputs.get(code, [])
        where = f"{path}.input[{code}]"
        if len(found) < minimum:
            out.append(_f("sdo.task.input.missing", req, f"input {code} is missing (1..1)", where))
        if len(found) > 1:
            out.append(_f("sdo.task.input.repeated", req, f"input {code} appears {len(found)} times (0..1)", where))
        for item in found[:1]:
            values = [k for k in item if k.startswith("value")]
            if values != [value_key]:
                out.append(
                    _f("sdo.task.input.value", req, f"input {code} carries {values}, {value_key} expected", where)
                )
                continue
            value = item[value_key]
            if value_key == "valueIdentifier" and not text(as_dict(value).get("value")):
                out.append(_f("sdo.task.input.value", req, f"input {code}: the Identifier has no value", where))
            if bound:
                coded = codings(value)
                if not coded or any(
                    not text(c.get("system")).startswith(_NOS) or not text(c.get("code")) for c in coded
                ):
                    out.append(
                        _f(
                            "sdo.task.input.binding",
                            req,
                            f"input {code}: each coding needs a NOS system ({_NOS}…) and a code (required binding)",
                            f"{where}.{value_key}",
                        )
                    )
                if code == "modePriseCharge" and len(coded) != 1:
                    out.append(_f("sdo.task.input.binding", req, "modePriseCharge: exactly one coding", where))
    return out


@rule("sdo.docref", requirement=DOC, summary="ESMSDocumentReference: decision or evaluation document of the SdO")
def check_document_reference(
    resource: dict[str, Any], path: str = "DocumentReference", *, legacy: bool = False
) -> list[Finding]:
    """ESMSDocumentReference (4.0.7): ``identifier`` 2..2 sliced on ``use`` (usual = idDecision 1..1, official =
    idNat_Decision), ``type`` one LOINC coding 57830-2 or 51848-0, one ``content`` with ``attachment.title``,
    ``regle-NomPieceJointe-type`` (the title the type imposes) and ``regle-Contenu`` (data, warning).

    ``legacy``: SDODocumentReference (release 4.0.5, removed after): ``identifier`` 1..2 (idDecision 1..1,
    idNat_Decision 0..1), no constraint on ``type`` nor on the title, ``regle-Contenu``."""
    out = _structure(resource, DOC, path)
    idents = [as_dict(i) for i in as_list(resource.get("identifier"))]
    wanted = (1, 2) if legacy else (2, 2)
    if not wanted[0] <= len(idents) <= wanted[1]:
        expected = "1 or 2" if legacy else "exactly 2"
        out.append(_f("sdo.docref.identifier", DOC, f"{len(idents)} identifier(s), {expected} expected", path))
    for use, name in (("usual", "idDecision"), ("official", "idNat_Decision")):
        found = [i for i in idents if i.get("use") == use]
        if (not found and not (legacy and use == "official")) or not all(text(i.get("value")) for i in found):
            out.append(
                _f("sdo.docref.identifier", DOC, f"no identifier use={use} with a value ({name})", f"{path}.identifier")
            )
    subject = text(as_dict(resource.get("subject")).get("reference"))
    if subject and not _REFERENCE.match(subject):
        out.append(
            _f(
                "sdo.docref.subject",
                DOC,
                f"subject.reference {subject!r} is no FHIR reference (Type/id, an absolute URL, urn:uuid: or #id)",
                f"{path}.subject.reference",
            )
        )
    if legacy:
        return out + _content(resource, path, "")
    coded = codings(resource.get("type"))
    code = text(coded[0].get("code")) if len(coded) == 1 else ""
    if len(coded) != 1 or text(coded[0].get("system")) != LOINC or code not in TITLES:
        out.append(
            _f("sdo.docref.type", DOC, "type must be one LOINC coding, 57830-2 or 51848-0 (required)", f"{path}.type")
        )
    return out + _content(resource, path, code)


def _content(resource: dict[str, Any], path: str, code: str) -> list[Finding]:
    """``content`` ..1 with ``attachment.title`` 1..1, the title ``code`` imposes, ``regle-Contenu`` (warning)."""
    out = []
    contents = as_list(resource.get("content"))
    if len(contents) != 1:
        out.append(_f("sdo.docref.content", DOC, f"{len(contents)} content entries, exactly 1 expected", path))
    attachments = [as_dict(as_dict(c).get("attachment")) for c in contents]
    titles = [text(a.get("title")) for a in attachments]
    if not all(titles):
        out.append(_f("sdo.docref.title", DOC, "content.attachment.title is missing (1..1)", f"{path}.content"))
    if code in TITLES and TITLES[code] not in titles:
        out.append(
            _f(
                "sdo.docref.title",
                DOC,
                f"regle-NomPieceJointe-type: type {code} imposes the title {TITLES[code]!r}, found {titles}",
                f"{path}.content[0].attachment.title",
            )
        )
    if attachments and not all(text(a.get("data")) for a in attachments):
        out.append(
            _f(
                "sdo.docref.data",
                DOC,
                "regle-Contenu: content.attachment.data is expected when the full resource is sent",
                f"{path}.content[0].attachment",
                Severity.WARNING,
            )
        )
    return out


@rule("sdo.bundle", requirement=DOC, summary="SdO search result Bundles: searchset of ESMS documents or tasks")
def check_search_bundle(resource: dict[str, Any], entries: str, path: str = "Bundle") -> list[Finding]:
    """ESMSBundleResultatRechercheDecisionEvaluation / …NotificationESMS: type ``searchset``, every entry with a
    resource, each judged by ESMSDocumentReference (``entries="document-reference"``) or ESMSTask (``"task"``).
    A resource reduced by ``_elements`` (``meta.tag`` SUBSETTED) is judged on its type only."""
    subsetted = tuple(
        f"{path}.entry[{i}].resource"
        for i, entry in enumerate(as_list(resource.get("entry")))
        if any(
            text(as_dict(t).get("code")) == "SUBSETTED"
            for t in as_list(as_dict(as_dict(as_dict(entry).get("resource")).get("meta")).get("tag"))
        )
    )
    # a resource reduced by _elements lacks its mandatory elements by design: no structure finding inside it
    out = [f for f in _structure(resource, DOC, path) if not (subsetted and f.location.startswith(subsetted))]
    if resource.get("type") != "searchset":
        out.append(_f("sdo.bundle.type", DOC, f"type {resource.get('type')!r}, fixed 'searchset'", f"{path}.type"))
    wanted = "DocumentReference" if entries == "document-reference" else "Task"
    for i, entry in enumerate(as_list(resource.get("entry"))):
        where = f"{path}.entry[{i}].resource"
        item = as_dict(as_dict(entry).get("resource"))
        if not item:
            out.append(_f("sdo.bundle.entry", DOC, "entry without resource (1..1)", where))
            continue
        if item.get("resourceType") != wanted:
            out.append(_f("sdo.bundle.entry", DOC, f"{item.get('resourceType')!r} entry, {wanted} expected", where))
            continue
        tags = as_list(as_dict(item.get("meta")).get("tag"))
        if any(text(as_dict(t).get("code")) == "SUBSETTED" for t in tags):
            continue
        judge = check_document_reference if wanted == "DocumentReference" else _task_in_bundle
        found = judge(item, where)
        out += [f for f in found if not f.rule.startswith("sdo.structure")]
    return out


def _task_in_bundle(resource: dict[str, Any], path: str) -> list[Finding]:
    return check_task(resource, path, requirement=DOC)


def check_sdo(resource: dict[str, Any]) -> tuple[str, list[Finding]]:
    """The SdO rules of the profile ``resource`` claims: ``(kind, findings)`` (kind ``""``: it claims none)."""
    kind = sdo_profile(resource) or ""
    if kind == "consent":
        return kind, check_consent(resource)
    if kind == "task":
        return kind, check_task(resource)
    if kind == "document-reference":
        return kind, check_document_reference(resource)
    if kind == "legacy-document-reference":
        return kind, check_document_reference(resource, legacy=True)
    if kind.startswith("bundle-"):
        return kind, check_search_bundle(resource, "task" if kind == "bundle-tasks" else "document-reference")
    return kind, []
