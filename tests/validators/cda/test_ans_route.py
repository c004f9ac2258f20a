"""Differential test: the project's schematron compiler against the ANS tool's own pipeline.

The pack's ``schematrons/moteur/`` holds the ANS pipeline (include → abstract-expand →
``iso_svrl_for_xslt2.xsl``), run here on SaxonC-HE (:mod:`harness.validators.cda.ans_route`).
On official examples and seeded faulty versions of them, both routes must give the same SVRL in
substance: the same failed assertions and successful reports (kind, id, **location**, text, with
their counts) and the same fired rules (pattern, context, count). The table of what was compared
is printed (``pytest -s``) and quoted in the README.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from lxml import etree

from harness.validators.cda import CdaPack
from harness.validators.cda.ans_route import ans_moteur
from harness.validators.cda.official import run_schematron
from harness.validators.cda.pack_state import schematron_state
from harness.validators.cda.schematron_run import engine
from harness.validators.cda.selection import model_schematron, profile_schematron
from harness.validators.cda.svrl import SvrlReport
from tests.validators.cda.conftest import NS, first, need, remove, tree

Mutation = Callable[[etree._Element], None]


def _set(path: str, attribute: str, value: str) -> Mutation:
    return lambda root: first(root, path).set(attribute, value)


def _drop(path: str) -> Mutation:
    return lambda root: remove(root, path)


def _set_all(path: str, attribute: str, value: str) -> Mutation:
    def mutate(root: etree._Element) -> None:
        found = root.xpath(path, namespaces=NS)
        assert found, f"the example has no {path}"
        for element in found:
            element.set(attribute, value)

    return mutate


def _keep(root: etree._Element) -> None:
    """The official example as published."""


def _each(*mutations: Mutation) -> Mutation:
    def mutate(root: etree._Element) -> None:
        for mutation in mutations:
            mutation(root)

    return mutate


#: seeded faults: each touches a part of the document the schematrons check
MUTATIONS: dict[str, Mutation] = {
    "as published": _keep,
    "document code": _set("cda:code", "code", "34133-9"),
    "no title, no realmCode": _each(_drop("cda:title"), _drop("cda:realmCode")),
    "no author time": _drop("cda:author/cda:time"),
    "patient without birthTime": _drop("cda:recordTarget/cda:patientRole/cda:patient/cda:birthTime"),
    "section code system": _set(
        "cda:component/cda:structuredBody/cda:component[2]/cda:section/cda:code", "codeSystem", "9.9.9"
    ),
    "fourth section removed": _drop("cda:component/cda:structuredBody/cda:component[4]"),
    "entry templateIds removed": _drop(
        "cda:component/cda:structuredBody/cda:component[3]/cda:section/cda:entry[1]//cda:templateId"
    ),
    "confidentiality code": _set("cda:confidentialityCode", "code", "X"),
    "every entry's moodCode": _set_all("//cda:entry/*[1]", "moodCode", "XXX"),
    "every entry's statusCode removed": _drop("//cda:entry/*[1]/cda:statusCode"),
    "every entry code's system": _set_all("//cda:entry/*[1]/cda:code[@code]", "codeSystem", "9.9.9"),
    "every section title removed": _drop("//cda:section/cda:title"),
    "author and custodian ids": _each(_drop("cda:author/cda:assignedAuthor/cda:id"), _drop("cda:custodian//cda:id")),
}
DOCUMENTS = ["DLU-EHPAD-DLU_2022.01.xml", "VSM_1.4_2022.01.xml", "LDL-SES_2022.01.xml"]
SCHEMATRONS = ["model", "ModelesDeContenusCDA", "Modeles_ANS", "StructurationMinimale"]
#: the structuration minimale (12 923 assertions) is compared on one document: its XSLT is the
#: slowest to build, twice here (both routes), and it judges only the header
HEADER_ONLY = {"StructurationMinimale": "DLU-EHPAD-DLU_2022.01.xml"}
CASES = [(d, s) for d in DOCUMENTS for s in SCHEMATRONS if HEADER_ONLY.get(s, d) == d]
#: (document, schematron) -> per mutation: (failed asserts, distinct locations, fired rules)
TABLE: dict[tuple[str, str], list[tuple[str, int, int, int]]] = {}


def _applicable(root: etree._Element, mutation: Mutation) -> bool:
    try:
        mutation(root)
    except AssertionError:
        return False  # the example has no such part: nothing to seed there
    return True


def _run(pack: CdaPack, name: str, root: etree._Element, *, ans: bool) -> SvrlReport:
    if name == "model":
        path = model_schematron(
            pack, [(t.get("root", ""), t.get("extension", "")) for t in root.xpath("cda:templateId", namespaces=NS)]
        )
        assert path is not None
        schematron = profile_schematron(pack, "Modeles_ANS")
        schematron = type(schematron)("model", path, "CDA-SCH-01")
    else:
        schematron = profile_schematron(pack, name)
    state = schematron_state(pack, schematron.path)
    document = engine().parse(etree.tostring(root, encoding="unicode"))
    moteur = ans_moteur(pack.schematrons) if ans else None
    return run_schematron(schematron, document, fired=True, overlay=state.overlay, moteur=moteur)


def _substance(report: SvrlReport) -> Counter[tuple[str, str, str, str]]:
    return Counter(a.key() for a in report.assertions)


@pytest.mark.parametrize(("document", "schematron"), CASES)
def test_the_harness_compiler_writes_what_the_ans_pipeline_writes(
    pack: CdaPack, document: str, schematron: str
) -> None:
    need(pack.schematrons / "moteur" / "iso_svrl_for_xslt2.xsl", "the pack has no schematrons/moteur/")
    rows = []
    for label, mutation in MUTATIONS.items():
        root = tree(document)
        if not _applicable(root, mutation):
            continue
        ours, theirs = _run(pack, schematron, root, ans=False), _run(pack, schematron, root, ans=True)
        assert _substance(ours) == _substance(theirs), (
            label,
            _substance(ours) - _substance(theirs),
            _substance(theirs) - _substance(ours),
        )
        assert ours.fired == theirs.fired, label
        rows.append((label, len(theirs.failed), len({a.location for a in theirs.failed}), sum(theirs.fired.values())))
    TABLE[(document, schematron)] = rows
    assert len(rows) >= 6


def test_the_seeded_faults_are_seen_with_ans_locations(pack: CdaPack) -> None:
    """Not a vacuous agreement: faults are found, located in the ANS notation (``/ClinicalDocument/…``)."""
    root = tree("DLU-EHPAD-DLU_2022.01.xml")
    MUTATIONS["every entry's statusCode removed"](root)
    report = _run(pack, "ModelesDeContenusCDA", root, ans=False)
    assert len(report.failed) >= 5
    assert all(
        a.location.startswith("/ClinicalDocument/component/structuredBody/component")
        and "namespace-uri" not in a.location
        for a in report.failed
    )
    assert any("]/section/entry" in a.location for a in report.failed)


def test_print_the_agreement_table(pack: CdaPack, capsys: pytest.CaptureFixture[str]) -> None:
    """Runs last in this module: the table of the differential comparisons above."""
    if not TABLE:
        pytest.skip("run with the differential tests above")
    lines = [
        "| document | schematron | cases | failed asserts (total) | fired rules (total) | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for (document, schematron), rows in sorted(TABLE.items()):
        lines.append(
            f"| {document} | {schematron} | {len(rows)} | {sum(r[1] for r in rows)} | "
            f"{sum(r[3] for r in rows)} | identical |"
        )
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert sum(r[1] for rows in TABLE.values() for r in rows) > 20
