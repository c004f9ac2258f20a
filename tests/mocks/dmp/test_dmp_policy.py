"""A DUI's submission is judged once with the run's pack; what the DMP refuses is its answer policy."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

from harness.core.findings import Finding, Severity
from harness.core.recorder import Exchange, Recorder
from harness.suites.dmp.checks import report_of
from harness.validators.cda.pack import load_pack
from harness.validators.soap12 import parse_envelope
from harness.validators.xds import XdsReport
from harness.validators.xds.mime import split_message
from harness.validators.xds.vihf import VihfReport
from mocks.dmp import DmpSimulator, iti41
from mocks.dmp.context import DmpRequest
from mocks.dmp.policy import OFFICIAL_ONLY, considered
from mocks.dmp.samples import iti41_request
from mocks.dmp.samples_cda import HOSPITAL
from tests.mocks.dmp.conftest import INS, OID, TRAITS, document
from tests.support import SHARED_REFERENCE, need_reference

PACK_DIR = SHARED_REFERENCE / "cda-testcontenucda"


def test_the_dmp_answers_on_all_findings_but_the_official_artefacts_only_ones() -> None:
    xsd = Finding("cda.xsd", "CDA-XSD-01", "schema", Severity.ERROR)
    sch = Finding("CI-SIS_Modeles_ANS.sch#p/a", "CDA-SCH-02", "official", Severity.ERROR)
    embedded = Finding("cda.ins.traits", "CDA-INS-01", "embedded", Severity.ERROR)
    xds = Finding("xds.de.slot", "DMP-XDS-02", "metadata", Severity.WARNING)
    assert considered([xsd, sch, embedded, xds]) == [embedded, xds]
    assert {"CDA-XSD-01", "CDA-SCH-01", "CDA-SCH-02", "CDA-SCH-03"} == OFFICIAL_ONLY


def _request(cda: bytes) -> DmpRequest:
    body, content_type = iti41_request([cda], signer=None)
    message = split_message(body, content_type)
    vihf = VihfReport(
        present=True, signed=True, subject=HOSPITAL["author"], structure=HOSPITAL["struct"], ins=INS, ins_oid=OID
    )
    return DmpRequest(body, content_type, message, parse_envelope(message.envelope), iti41.ACTION, vihf)


def test_with_the_pack_one_judgement_is_kept_and_the_answer_does_not_depend_on_it() -> None:
    need_reference(PACK_DIR, f"the CI-SIS artefact pack is not beside the repository ({PACK_DIR})")
    # given a DMP of a run with the official pack
    sim = DmpSimulator(Recorder(), pack=PACK_DIR)
    # then it still registers its own seeded documents (never judged as a DUI's submission)
    for kind in ("FLUDR", "VSM"):
        assert sim.seed(kind, INS, OID, TRAITS)["kind"] == kind
    # when a DUI submits a VSM the official schematrons find fault with
    answer = iti41.handle(sim, _request(document("VSM")))
    used, report = answer.judgements["xds"]
    assert used == PACK_DIR and isinstance(report, XdsReport)
    official = [f for f in report.findings if f.requirement in OFFICIAL_ONLY and f.severity is Severity.ERROR]
    # then the one judgement (made with the pack) holds them for the suites, and the DMP accepts the document
    assert official
    assert answer.summary["status"] == "Success", answer.summary.get("errors")
    assert not [f for f in answer.findings if f.requirement in OFFICIAL_ONLY]
    # and the DMP suite reads that judgement with the run's pack instead of judging again
    exchange = cast(Exchange, SimpleNamespace(judgements=answer.judgements))
    assert report_of(exchange, load_pack(PACK_DIR)) is report
