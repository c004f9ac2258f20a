"""The INSi simulator over real HTTP: each CR, history, NIA, Corsica, the Vitale search.

Identities come from ``fixtures/identities/insi-identities.json`` (qualification test persons
and synthetic ones); the matching rule is the file's ``_provenance.matching``.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.validators.insi_rules import OP_VITALE
from mocks.insi.samples import build_request, read_answer


def search(caller: Any, *args: Any, **kwargs: Any) -> tuple[dict[str, Any], Any]:
    response, exchange = caller.post(build_request(*args, **kwargs))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/soap+xml")
    return read_answer(response.content), exchange


def test_cr00_adrun_zoe(caller: Any) -> None:
    answer, exchange = search(caller, "ADRUN", ["ZOE"], "F", "1975-12-31")
    assert (answer["cr"], answer["label"]) == ("00", "OK")
    assert (answer["ins"], answer["oid"]) == ("275126322074974", "1.2.250.1.213.1.4.8")
    assert answer["tiq"] == {
        "NomNaissance": "ADRUN",
        "Prenom": "ZOE",
        "ListePrenom": "ZOE",
        "Sexe": "F",
        "DateNaissance": "1975-12-31",
        "LieuNaissance": "63220",
    }
    assert exchange.summary["ins"] == "275126322074974"
    assert exchange.summary["cr"] == "00"
    assert exchange.tags == {
        "operation": "rechercherInsAvecTraitsIdentite",
        "birth_name": "ADRUN",
        "birth_date": "1975-12-31",
        "sex": "F",
        "first_names": "ZOE",
        "cr": "00",
    }


def test_matching_folds_case_and_accents(caller: Any) -> None:
    answer, exchange = search(caller, "Adrun", ["Zoé"], "F", "1975-12-31")
    assert answer["cr"] == "00"
    assert exchange.tags["first_names"] == "Zoé"  # recorded as sent


@pytest.mark.parametrize("first_names", [["PIERRE"], ["PAUL"], ["JACQUES"], ["PIERRE PAUL JACQUES"]])
def test_cr01_houilles_for_every_first_name(caller: Any, first_names: list[str]) -> None:
    answer, exchange = search(caller, "HOUILLES", first_names, "M", "1993-01-27")
    assert (answer["cr"], answer["label"]) == ("01", "Aucune identite trouvee")
    assert answer["ins"] is None
    assert exchange.summary["ins"] is None


def test_cr01_on_a_wrong_trait(caller: Any) -> None:
    answer, _ = search(caller, "ADRUN", ["ZOE"], "F", "1975-12-30")
    assert answer["cr"] == "01"


def test_cr02_then_00_for_the_dupont_twins(caller: Any) -> None:
    answer, exchange = search(caller, "DUPONT-ESSAI", ["LOUISE"], "F", "1941-05-12")
    assert (answer["cr"], answer["label"]) == ("02", "Plusieurs identites trouvees")
    assert exchange.tags["cr"] == "02"
    answer, _ = search(caller, "DUPONT-ESSAI", ["LOUISE ANNE"], "F", "1941-05-12")
    assert (answer["cr"], answer["ins"]) == ("00", "241057505612360")
    answer, exchange = search(caller, "DUPONT-ESSAI", ["LOUISE", "MARIE"], "F", "1941-05-12")
    assert (answer["cr"], answer["ins"]) == ("00", "241057505612459")
    assert exchange.tags["first_names"] == "LOUISE|MARIE"


def test_birth_place_narrows_the_search(caller: Any) -> None:
    assert search(caller, "ADRUN", ["ZOE"], "F", "1975-12-31", "63220")[0]["cr"] == "00"
    assert search(caller, "ADRUN", ["ZOE"], "F", "1975-12-31", "75056")[0]["cr"] == "01"


def test_inshisto_of_ecetinsi(caller: Any) -> None:
    answer, exchange = search(caller, "ECETINSI", ["PIERRE-ALAIN"], "M", "2009-07-14")
    assert answer["ins"] == "109076322083489"
    assert answer["history"] == [
        {"ins": "209076322083439", "oid": "1.2.250.1.213.1.4.8", "start": "2019-03-01", "end": "2019-02-28"},
        {"ins": "209066322012355", "oid": "1.2.250.1.213.1.4.8", "start": None, "end": None},
    ]
    assert answer["tiq"]["ListePrenom"] == "PIERRE-ALAIN MURIEL FLORIANT"
    assert exchange.summary["history"] == ["209076322083439", "209066322012355"]


def test_nia_keeps_its_oid(caller: Any) -> None:
    answer, exchange = search(caller, "PROVISOIRE", ["MATRICULE"], "M", "2009-07-01")
    assert (answer["ins"], answer["oid"]) == ("109076322088835", "1.2.250.1.213.1.4.9")
    assert exchange.summary["oid"] == "1.2.250.1.213.1.4.9"


@pytest.mark.parametrize(
    ("traits", "ins", "place"),
    [
        (("CORSE", ["ANTHONY"], "M", "1980-03-02"), "180032B02040123", "2B020"),
        (("SANTONI-ESSAI", ["PAUL"], "M", "1938-02-14"), "138022A00401789", "2A004"),
    ],
)
def test_corsica(caller: Any, traits: tuple[Any, ...], ins: str, place: str) -> None:
    answer, _ = search(caller, *traits)
    assert answer["cr"] == "00"
    assert answer["ins"] == ins
    assert answer["tiq"]["LieuNaissance"] == place


def test_carte_vitale_search(caller: Any) -> None:
    answer, exchange = search(
        caller, "ADRUN", (), None, "1975-12-31", operation=OP_VITALE, nir="2751263220749", key="74"
    )
    assert (answer["cr"], answer["ins"]) == ("00", "275126322074974")
    assert exchange.transaction == "rechercherInsAvecCarteVitale"
    assert exchange.summary["matricule"]["nir"] == "2751263220749"
    assert (
        search(caller, "ADRUN", (), None, "1975-12-30", operation=OP_VITALE, nir="2751263220749", key="74")[0]["cr"]
        == "01"
    )
    assert (
        search(caller, "ECETINSI", (), None, "2009-07-14", operation=OP_VITALE, nir="2090663220123")[0]["ins"]
        == "109076322083489"
    )


def test_findings_carry_the_exchange_id(caller: Any) -> None:
    _, exchange = search(caller, "ADRUN", ["ZOE"], "F", "1975-12-31")
    assert exchange.findings and all(f.evidence == (exchange.id,) for f in exchange.findings)
