"""Put documents from other professionals into the simulated DMP (what a DUI then retrieves).

A seeded document goes through the same ITI-41 path as a DUI's submission (validation,
patient check, registration), written by :mod:`mocks.dmp.samples` as a synthetic hospital.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from harness.validators.soap12 import parse_envelope
from harness.validators.xds import check_iti41
from harness.validators.xds.vihf import VihfReport
from mocks.dmp import iti41
from mocks.dmp.context import DmpRequest
from mocks.dmp.mtom import split_message
from mocks.dmp.samples import iti41_request
from mocks.dmp.samples_cda import HOSPITAL, KINDS, clinical_document

if TYPE_CHECKING:
    from mocks.dmp.app import DmpSimulator

__all__ = ["seed_document"]


def seed_document(
    sim: DmpSimulator, kind: str, ins: str, oid: str, traits: dict[str, Any], **options: Any
) -> dict[str, Any]:
    """Register a ``kind`` document (FLUDR, VSM, N1) for ``ins``; ``ValueError`` when refused.

    ``options`` go to :func:`mocks.dmp.samples_cda.clinical_document` (``confidentiality``…).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}; known: {', '.join(KINDS)}")
    cda = clinical_document(kind, ins=ins, ins_oid=oid, traits=traits, **options)
    body, content_type = iti41_request([cda], signer=None, mtom_=False)
    message = split_message(body, content_type)
    envelope = parse_envelope(message.envelope)
    vihf = VihfReport(
        present=True, signed=True, subject=HOSPITAL["author"], structure=HOSPITAL["struct"], ins=ins, ins_oid=oid
    )
    # the simulator's own sample: registered through the DMP's answer path, checked with the embedded rules
    # only — never through the judgement of a DUI's submission (no pack, nothing kept for the suites)
    report = check_iti41(message, envelope, pack=None)
    answer = iti41.answer_submission(sim, DmpRequest(body, content_type, message, envelope, iti41.ACTION, vihf), report)
    if answer.summary.get("status") != "Success":
        raise ValueError(f"the DMP refused the seeded {kind}: {answer.summary.get('errors')}")
    registered = answer.summary["registered"]
    assert isinstance(registered, list)
    return {"kind": kind, "ins": ins, **registered[0]}
