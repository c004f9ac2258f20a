"""The DMP operations of the trigger API contract, honoured by the reference DUI through the HTTP driver."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
import yaml
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from harness.core.recorder import Recorder
from harness.paths import openapi_path
from harness.pki import TestPki, ensure_pki
from harness.suites.ins.persons import person
from harness.sut.attended import AttendedDriver, Operator
from harness.sut.driver import IdentityDocument
from harness.sut.http_trigger import HttpTriggerDriver, TriggerApiError
from mocks.common.server import TlsSettings
from mocks.dmp import DmpSimulator
from mocks.insi import InsiSimulator
from reference_dui import ReferenceDui, ReferenceDuiConfig

SPEC: dict[str, Any] = yaml.safe_load(openapi_path().read_text(encoding="utf-8"))
REGISTRY = Registry().with_resource("urn:spec", DRAFT202012.create_resource(SPEC))


def check(instance: Any, name: str) -> None:
    schema = {"$ref": f"urn:spec#/components/schemas/{name}"}
    jsonschema.Draft202012Validator(schema, registry=REGISTRY).validate(instance)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return ensure_pki(tmp_path_factory.mktemp("openapi-dmp-pki"))


@pytest.fixture(scope="module")
def running(pki: TestPki) -> Iterator[tuple[HttpTriggerDriver, DmpSimulator, Recorder]]:
    tls = TlsSettings(pki.server_cert, pki.server_key, client_ca=pki.ca_cert)
    recorder = Recorder()
    with DmpSimulator(recorder, tls=tls) as dmp, InsiSimulator(recorder, tls=tls) as insi:
        dui = ReferenceDui(ReferenceDuiConfig(pki_dir=pki.directory)).start()
        driver = HttpTriggerDriver(dui.base_url)
        cert, key = (str(p) for p in pki.client("client-insi-auto"))
        endpoints = {
            "insi": {"url": insi.url, "client_cert": cert, "client_key": key, "ca": str(pki.ca_cert)},
            "dmp": {
                "url": dmp.url,
                "client_cert": cert,
                "client_key": key,
                "ca": str(pki.ca_cert),
                **dmp.endpoint_details(),
            },
        }
        check(endpoints, "Endpoints")
        assert driver.configure_endpoints(endpoints)
        try:
            yield driver, dmp, recorder
        finally:
            driver.close()
            dui.stop()


def _qualified(driver: HttpTriggerDriver, who: str) -> str:
    person_id = str(driver.create_person(person(who).traits, IdentityDocument())["person_id"])
    driver.lookup_ins(person_id)
    return person_id


def test_dmp_operations_follow_the_contract(running: tuple[HttpTriggerDriver, DmpSimulator, Recorder]) -> None:
    driver, dmp, _ = running
    pid = _qualified(driver, "dupont-louise-anne")
    published = driver.dmp_publish(pid, "DLU", title="DLU de test")
    check(published, "DmpDocument")
    replaced = driver.dmp_replace(pid, published["document_id"])
    check(replaced, "DmpDocument")
    visibility = driver.dmp_visibility(
        pid, replaced["document_id"], masked_from_professionals=False, invisible_to_patient=True
    )
    check(visibility, "DmpVisibility")
    target = person("dupont-louise-anne")
    dmp.seed(
        "VSM",
        str(target.ins),
        str(target.oid),
        {
            "birth_name": target.traits.birth_name,
            "first_names": list(target.traits.first_names),
            "sex": target.traits.sex,
            "birth_date": target.traits.birth_date,
            "birth_place": target.traits.birth_place,
        },
    )
    retrieval = driver.dmp_retrieve(pid, "VSM")
    check(retrieval, "DmpRetrieval")
    assert len(retrieval["integrated"]) == 1
    for document in driver.dmp_documents(pid):
        check(document, "DmpDocument")
    assert driver.dmp_retry() == {"retried": []}
    with pytest.raises(TriggerApiError, match="HTTP 404"):
        driver.dmp_publish("nobody", "DLU")


class Bot(Operator):
    """Does what the DMP instructions say, in the reference DUI, through its trigger API."""

    def __init__(self, driver: HttpTriggerDriver, person_id: str) -> None:
        super().__init__(out=io.StringIO(), inp=io.StringIO(), timeout=5)
        self.driver = driver
        self.person_id = person_id
        self.said: list[str] = []

    def say(self, french: str, english: str) -> None:
        self.said.append(french)
        if french.startswith("Produisez"):
            threading.Thread(target=self.driver.dmp_publish, args=(self.person_id, "N1"), daemon=True).start()

    def ask(self, french: str, english: str) -> str:
        self.said.append(french)
        return " ".join(d["document_id"] for d in self.driver.dmp_documents(self.person_id))


def test_attended_publication_is_read_from_the_wire(running: tuple[HttpTriggerDriver, DmpSimulator, Recorder]) -> None:
    driver, _, recorder = running
    pid = _qualified(driver, "bernard-andre")
    attended = AttendedDriver(recorder, Bot(driver, pid), exchange_timeout=10)
    outcome = attended.dmp_publish(pid, "N1")
    assert outcome["status"] == "published" and outcome["declared_by_operator"] is True
    assert [d["document_id"] for d in attended.dmp_documents(pid)] == [outcome["document_id"]]
