"""``dui-harness validate``: kinds, inputs (values, text, XML), the JSON contract and exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness.cli import validate as validate_cli
from harness.validators.result import ValidateOptions, ValidationResult
from tests.cli.conftest import CliRun
from tests.support import insi_fixture

Cli = Callable[..., CliRun]

SOAP_RESPONSE = """<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope">
  <soap:Body>
    <RESULTAT xmlns="http://www.cnamts.fr/INSiResultat">
      <CR><CodeCR>00</CodeCR><LibelleCR>OK</LibelleCR></CR>
      <INDIVIDU>
        <INSACTIF><IdIndividu><NumIdentifiant>2751263220749</NumIdentifiant><Cle>74</Cle></IdIndividu>
          <OID>1.2.250.1.213.1.4.8</OID></INSACTIF>
        <INSHISTO><IdIndividu><NumIdentifiant>1090763220834</NumIdentifiant><Cle>89</Cle></IdIndividu>
          <OID>1.2.250.1.213.1.4.8</OID></INSHISTO>
        <INSHISTO><IdIndividu><NumIdentifiant>1810363220456</NumIdentifiant><Cle>60</Cle></IdIndividu>
          <OID>1.2.250.1.213.1.4.2</OID></INSHISTO>
      </INDIVIDU>
    </RESULTAT>
  </soap:Body>
</soap:Envelope>
"""


def _json(run: CliRun) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(run.out)
    return data


# -- values -------------------------------------------------------------------------------------


def test_a_valid_value_exits_0(cli: Cli) -> None:
    run = cli("validate", "ins", "275126322074974")
    assert run.code == 0
    assert run.out.startswith("VALID    ins  275126322074974  (1 checked, 0 error(s), 0 warning(s))")
    assert run.err == ""


def test_a_value_with_spaces(cli: Cli) -> None:
    assert cli("validate", "ins", "2 75 12 63 220 749 74").code == 0


def test_a_wrong_key_exits_1_with_the_finding(cli: Cli) -> None:
    # given HERMANN's INSi qualification INS, whose published key fails the check
    run = cli("validate", "ins", "181036322045660")
    assert run.code == 1
    assert run.out.splitlines()[:3] == [
        "INVALID  ins  181036322045660  (1 checked, 1 error(s), 0 warning(s))",
        "  ERROR    INS-KEY-01 ins.key",
        "           key 60 does not match NIR 1810363220456: 97 − (NIR mod 97) = 76",
    ]


def test_oid_option_applies_to_values_without_oid(cli: Cli) -> None:
    run = cli(
        "validate",
        "ins",
        "--json",
        "--oid",
        "1.2.250.1.213.1.4.2",
        "275126322074974",
        "275126322074974;1.2.250.1.213.1.4.8",
    )
    assert run.code == 1
    first, second = _json(run)["results"]
    assert [f["rule"] for f in first["findings"]] == ["ins.oid.ins-c"]
    assert second["valid"] is True


def test_a_warning_alone_exits_0(cli: Cli) -> None:
    run = cli("validate", "ins", "--json", "775126322074918")
    assert run.code == 0
    (result,) = _json(run)["results"]
    assert result["valid"] is True
    assert [(f["rule"], f["severity"]) for f in result["findings"]] == [("ins.sex", "warning")]


# -- files --------------------------------------------------------------------------------------


def test_text_file_locations_are_file_and_line(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "ins.txt"
    path.write_text(
        "# INS exportés par le DUI\n275126322074974;1.2.250.1.213.1.4.8\n\n"
        "181036322045660;1.2.250.1.213.1.4.8\n180032B020401 23  # CORSE\n",
        encoding="utf-8",
    )
    run = cli("validate", "ins", "--json", str(path))
    assert run.code == 1
    (result,) = _json(run)["results"]
    assert result["file"] == str(path)
    assert [(f["rule"], f["location"]) for f in result["findings"]] == [("ins.key", f"{path}:4")]


def test_xml_response_locations_are_xpaths(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "response.xml"
    path.write_text(SOAP_RESPONSE, encoding="utf-8")
    run = cli("validate", "ins", "--json", str(path))
    assert run.code == 1
    (result,) = _json(run)["results"]
    where = "/soap:Envelope/soap:Body/RESULTAT/INDIVIDU/INSHISTO[2]"
    assert [(f["rule"], f["requirement"], f["location"]) for f in result["findings"]] == [
        ("ins.key", "INS-KEY-01", where),
        ("ins.oid.ins-c", "INS-OID-01", where),
    ]


def test_json_contract_has_exactly_these_keys(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "response.xml"
    path.write_text(SOAP_RESPONSE, encoding="utf-8")
    data = _json(cli("validate", "ins", "--json", "275126322074974", str(path)))
    assert list(data) == ["results"]
    assert [r["file"] for r in data["results"]] == ["275126322074974", str(path)]
    for result in data["results"]:
        assert list(result) == ["file", "kind", "valid", "findings"]
        assert result["kind"] == "ins"
        for finding in result["findings"]:
            assert list(finding) == ["rule", "requirement", "severity", "location", "message"]
            assert all(isinstance(v, str) for v in finding.values())


def test_readable_report_summarises_every_input(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "response.xml"
    path.write_text(SOAP_RESPONSE, encoding="utf-8")
    run = cli("validate", "ins", "275126322074974", str(path))
    assert f"INVALID  ins  {path}  (3 checked, 2 error(s), 0 warning(s))" in run.out
    assert run.out.rstrip().endswith("2 input(s): 1 valid, 1 invalid / 2 entrée(s) : 1 valide(s), 1 non valide(s)")


# -- the real INSi responses (shared/reference beside the repository) ---------------------------


@pytest.mark.parametrize(
    ("name", "code", "checked"),
    [
        ("TEST_2.04_cas2.xml", 0, 3),
        ("TEST_2.05.xml", 0, 1),
        ("TEST_2.08_cas1.xml", 0, 2),
        ("REP_CR01.xml", 1, 0),  # no INS: nothing checked is never VALID (issue 17)
        ("TEST_2.08_cas2.xml", 1, 3),
    ],
)
def test_real_insi_fixtures(cli: Cli, name: str, code: int, checked: int) -> None:
    path = insi_fixture(name)
    run = cli("validate", "ins", str(path))
    assert run.code == code, run.out
    assert f"({checked} checked," in run.out


def test_real_hermann_response_fails_on_every_ins(cli: Cli) -> None:
    path = insi_fixture("TEST_2.08_cas2.xml")
    (result,) = _json(cli("validate", "ins", "--json", str(path)))["results"]
    base = "/soap:Envelope/soap:Body/RESULTAT/INDIVIDU/"
    assert [(f["rule"], f["location"]) for f in result["findings"]] == [
        ("ins.key", base + "INSACTIF"),
        ("ins.key", base + "INSHISTO[1]"),
        ("ins.key", base + "INSHISTO[2]"),
    ]


# -- exit code 2 --------------------------------------------------------------------------------


def _assert_usage_error(run: CliRun, *words: str) -> None:
    assert run.code == 2
    assert run.out == ""
    assert "Traceback" not in run.err
    assert run.err.startswith("dui-harness: ")
    assert "\nConseil / Tip: " in run.err
    for word in words:
        assert word in run.err


def test_missing_file(cli: Cli, tmp_path: Path) -> None:
    _assert_usage_error(cli("validate", "ins", str(tmp_path / "absent.xml")), "no such file")


def test_a_missing_file_among_inputs_stops_everything(cli: Cli, tmp_path: Path) -> None:
    _assert_usage_error(cli("validate", "ins", "275126322074974", str(tmp_path / "absent.txt")), "absent.txt")


def _assert_broken_document(run: CliRun, rule: str, *words: str) -> None:
    """A file that was read but is broken: one finding with its location, exit 1 (issue 15 item 7)."""
    assert run.code == 1, run.err
    assert run.err == ""
    (result,) = json.loads(run.out)["results"]
    (finding,) = result["findings"]
    assert (finding["rule"], finding["severity"], result["valid"]) == (rule, "error", False)
    assert finding["location"]
    for word in words:
        assert word in finding["message"] + " " + finding["location"]


def test_binary_file(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01")
    _assert_broken_document(cli("validate", "ins", "--json", str(path)), "ins.file", "binary file")


def test_text_that_is_not_utf8(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("275126322074974 # Zoé\n".encode("latin-1"))
    _assert_broken_document(cli("validate", "ins", "--json", str(path)), "ins.file", "not UTF-8 text")


def test_malformed_xml(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "truncated.xml"
    path.write_text(SOAP_RESPONSE[:300], encoding="utf-8")
    _assert_broken_document(cli("validate", "ins", "--json", str(path)), "ins.file", "not well-formed", "line ")


def test_xml_with_an_external_entity(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "xxe.xml"
    path.write_text('<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>', encoding="utf-8")
    _assert_broken_document(cli("validate", "ins", "--json", str(path)), "ins.file", "document type declaration")


def test_a_folder(cli: Cli, tmp_path: Path) -> None:
    _assert_usage_error(cli("validate", "ins", str(tmp_path)), "folder")


def test_unknown_kind_lists_the_known_kinds(cli: Cli) -> None:
    run = cli("validate", "cdx", "x.xml")
    _assert_usage_error(run, "unknown kind 'cdx'", "known kinds: ")
    known = run.err.split("known kinds: ", 1)[1].split("\n", 1)[0].split(", ")
    assert known == sorted(validate_cli.VALIDATORS) and {"ins", "cda"} <= set(known)


def test_missing_input_is_an_argparse_usage_error(cli: Cli) -> None:
    run = cli("validate", "ins")
    assert run.code == 2 and "INPUT" in run.err


# -- extension --------------------------------------------------------------------------------


def test_a_new_kind_is_one_registry_entry(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    # given a validator registered under a new kind
    seen: list[tuple[str, ValidateOptions]] = []

    def validate_demo(target: str, options: ValidateOptions) -> list[ValidationResult]:
        seen.append((target, options))
        return [ValidationResult(target, "demo")]

    monkeypatch.setitem(validate_cli.VALIDATORS, "demo", validate_demo)
    # when the CLI is asked for that kind
    run = cli("validate", "demo", "--oid", "1.2.3", "a", "b")
    # then the dispatcher calls it for each input, with the options
    assert run.code == 0
    assert seen == [("a", ValidateOptions(oid="1.2.3")), ("b", ValidateOptions(oid="1.2.3"))]
