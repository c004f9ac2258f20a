"""The Annuaire Santé extraction the MSSanté simulator publishes, and the reference DUI's search in it."""

from __future__ import annotations

import ssl
import urllib.request

from harness.pki import TestPki
from mocks.mssante import MssSimulator
from mocks.mssante.annuaire import COLUMNS, EXTRACTION_PATH, extraction_rows
from mocks.mssante.directory import default_directory_file
from reference_dui.mssante.annuaire import MssAnnuaire


def test_the_extraction_lists_professional_and_organisational_mailboxes() -> None:
    rows = extraction_rows(default_directory_file())
    kinds = {r["Type de BAL"] for r in rows}
    assert kinds == {"PER", "ORG"}  # no application nor patient mailbox
    kine = [r for r in rows if r["Nom d'exercice"] == "KINE-ESSAI"]
    assert {r["Identifiant PP"] for r in kine} == {"810000000002", "810000000003"}  # the homonyms


def test_the_simulator_serves_and_records_the_extraction(sim: MssSimulator, pki: TestPki) -> None:
    # given the simulator, when a client downloads the extraction over HTTPS with the test CA
    since = sim.recorder.mark()
    context = ssl.create_default_context(cafile=str(pki.ca_cert))
    with urllib.request.urlopen(sim.url + EXTRACTION_PATH, context=context, timeout=10) as answer:
        text = answer.read().decode("utf-8")
    # then it is the header then one line per mailbox, and the download is one recorded exchange
    assert text.splitlines()[0] == "|".join(COLUMNS)
    assert "marc.kine-essai@cabinet-kine-essai.mssante.fr" in text
    (exchange,) = sim.recorder.exchanges(service="MSS", transaction="ANNUAIRE", since=since)
    assert exchange.summary["lines"] == len(extraction_rows(default_directory_file()))
    assert sim.endpoint_details()["annuaire_url"] == sim.url + EXTRACTION_PATH


def test_the_reference_dui_finds_by_rpps_and_its_defects(sim: MssSimulator, pki: TestPki) -> None:
    annuaire = MssAnnuaire()
    assert annuaire.integrate(sim.url + EXTRACTION_PATH, pki.ca_cert, set()) == len(
        extraction_rows(default_directory_file())
    )
    found = annuaire.search("KINE-ESSAI Marc", "810000000002", set())
    assert [r["address"] for r in found] == ["marc.kine-essai@cabinet-kine-essai.mssante.fr"]
    homonym = annuaire.search("KINE-ESSAI Marc", "810000000002", {"mss_ann_search_by_name_only"})
    assert homonym[0]["address"] == "marc.kine-essai@ch-autre-essai.mssante.fr"
    stale = MssAnnuaire()
    stale.integrate(sim.url + EXTRACTION_PATH, pki.ca_cert, {"mss_ann_no_import"})
    assert stale.search("", "810000000002", set())[0]["address"].startswith("marc.kine@ancien-cabinet")
