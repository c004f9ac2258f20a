"""The CDA documents a DUI sends by MSSanté are judged once, by the operator simulator, with the run's CDA pack
(issue 10 item 3): the official structuration minimale schematrons find what the embedded rules do not, and the
reference DUI's own document passes them."""

from __future__ import annotations

from email.message import EmailMessage

from harness.core.findings import Finding, Severity
from harness.core.recorder import Recorder
from harness.validators.cda.pack import load_pack
from mocks.common.setup import SimulatorSetup
from mocks.mssante import MssSimulator, create
from reference_dui.mssante.cda import DOCUMENT_TITLE, build_document
from reference_dui.mssante.xdm import build_xdm
from tests.support import SHARED_REFERENCE, need_reference

PACK_DIR = SHARED_REFERENCE / "cda-testcontenucda"
NO_PACK = f"the CI-SIS artefact pack is not beside the repository ({PACK_DIR})"
SENDER, RECIPIENT = "dui.reference@ehpad-essai.mssante.fr", "jean.medecin-essai@chu-essai.mssante.fr"
INS = ("279035121518989", "1.2.250.1.213.1.4.10")
TRAITS: dict[str, object] = {
    "birth_name": "ESSAI",
    "first_names": ["MARIE", "ANNE"],
    "sex": "F",
    "birth_date": "1940-02-03",
    "birth_place": "63220",
}
LOCATION = b"<location><healthCareFacility>"


def _message(document: bytes, document_id: str) -> bytes:
    message = EmailMessage()
    message["From"], message["To"] = SENDER, RECIPIENT
    message["Subject"] = f"XDM/1.0/DDM+{DOCUMENT_TITLE} ESSAI MARIE 03/02/1940"
    message["Message-ID"] = "<pack-1@ehpad-essai.mssante.fr>"
    message["X-MSS-INS"], message["X-MSS-CODECDA"] = "O", "34133-9"
    message.set_content("Note de liaison (essai).")
    archive = build_xdm(document, document_id, f"{INS[0]}^^^&{INS[1]}&ISO^NH", DOCUMENT_TITLE)
    message.add_attachment(archive, maintype="application", subtype="zip", filename="IHE_XDM.ZIP")
    return message.as_bytes()


def _official(findings: list[Finding]) -> list[Finding]:
    """The findings only the official pack's schematrons and schema make (``[CDA-SCH-…]``, ``[CDA-XSD-…]``)."""
    return [
        f
        for f in findings
        if f.requirement == "MSS-XDM-03"
        and f.severity is Severity.ERROR
        and "[CDA-" in f.message
        and "-SCH-" in f.message
    ]


def test_the_operator_judges_the_attached_cda_with_the_runs_pack() -> None:
    need_reference(PACK_DIR, NO_PACK)
    pack = load_pack(PACK_DIR)
    # given the operator simulator of a run with the official pack (the factory hands it over)
    sim = create(SimulatorSetup(Recorder(), cda_pack=pack))
    assert isinstance(sim, MssSimulator) and sim.cda_pack is pack
    document, document_id = build_document("p1", TRAITS, INS)
    # when the reference DUI's own note is sent, then the official structuration minimale finds nothing
    assert _official(sim.inspect(_message(document, document_id), SENDER, [RECIPIENT]).findings) == []
    # when a document lacks the encounter's location (mandatory in the structuration minimale)
    assert LOCATION in document
    start = document.index(b"<location>")
    broken = document[:start] + document[document.index(b"</location>") + len(b"</location>") :]
    findings = _official(sim.inspect(_message(broken, document_id), SENDER, [RECIPIENT]).findings)
    # then the operator's one judgement names the official schematron's fault, under the MSSanté requirement
    assert findings, "the official schematron should find the missing encompassingEncounter/location"
    assert any("componentOf" in f.location for f in findings)


def test_without_a_pack_only_the_embedded_rules_judge() -> None:
    document, document_id = build_document("p1", TRAITS, INS)
    sim = MssSimulator(Recorder())
    assert sim.cda_pack is None
    assert _official(sim.inspect(_message(document, document_id), SENDER, [RECIPIENT]).findings) == []
