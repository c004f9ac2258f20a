"""What the simulated DMP refuses: its answer policy, kept apart from the judgement of a submission.

A DUI's ITI-41 submission is judged once, with the run's inputs (the CI-SIS artefact pack when
given): :func:`mocks.dmp.iti41.handle` keeps that report on the exchange (``judgements["xds"]``) and the
DMP suite's verdicts read it. What the simulated DMP *answers* follows the documented assumptions of
the public DMP material (README, "Simulated DMP"): it refuses a submission on XDS errors (metadata,
value sets, formats, CDA ↔ metadata consistency, VIHF) and on the ERROR findings of the embedded CDA
rules, as the DMP's own controls do; it does not refuse on findings that only the official artefacts
produce (``CDA_extended.xsd``, CI-SIS schematrons: CDA-XSD-01, CDA-SCH-0x), which the suites still
judge. So the DMP's answers — hence the scenarios the DUI can play — do not depend on the official
schematrons and XSD (the value sets are the pack's when given: the official source of the codes).
"""

from __future__ import annotations

from collections.abc import Iterable

from harness.core.findings import Finding
from harness.validators.cda.selection import REQ_SCH_IHE, REQ_SCH_MODEL, REQ_SCH_PROFILES
from harness.validators.cda.xsd import REQ_XSD

__all__ = ["OFFICIAL_ONLY", "considered"]

#: requirements judged only with the official artefact pack: judged by the suites, never refused
OFFICIAL_ONLY = frozenset({REQ_XSD, REQ_SCH_MODEL, REQ_SCH_PROFILES, REQ_SCH_IHE})


def considered(findings: Iterable[Finding]) -> list[Finding]:
    """The findings the simulated DMP answers with (it refuses on their ERRORs): all but the
    official-artefact-only ones. They are the exchange's findings; the whole judgement is kept apart."""
    return [f for f in findings if f.requirement not in OFFICIAL_ONLY]
