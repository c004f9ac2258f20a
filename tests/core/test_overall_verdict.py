"""The DUI's overall verdict: MUST requirements decide it; a SHOULD not followed is said apart."""

from __future__ import annotations

from harness.core.verdicts import CONFORME, NON_CONFORME, PARTIEL, Overall, overall_verdict


def _rows(*rows: tuple[str, str, str]) -> list[dict[str, str]]:
    return [{"id": i, "level": level, "verdict": verdict} for i, level, verdict in rows]


def test_a_failed_must_requirement_makes_the_dui_non_conforme() -> None:
    overall = overall_verdict(_rows(("A", "MUST", "fail"), ("B", "SHOULD", "fail"), ("C", "MUST", "pass")))
    assert overall.verdict == NON_CONFORME
    assert overall.failed == ("A",) and overall.not_followed == ("B",)
    assert "en échec / failed: A" in overall.label() and "not followed: B" in overall.label()


def test_a_recommendation_not_followed_is_no_non_conformity() -> None:
    # given every MUST requirement passed and a Préconisée (SHOULD) failed
    overall = overall_verdict(_rows(("A", "MUST", "pass"), ("SC.MSS/CONF.09", "SHOULD", "fail")))
    # then the DUI is conformant, and the recommendation not followed is named beside the verdict
    assert overall.verdict == CONFORME and overall.failed == ()
    assert overall.label() == (
        "CONFORME / CONFORMANT (recommandations non suivies / recommendations not followed: SC.MSS/CONF.09)"
    )
    assert Overall.from_dict(overall.as_dict()) == overall


def test_a_should_failure_does_not_hide_what_was_not_judged() -> None:
    overall = overall_verdict(_rows(("A", "MUST", "skip"), ("B", "SHOULD", "fail")))
    assert overall.verdict == PARTIEL and overall.not_judged == ("A",) and overall.not_followed == ("B",)


def test_an_older_result_without_the_field_reads_back() -> None:
    assert Overall.from_dict({"verdict": "conforme"}).not_followed == ()
