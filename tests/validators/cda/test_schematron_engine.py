"""The project's ISO Schematron → XSLT 2 compiler and the SaxonC-HE engine, on small schematrons of its own.

No pack needed: each test writes a schematron (and its includes) in a temporary folder and
checks one behaviour of the ISO skeleton the CI-SIS schematrons rely on.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.core.findings import Severity
from harness.validators.cda.schematron_compile import SchematronError, compile_schematron
from harness.validators.cda.schematron_run import SCHEMATRON_STATS, SchematronEngine, SchematronRunError
from harness.validators.cda.svrl import SvrlReport, parse_svrl, severity_of

SCH = "http://purl.oclc.org/dsdl/schematron"
DOCUMENT = """<ClinicalDocument xmlns="urn:hl7-org:v3">
  <templateId root="1.2.3"/><templateId root="4.5.6" extension="2024.01"/>
  <code code="74207-2" codeSystem="2.16.840.1.113883.6.1"/>
  <component><section><code code="A"/></section><section><code code="B"/></section></component>
</ClinicalDocument>"""


def _schema(body: str, *, attributes: str = "") -> str:
    return (
        f'<schema xmlns="{SCH}" queryBinding="xslt2" schemaVersion="test.sch" {attributes}>'
        f'<title>Test</title><ns prefix="cda" uri="urn:hl7-org:v3"/>{body}</schema>'
    )


def _run(
    tmp_path: Path,
    body: str,
    *,
    document: str = DOCUMENT,
    attributes: str = "",
    files: dict[str, str] | None = None,
    engine: SchematronEngine | None = None,
) -> SvrlReport:
    for name, text in {**(files or {}), "test.sch": _schema(body, attributes=attributes)}.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_text(encoding="utf-8") != text:  # unchanged: keep its mtime
            target.write_text(text, encoding="utf-8")
    source = tmp_path / "test.sch"
    runner = engine or SchematronEngine()
    return parse_svrl(runner.run(source, runner.parse(document), fired=True))


def test_assert_and_report_with_role_id_location_and_message(tmp_path: Path) -> None:
    report = _run(
        tmp_path,
        """<pattern id="p"><rule context="cda:ClinicalDocument">
        <assert id="a1" role="warning" test="cda:title">Le titre manque dans <name/>
          (code <value-of select="cda:code/@code"/>)</assert>
        <report id="r1" test="cda:code[@code='74207-2']">Document de liaison d'urgence</report>
        <assert test="cda:code">jamais</assert></rule></pattern>""",
    )
    (failed,) = report.failed
    assert (failed.id, failed.role, failed.severity) == ("a1", "warning", Severity.WARNING)
    assert failed.text == "Le titre manque dans ClinicalDocument (code 74207-2)"
    assert failed.location == "/ClinicalDocument"  # the ANS tool's notation (full-path-notation 2)
    successful = [a for a in report.assertions if a.kind == "successful-report"]
    assert [(a.id, a.severity) for a in successful] == [("r1", Severity.ERROR)]


def test_first_matching_rule_of_a_pattern_wins_and_patterns_are_independent(tmp_path: Path) -> None:
    report = _run(
        tmp_path,
        """
        <pattern id="p1"><rule context="cda:section[cda:code/@code='A']">
                            <assert id="specific" test="false()">A</assert></rule>
                          <rule context="cda:section"><assert id="generic" test="false()">S</assert></rule></pattern>
        <pattern id="p2"><rule context="cda:section"><assert id="other" test="false()">T</assert></rule></pattern>""",
    )
    assert [(a.pattern, a.id) for a in report.failed] == [
        ("p1", "specific"),
        ("p1", "generic"),
        ("p2", "other"),
        ("p2", "other"),
    ]
    # the first same-named sibling has no [1], as the ANS tool writes it
    assert [a.location for a in report.failed] == [
        "/ClinicalDocument/component/section",
        "/ClinicalDocument/component/section[2]",
        "/ClinicalDocument/component/section",
        "/ClinicalDocument/component/section[2]",
    ]


def test_includes_abstract_patterns_abstract_rules_and_lets(tmp_path: Path) -> None:
    files = {
        "abstract/present.sch": f'<pattern xmlns="{SCH}" abstract="true" id="present"><rule context="$ctx">'
        '<assert test="$what">$label absent</assert></rule></pattern>',
        "include/instance.sch": f'<pattern xmlns="{SCH}" id="titre" is-a="present"><param name="ctx" '
        'value="cda:ClinicalDocument"/><param name="what" value="cda:title"/>'
        '<param name="label" value="titre"/></pattern>',
        "include/rules.sch": f'<rule xmlns="{SCH}" abstract="true" id="coded"><let name="c" value="@code"/>'
        '<assert test="$c = $allowed">code <value-of select="$c"/> refusé</assert></rule>',
    }
    report = _run(
        tmp_path,
        """<include href="abstract/present.sch"/><include href="include/instance.sch"/>
        <let name="allowed" value="'A'"/>
        <pattern id="codes"><include href="include/rules.sch"/>
          <rule context="cda:section/cda:code"><extends rule="coded"/></rule></pattern>""",
        files=files,
    )
    assert [(a.pattern, a.text) for a in report.failed] == [("titre", "titre absent"), ("codes", "code B refusé")]


def test_phases_select_the_active_patterns(tmp_path: Path) -> None:
    body = """<phase id="only"><active pattern="b"/></phase>
        <pattern id="a"><rule context="/"><assert test="false()">a</assert></rule></pattern>
        <pattern id="b"><rule context="/"><assert test="false()">b</assert></rule></pattern>"""
    assert [a.text for a in _run(tmp_path, body, attributes='defaultPhase="only"').failed] == ["b"]
    assert [a.text for a in _run(tmp_path, body).failed] == ["a", "b"]
    assert compile_schematron(tmp_path / "test.sch", "only").phase == "only"


def test_attribute_contexts_are_visited_and_located(tmp_path: Path) -> None:
    report = _run(
        tmp_path,
        """<pattern id="p"><rule context="cda:templateId/@extension">
        <assert test="matches(., '^\\d{4}$')">extension <value-of select="."/></assert></rule></pattern>""",
    )
    (failed,) = report.failed
    assert failed.text == "extension 2024.01"
    assert failed.location == "/ClinicalDocument/templateId[2]/@extension"


def test_value_sets_are_read_relative_to_the_schematron(tmp_path: Path) -> None:
    files = {"jdv/codes.xml": '<ValueSet xmlns="urn:ihe:iti:svs:2008"><Concept code="A"/></ValueSet>'}
    report = _run(
        tmp_path,
        """<ns prefix="svs" uri="urn:ihe:iti:svs:2008"/>
        <pattern id="p"><let name="jdv" value="'jdv/codes.xml'"/><rule context="cda:section/cda:code">
        <assert test="document($jdv)//svs:Concept[@code = current()/@code]">hors JDV</assert></rule></pattern>""",
        files=files,
    )
    (failed,) = report.failed
    assert failed.location == "/ClinicalDocument/component/section[2]/code"


def test_the_skeleton_notation_stays_available(tmp_path: Path) -> None:
    (tmp_path / "test.sch").write_text(
        _schema(
            '<pattern id="p"><rule context="cda:section/cda:code"><assert test="false()">x</assert></rule></pattern>'
        ),
        encoding="utf-8",
    )
    xslt = compile_schematron(tmp_path / "test.sch", locations="skeleton").xslt
    assert "namespace-uri()=''" in xslt and "name(.)=name(current())" not in xslt


def test_a_missing_include_or_abstract_pattern_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "test.sch").write_text(_schema('<include href="nowhere.sch"/>'), encoding="utf-8")
    with pytest.raises(SchematronError, match=r"nowhere\.sch"):
        compile_schematron(tmp_path / "test.sch")
    (tmp_path / "test.sch").write_text(_schema('<pattern id="x" is-a="ghost"/>'), encoding="utf-8")
    with pytest.raises(SchematronError, match="ghost"):
        compile_schematron(tmp_path / "test.sch")


def test_a_value_set_missing_at_run_time_is_a_run_error(tmp_path: Path) -> None:
    with pytest.raises(SchematronRunError, match=r"absent\.xml"):
        _run(
            tmp_path,
            """<pattern id="p"><rule context="/"><assert test="doc('absent.xml')/*">x</assert></rule>
            </pattern>""",
        )


def test_only_local_files_are_readable_by_the_schematron(tmp_path: Path) -> None:
    # given a schematron that tries to read an http URI, then Saxon refuses the protocol (no network)
    report = _run(
        tmp_path,
        """<pattern id="p"><rule context="/">
        <assert test="not(doc-available('http://127.0.0.1:9/x.xml'))">network</assert></rule></pattern>""",
    )
    assert report.failed == ()


def test_compiled_schematrons_are_cached_in_memory_and_on_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUI_HARNESS_CACHE_DIR", str(tmp_path / "cache"))
    body = '<pattern id="p"><rule context="/"><assert test="false()">x</assert></rule></pattern>'
    start = dict(SCHEMATRON_STATS)
    first = SchematronEngine()
    _run(tmp_path, body, engine=first)
    _run(tmp_path, body, engine=first)
    # one compilation to XSLT and one by Saxon for two runs
    assert (
        SCHEMATRON_STATS["sch_compiled"] - start["sch_compiled"],
        SCHEMATRON_STATS["xslt_compiled"] - start["xslt_compiled"],
    ) == (1, 1)
    # a new process (a new engine) reads the XSLT from the disk cache
    _run(tmp_path, body, engine=SchematronEngine())
    assert SCHEMATRON_STATS["sch_compiled"] - start["sch_compiled"] == 1
    assert SCHEMATRON_STATS["disk_hits"] - start["disk_hits"] == 1
    # a changed schematron is compiled again, in memory and on disk
    changed = body.replace(">x<", ">changed<")
    assert [a.text for a in _run(tmp_path, changed + " ", engine=first).failed] == ["changed"]
    assert SCHEMATRON_STATS["sch_compiled"] - start["sch_compiled"] == 2


@pytest.mark.parametrize(
    ("role", "severity"),
    [
        ("error", Severity.ERROR),
        ("fatal", Severity.ERROR),
        ("", Severity.ERROR),
        ("warning", Severity.WARNING),
        ("info", Severity.INFO),
    ],
)
def test_severity_follows_the_role(role: str, severity: Severity) -> None:
    assert severity_of(role) is severity


def test_selecting_contexts_gives_the_same_report_as_walking_the_tree(tmp_path: Path) -> None:
    body = """<pattern id="p1"><rule context="cda:section[cda:code/@code='A']"><assert test="false()">A</assert></rule>
        <rule context="cda:section"><report test="true()">S</report></rule><rule context="/"><assert test="false()">D
        </assert></rule></pattern><pattern id="p2"><rule context="cda:templateId/@root"><assert test=". = '1.2.3'">
        <value-of select="."/></assert></rule><rule context="cda:code"><assert test="@code = 'A'">C</assert></rule>
        </pattern>"""
    _run(tmp_path, body)
    from saxonche import PySaxonProcessor

    processor = PySaxonProcessor(license=False)
    document = processor.parse_xml(xml_text=DOCUMENT, encoding="utf-8")
    reports = []
    for select in (True, False):
        xslt = compile_schematron(tmp_path / "test.sch", select_contexts=select).xslt
        executable = processor.new_xslt30_processor().compile_stylesheet(stylesheet_text=xslt, encoding="utf-8")
        executable.set_global_context_item(xdm_item=document)
        reports.append(parse_svrl(executable.apply_templates_returning_string(xdm_value=document, encoding="utf-8")))
    selected, walked = reports
    assert selected.assertions == walked.assertions and selected.fired == walked.fired
    assert len(selected.assertions) == 6
