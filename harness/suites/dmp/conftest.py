"""Scenarios of the DMP suite: each drives the DUI once; several tests judge what it did.

Every scenario works on a person the DUI first qualifies (identity document checked, INSi
search: status QUAL with an INS of the test OID), then makes the DUI act on the DMP through
the trigger API (or the operator), and returns a :class:`~harness.plugin.evidence.Scenario`
holding the DMP exchanges it caused and what the DUI reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from harness.core.recorder import Recorder
from harness.errors import HarnessCheckError
from harness.plugin.evidence import Scenario
from harness.suites.identity import require_qualified
from harness.suites.ins.persons import TestPerson, person
from harness.sut.driver import IdentityDocument, SutDriver
from harness.sut.http_trigger import TriggerApiError
from mocks.common.simulator import Simulator
from mocks.dmp import DmpSimulator

CNI = IdentityDocument("CNI", verified=True)
TD02_REFUSALS = ("NON_EXISTE", "EXPIRE", "INTERDIT")


def qualify(sut: SutDriver, recorder: Recorder, who: TestPerson) -> tuple[str, dict[str, Any]]:
    """Create the person with an identity document checked and run the INSi search: QUAL expected.

    Blocked by the INS requirement at fault when the DUI could not qualify the person usably.
    """
    since = recorder.mark()
    created = sut.create_person(who.traits, CNI)
    person_id = str(created["person_id"])
    sut.lookup_ins(person_id)
    identity = sut.identity(person_id)
    require_qualified(recorder, since, identity, f"{who.traits.birth_name} {who.traits.first_names[0]}")
    return person_id, identity


def dmp_exchanges(recorder: Recorder, since: str) -> list[Any]:
    return recorder.exchanges(service="DMP", since=since)


@contextmanager
def patient_status(dmp: Simulator, ins: str, status: str) -> Iterator[None]:
    """The DMP answers TD0.2 (and feeding) for ``ins`` with ``status`` inside the block."""
    dmp.update_state({"patients": {ins: status}})
    try:
        yield
    finally:
        dmp.update_state({"patients": {ins: "VALIDE"}})


def publish(name: str, sut: SutDriver, recorder: Recorder, who: TestPerson, kind: str) -> Scenario:
    person_id, identity = qualify(sut, recorder, who)
    since = recorder.mark()
    publication = sut.dmp_publish(person_id, kind)
    return Scenario(
        name,
        person_id,
        dmp_exchanges(recorder, since),
        {
            "identity": identity,
            "publication": publication,
            "documents": sut.dmp_documents(person_id),
            "expected_ins": who.ins,
            "expected_oid": who.oid,
            "kind": kind,
        },
    )


@pytest.fixture(scope="session")
def dlu_published(sut: SutDriver, recorder: Recorder, dmp: Simulator) -> Scenario:
    """SANTONI-ESSAI PAUL, resident of the EHPAD: the DUI publishes his DLU (74207-2)."""
    return publish("DLU d'un résident d'EHPAD / DLU of an EHPAD resident", sut, recorder, person("santoni-paul"), "DLU")


@pytest.fixture(scope="session")
def ppa_published(sut: SutDriver, recorder: Recorder, dmp: Simulator) -> Scenario:
    """LEFEVRE-ESSAI JEANNE: the DUI publishes her projet personnalisé d'accompagnement (80788-3)."""
    return publish("Projet personnalisé d'accompagnement (80788-3)", sut, recorder, person("lefevre-jeanne"), "PPA")


@pytest.fixture(scope="session")
def n1_published(sut: SutDriver, recorder: Recorder, dmp: Simulator) -> Scenario:
    """BERNARD-ESSAI ANDRE: the DUI publishes an unstructured PDF document (N1)."""
    return publish("Document non structuré PDF (N1) / unstructured PDF", sut, recorder, person("bernard-andre"), "N1")


@pytest.fixture(scope="session")
def replaced(sut: SutDriver, recorder: Recorder, dmp: Simulator) -> Scenario:
    """SANTONI-ESSAI PAUL: a DLU is published, then replaced by a new version."""
    scenario = publish("Remplacement (RPLC) / replacement", sut, recorder, person("santoni-paul"), "DLU")
    return _then_on_the_published(scenario, sut, recorder, "publication", sut.dmp_replace)


@pytest.fixture(scope="session")
def masked(sut: SutDriver, recorder: Recorder, dmp: Simulator) -> Scenario:
    """LEFEVRE-ESSAI JEANNE: an N1 document is published, then masked from professionals and hidden from
    her (MASQUE_PS, INVISIBLE_PATIENT)."""
    scenario = publish("Masquage / masking", sut, recorder, person("lefevre-jeanne"), "N1")
    first = scenario.data["publication"]
    scenario.data["first_exchanges"] = [e.id for e in scenario.exchanges]
    if scenario.person_id is None:
        raise HarnessCheckError("the DMP scenario created no person (fixture precondition)")
    since = recorder.mark()
    if first.get("status") == "published":
        scenario.data["visibility"] = sut.dmp_visibility(
            scenario.person_id, str(first["document_id"]), masked_from_professionals=True, invisible_to_patient=True
        )
    scenario.exchanges += dmp_exchanges(recorder, since)
    scenario.data["documents"] = sut.dmp_documents(scenario.person_id)
    return scenario


@pytest.fixture(scope="session", params=TD02_REFUSALS)
def td02_refused(request: pytest.FixtureRequest, sut: SutDriver, recorder: Recorder, dmp: Simulator) -> Scenario:
    """BERNARD-ESSAI ANDRE while the DMP answers TD0.2 NON_EXISTE, EXPIRE or INTERDIT."""
    who = person("bernard-andre")
    person_id, identity = qualify(sut, recorder, who)
    since = recorder.mark()
    if who.ins is None:
        raise HarnessCheckError(f"fixture person {who.id} has no INS")
    with patient_status(dmp, who.ins, request.param):
        publication = sut.dmp_publish(person_id, "DLU")
    return Scenario(
        f"TD0.2 {request.param}",
        person_id,
        dmp_exchanges(recorder, since),
        {
            "identity": identity,
            "publication": publication,
            "td02": request.param,
            "documents": sut.dmp_documents(person_id),
        },
    )


@pytest.fixture(scope="session")
def unavailable(sut: SutDriver, recorder: Recorder, dmp: Simulator) -> Scenario:
    """DUPONT-ESSAI LOUISE MARIE while the DMP answers HTTP 503 to every ITI-41, then is back."""
    person_id, identity = qualify(sut, recorder, person("dupont-louise-marie"))
    since = recorder.mark()
    dmp.faults.add("http_status", "ITI-41", None, status=503)
    try:
        publication = sut.dmp_publish(person_id, "PPA")
        during = sut.dmp_documents(person_id)
    finally:
        dmp.faults.clear()
    outage = recorder.mark()
    try:
        retry: Any = sut.dmp_retry()
    except TriggerApiError as exc:  # a DUI that retries by itself, or reports, need not offer it
        retry = {"error": str(exc)}
    return Scenario(
        "DMP indisponible / DMP unavailable",
        person_id,
        dmp_exchanges(recorder, since),
        {
            "identity": identity,
            "publication": publication,
            "documents_during_outage": during,
            "retry": retry,
            "documents_after": sut.dmp_documents(person_id),
            "outage_end": outage,
        },
    )


@pytest.fixture(scope="session")
def dmp_error(sut: SutDriver, recorder: Recorder, dmp: Simulator) -> Scenario:
    """SANTONI-ESSAI PAUL while the DMP refuses the submission with XDSUnknownPatientId."""
    person_id, identity = qualify(sut, recorder, person("santoni-paul"))
    since = recorder.mark()
    dmp.faults.add(
        "registry_error",
        "ITI-41",
        1,
        code="XDSUnknownPatientId",
        context="INS inconnu du DMP / unknown INS (dui-harness: injected)",
        action="urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-bResponse",
    )
    try:
        publication = sut.dmp_publish(person_id, "N1")
    finally:
        dmp.faults.clear()
    return Scenario(
        "Erreur du DMP / DMP error (XDSUnknownPatientId)",
        person_id,
        dmp_exchanges(recorder, since),
        {"identity": identity, "publication": publication, "documents": sut.dmp_documents(person_id)},
    )


@pytest.fixture(scope="session")
def unqualified(sut: SutDriver, recorder: Recorder, dmp: Simulator) -> Scenario:
    """HOUILLES PIERRE (INSi answers 01): identity not qualified, the DUI must not feed the DMP."""
    created = sut.create_person(person("houilles-pierre").traits, CNI)
    person_id = str(created["person_id"])
    sut.lookup_ins(person_id)
    since = recorder.mark()
    try:
        outcome: Any = sut.dmp_publish(person_id, "N1")
    except TriggerApiError as exc:
        outcome = {"refused_by_dui": str(exc)}
    return Scenario(
        "Identité non qualifiée / unqualified identity",
        person_id,
        dmp_exchanges(recorder, since),
        {"identity": sut.identity(person_id), "publication": outcome},
    )


def retrieve(kind: str, sut: SutDriver, recorder: Recorder, dmp: Simulator) -> Scenario:
    """DUPONT-ESSAI LOUISE ANNE and her twin LOUISE MARIE (same birth name): a hospital put a FLUDR (or a
    VSM) in LOUISE ANNE's DMP; the DUI retrieves it and must integrate it for her only."""
    twin_id, _ = qualify(sut, recorder, person("dupont-louise-marie"))
    target = person("dupont-louise-anne")
    person_id, identity = qualify(sut, recorder, target)
    if target.ins is None or target.oid is None:
        raise HarnessCheckError(f"fixture person {target.id} has no INS or OID")
    traits = target.traits
    if not isinstance(dmp, DmpSimulator):
        raise HarnessCheckError("the DMP simulator of the run is not a DmpSimulator")
    seeded = dmp.seed(
        kind,
        target.ins,
        target.oid,
        {
            "birth_name": traits.birth_name,
            "first_names": list(traits.first_names),
            "sex": traits.sex,
            "birth_date": traits.birth_date,
            "birth_place": traits.birth_place,
        },
    )
    since = recorder.mark()
    outcome = sut.dmp_retrieve(person_id, kind)
    return Scenario(
        f"Récupération {kind} / retrieval",
        person_id,
        dmp_exchanges(recorder, since),
        {
            "identity": identity,
            "seeded": seeded,
            "retrieval": outcome,
            "twin": twin_id,
            "documents": sut.dmp_documents(person_id),
            "twin_documents": sut.dmp_documents(twin_id),
            "expected_ins": target.ins,
            "expected_oid": target.oid,
        },
    )


@pytest.fixture(scope="session")
def retrieved_fludr(sut: SutDriver, recorder: Recorder, dmp: Simulator) -> Scenario:
    """A FLUDR (emergency department → EHPAD) retrieved for DUPONT-ESSAI LOUISE ANNE (twin in the DUI)."""
    return retrieve("FLUDR", sut, recorder, dmp)


@pytest.fixture(scope="session")
def retrieved_vsm(sut: SutDriver, recorder: Recorder, dmp: Simulator) -> Scenario:
    """A VSM (volet de synthèse médicale) retrieved for DUPONT-ESSAI LOUISE ANNE (twin in the DUI)."""
    return retrieve("VSM", sut, recorder, dmp)


@pytest.fixture
def scenario(request: pytest.FixtureRequest) -> Scenario:
    """The scenario named by indirect parametrization."""
    value: Scenario = request.getfixturevalue(request.param)
    return value


@pytest.fixture(scope="session", params=TD02_REFUSALS)
def consult_refused(request: pytest.FixtureRequest, sut: SutDriver, recorder: Recorder, dmp: Simulator) -> Scenario:
    """DUPONT-ESSAI LOUISE ANNE while the DMP answers TD0.2 NON_EXISTE, EXPIRE or INTERDIT: the DUI is asked
    to retrieve her VSM and must not consult the DMP (SC.DMP/UX.08)."""
    who = person("dupont-louise-anne")
    person_id, identity = qualify(sut, recorder, who)
    if who.ins is None:
        raise HarnessCheckError(f"fixture person {who.id} has no INS")
    since = recorder.mark()
    with patient_status(dmp, who.ins, request.param):
        try:
            outcome: Any = sut.dmp_retrieve(person_id, "VSM")
        except TriggerApiError as exc:  # a DUI may refuse the request itself
            outcome = {"refused_by_dui": str(exc)}
    return Scenario(
        f"Consultation, TD0.2 {request.param}",
        person_id,
        dmp_exchanges(recorder, since),
        {"identity": identity, "retrieval": outcome, "td02": request.param},
    )


@pytest.fixture(scope="session")
def deleted(sut: SutDriver, recorder: Recorder, dmp: Simulator) -> Scenario:
    """BERNARD-ESSAI ANDRE: an N1 document is published, then deleted from the DMP as fed by mistake."""
    scenario = publish("Suppression / deletion", sut, recorder, person("bernard-andre"), "N1")
    return _then_on_the_published(scenario, sut, recorder, "deletion", sut.dmp_delete)


@pytest.fixture(scope="session")
def opposed(sut: SutDriver, recorder: Recorder, dmp: Simulator) -> Scenario:
    """LEFEVRE-ESSAI JEANNE opposes feeding her DMP; the DUI is then asked to publish her PPA."""
    person_id, identity = qualify(sut, recorder, person("lefevre-jeanne"))
    try:
        recorded: Any = sut.dmp_opposition(person_id, True)
    except TriggerApiError as exc:  # judged by DMP-OPP-01: the DUI cannot record it
        recorded = {"error": str(exc)}
    since = recorder.mark()
    try:
        publication: Any = sut.dmp_publish(person_id, "PPA")
    except TriggerApiError as exc:  # a DUI may refuse the request itself
        publication = {"refused_by_dui": str(exc)}
    finally:
        if "error" not in recorded:  # withdrawn: the person's later scenarios feed as usual
            sut.dmp_opposition(person_id, False)
    return Scenario(
        "Opposition à l'alimentation / opposition to feeding",
        person_id,
        dmp_exchanges(recorder, since),
        {"identity": identity, "opposition": recorded, "publication": publication},
    )


def _then_on_the_published(
    scenario: Scenario,
    sut: SutDriver,
    recorder: Recorder,
    key: str,
    action: Callable[[str, str], dict[str, Any]],
) -> Scenario:
    """After a publication, ``action(person, document)`` on the published document (replace, delete): its
    answer goes in ``data[key]`` and its DMP exchanges in ``data[key + "_exchanges"]``; the first
    publication stays in ``data["first"]`` / ``data["first_exchanges"]``."""
    first = scenario.data["publication"]
    scenario.data["first"] = first
    scenario.data["first_exchanges"] = [e.id for e in scenario.exchanges]
    if scenario.person_id is None:
        raise HarnessCheckError("the DMP scenario created no person (fixture precondition)")
    since = recorder.mark()
    if first.get("status") == "published":
        scenario.data[key] = action(scenario.person_id, str(first["document_id"]))
    exchanges = dmp_exchanges(recorder, since)
    scenario.exchanges += exchanges
    scenario.data[f"{key}_exchanges"] = [e.id for e in exchanges]
    scenario.data["documents"] = sut.dmp_documents(scenario.person_id)
    return scenario
