"""## Requirements
CDA-PRES-01 (SC.DOC.08.MS1: the DLU and the FLUDT produced self-presenting, carrying a stylesheet
of the ESMS; CI-SIS Volet Structuration minimale § 3.3.2 and § 3.9).
CDA-PRES-02 (SC.CDA/INT.16: the stylesheet the DUI provides displays the narrative of every section,
added sections included).

## Dependencies
The scenario ``self_presented``: the FLUDT of ``fludt_published`` and a DLU of the same resident;
the DUI hands out each in its self-presenting form (trigger API ``getSelfPresentingDocument``, or
the operator exports the file). The FLUDT's check is *blocked* by CDA-FLUDT-01 when the DUI
produced no FLUDT.

## Methodology
Each file is judged by :func:`harness.validators.cda.self_presenting.check_self_presenting`: an
XSL stylesheet carrying the very document produced, which compiles and, applied to the file
itself with every file, network and write access denied, renders an HTML page that shows the
title, the patient's birth name, the ESMS keeping the document and the title of every section
(CDA-PRES-01), and every text of every section's narrative block (CDA-PRES-02). The harness cannot make
the DUI add a section a volume does not foresee: the narratives of the sections it produced are judged.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import pytest

from harness.core.findings import Blocked, Finding
from harness.plugin.evidence import Scenario
from harness.suites.dmp.checks import expect
from harness.validators.cda.self_presenting import NOT_RENDERED, REQ_NARRATIVE, REQ_PRES, check_self_presenting

WHERE = "trigger API getSelfPresentingDocument"


def _judge(kind: str, file: dict[str, Any], document_id: str, requirement: str) -> list[Finding]:
    """The findings of ``requirement``; CDA-PRES-02 is blocked by CDA-PRES-01 when nothing was rendered."""
    found = _findings(kind, file, document_id)
    if requirement == REQ_NARRATIVE and any(f.rule in NOT_RENDERED for f in found):
        raise Blocked(f"the DUI's self-presenting {kind} renders nothing, its narratives cannot be judged", (REQ_PRES,))
    return [f for f in found if f.requirement == requirement]


def _findings(kind: str, file: dict[str, Any], document_id: str) -> list[Finding]:
    if file.get("refused_by_dui"):
        return [
            Finding(
                "cda.self-presenting.refused",
                REQ_PRES,
                f"the DUI does not hand out its {kind} in a self-presenting form: {file['refused_by_dui']}",
                location=WHERE,
            )
        ]
    try:
        content = base64.b64decode(str(file.get("content_base64", "")), validate=True)
    except (binascii.Error, ValueError):
        return [Finding("cda.self-presenting.base64", REQ_PRES, "content_base64 is not valid base64", location=WHERE)]
    return [
        Finding(f.rule, f.requirement, f"[{kind}] {f.message}", f.severity, f"{kind} {document_id}: {f.location}")
        for f in check_self_presenting(content, document_id or None)
    ]


@pytest.mark.requirement(REQ_PRES)
@pytest.mark.parametrize("scenario", ["self_presented"], indirect=True)
def test_dlu_and_fludt_present_themselves(scenario: Scenario) -> None:
    """The DLU and the FLUDT are handed out inside the ESMS's stylesheet, which renders them readable."""
    _judge_both(scenario, REQ_PRES)


@pytest.mark.requirement(REQ_NARRATIVE)
@pytest.mark.parametrize("scenario", ["self_presented"], indirect=True)
def test_the_stylesheet_shows_every_narrative(scenario: Scenario) -> None:
    """The ESMS's stylesheet displays the narrative block of every section of the DLU and the FLUDT."""
    _judge_both(scenario, REQ_NARRATIVE)


def _judge_both(scenario: Scenario, requirement: str) -> None:
    """The DLU's and the FLUDT's self-presenting files, judged on ``requirement``."""
    found: list[Finding] = []
    not_produced = []
    for kind, file in scenario.data["files"].items():
        if file.get("not_produced"):
            not_produced.append(kind)
            continue
        found += _judge(kind, file, str(scenario.data["produced"][kind].get("document_id") or ""), requirement)
    expect(f"{scenario.name}: self-presenting documents", found)
    if "FLUDT" in not_produced:
        raise Blocked(
            f"{scenario.name}: the DUI produced no FLUDT, its self-presenting form cannot be judged", ("CDA-FLUDT-01",)
        )
    if not_produced:
        expect(
            f"{scenario.name}: self-presenting documents",
            [
                Finding(
                    "cda.self-presenting.produced",
                    REQ_PRES,
                    f"the DUI produced no {kind}: {scenario.data['files'][kind]['not_produced']}",
                    location="trigger API publishDmpDocument",
                )
                for kind in not_produced
            ],
        )
