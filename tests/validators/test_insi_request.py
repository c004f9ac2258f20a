"""Each check of :func:`check_insi_request` fails on a crafted bad request, on its requirement.

The good request (``mocks.insi.samples.build_request`` and the shared reference example)
passes with only the warning that authentication could not be checked over plain HTTP.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from harness.core.findings import Severity
from harness.core.requirements import load_catalog
from harness.paths import profiles_dir
from harness.validators.insi_request import check_insi_request
from harness.validators.insi_rules import NS, OP_VITALE
from mocks.insi.samples import build_request
from tests.support import need_reference

EXAMPLE = (
    Path(__file__).resolve().parents[2]
    / ".."
    / "shared"
    / "reference"
    / "insi-tlsi-ins"
    / "fixtures"
    / "REQ_rechercherInsAvecTraitsIdentite_example.xml"
)
SOAP_CT = "application/soap+xml; charset=utf-8"
LPS = "/soap:Envelope/soap:Header/ctxlps:ContexteLPS"
Mutation = Callable[[etree._Element], None]


def check(
    body: bytes, content_type: str | None = SOAP_CT, over_tls: bool = False, tls_subject: str | None = None
) -> Any:
    return check_insi_request(body, content_type=content_type, over_tls=over_tls, tls_subject=tls_subject)


def mutate(mutation: Mutation, body: bytes | None = None) -> bytes:
    root = etree.fromstring(body or build_request())
    mutation(root)
    out: bytes = etree.tostring(root)
    return out


def one(path: str) -> Callable[[etree._Element], etree._Element]:
    def find(root: etree._Element) -> etree._Element:
        found = root.xpath(path, namespaces=NS)
        assert found, path
        return found[0]

    return find


def remove(path: str) -> Mutation:
    return lambda root: one(path)(root).getparent().remove(one(path)(root))


def set_text(path: str, value: str) -> Mutation:
    def apply(root: etree._Element) -> None:
        one(path)(root).text = value

    return apply


def set_attr(path: str, name: str, value: str | None) -> Mutation:
    def apply(root: etree._Element) -> None:
        element = one(path)(root)
        if value is None:
            del element.attrib[name]
        else:
            element.set(name, value)

    return apply


def move_before(path: str, before: str) -> Mutation:
    return lambda root: one(before)(root).addprevious(one(path)(root))


def duplicate(path: str) -> Mutation:
    def apply(root: etree._Element) -> None:
        element = one(path)(root)
        element.addnext(etree.fromstring(etree.tostring(element)))

    return apply


def append(path: str, tag: str, text: str = "") -> Mutation:
    def apply(root: etree._Element) -> None:
        etree.SubElement(one(path)(root), tag).text = text

    return apply


def rename(path: str, tag: str) -> Mutation:
    def apply(root: etree._Element) -> None:
        one(path)(root).tag = tag

    return apply


H, B = "/soap:Envelope/soap:Header", "/soap:Envelope/soap:Body"
CTX, IDAM, BAM, REC = (
    f"{H}/ctxlps:ContexteLPS",
    f"{H}/ctxlps:ContexteLPS/ctxlps:LPS/ctxlps:IDAM",
    f"{H}/ctxbam:ContexteBAM",
    f"{B}/recsans:RECSANSVITALE",
)

#: name -> (mutation, expected rule, expected requirement)
MUTATIONS: dict[str, tuple[Mutation, str, str]] = {
    "no ContexteLPS": (remove(CTX), "insi.ctxlps.missing", "INS-INSI-02"),
    "IDAM without R": (set_attr(IDAM, "R", None), "insi.ctxlps.idam.r", "INS-INSI-02"),
    "IDAM R=3": (set_attr(IDAM, "R", "3"), "insi.ctxlps.idam.r", "INS-INSI-02"),
    "IDAM empty": (set_text(IDAM, ""), "insi.ctxlps.idam.missing", "INS-INSI-02"),
    "bad Nom": (set_text(f"{CTX}/ctxlps:LPS/ctxlps:Nom", "NOMLOGICIEL"), "insi.ctxlps.lps.nom", "INS-INSI-02"),
    "no Instance": (remove(f"{CTX}/ctxlps:LPS/ctxlps:Instance"), "insi.ctxlps.lps.instance", "INS-INSI-02"),
    "no LPS Version": (remove(f"{CTX}/ctxlps:LPS/ctxlps:Version"), "insi.ctxlps.lps.version", "INS-INSI-02"),
    "no LPS": (remove(f"{CTX}/ctxlps:LPS"), "insi.ctxlps.lps.missing", "INS-INSI-02"),
    "Nature": (set_attr(CTX, "Nature", "CTXBAM"), "insi.ctxlps.nature", "INS-INSI-02"),
    "ctxlps Version": (set_attr(CTX, "Version", "01_01"), "insi.ctxlps.version", "INS-INSI-02"),
    "no ctxlps Id": (remove(f"{CTX}/ctxlps:Id"), "insi.ctxlps.id", "INS-INSI-02"),
    "Temps not a dateTime": (set_text(f"{CTX}/ctxlps:Temps", "hier"), "insi.ctxlps.temps", "INS-INSI-02"),
    "Temps not a real date": (
        set_text(f"{CTX}/ctxlps:Temps", "2024-13-01T10:00:00Z"),
        "insi.ctxlps.temps",
        "INS-INSI-02",
    ),
    "ctxlps order": (move_before(f"{CTX}/ctxlps:Temps", f"{CTX}/ctxlps:Id"), "insi.ctxlps.child.order", "INS-INSI-02"),
    "ctxlps twice": (duplicate(CTX), "insi.ctxlps.duplicate", "INS-INSI-02"),
    "ctxlps namespace": (rename(CTX, "{urn:siram:lps}ContexteLPS"), "insi.ctxlps.namespace", "INS-INSI-02"),
    "no ContexteBAM": (remove(BAM), "insi.ctxbam.missing", "INS-INSI-03"),
    "BAM without Version": (set_attr(BAM, "Version", None), "insi.ctxbam.version", "INS-INSI-03"),
    "BAM without COUVERTURE": (remove(f"{BAM}/ctxbam:COUVERTURE"), "insi.ctxbam.couverture", "INS-INSI-03"),
    "BAM without Temps": (remove(f"{BAM}/ctxbam:Temps"), "insi.ctxbam.temps", "INS-INSI-03"),
    "BAM unknown child": (append(BAM, "{urn:siram:bam:ctxbam}Autre"), "insi.ctxbam.child.unknown", "INS-INSI-03"),
    "no MessageID": (remove(f"{H}/wsa:MessageID"), "insi.wsa.message_id.missing", "INS-INSI-03"),
    "MessageID not uuid:": (set_text(f"{H}/wsa:MessageID", "12345"), "insi.wsa.message_id.format", "INS-INSI-03"),
    "wrong action": (
        set_text(f"{H}/wsa:Action", "urn:ServiceIdentiteCertifiee:1.0.0:verifierIns"),
        "insi.action.unknown",
        "INS-INSI-01",
    ),
    "no action": (remove(f"{H}/wsa:Action"), "insi.action.missing", "INS-INSI-01"),
    "Vitale action, traits body": (
        set_text(f"{H}/wsa:Action", "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecCarteVitale"),
        "insi.action.body_mismatch",
        "INS-INSI-01",
    ),
    "body element unknown": (
        rename(REC, "{http://www.cnamts.fr/INSiRecSans}RECHERCHE"),
        "insi.body.unknown",
        "INS-INSI-01",
    ),
    "body namespace": (
        rename(REC, "{http://www.cnamts.fr/INSiRecVit}RECSANSVITALE"),
        "insi.body.namespace",
        "INS-INSI-01",
    ),
    "unknown child": (append(REC, "{http://www.cnamts.fr/INSiRecSans}Age"), "insi.body.child.unknown", "INS-INSI-01"),
    "wrong order": (
        move_before(f"{REC}/recsans:Sexe", f"{REC}/recsans:Prenom"),
        "insi.body.child.order",
        "INS-INSI-01",
    ),
    "NomNaissance twice": (duplicate(f"{REC}/recsans:NomNaissance"), "insi.body.child.duplicate", "INS-INSI-01"),
    "unqualified child": (rename(f"{REC}/recsans:Sexe", "Sexe"), "insi.body.child.namespace", "INS-INSI-01"),
    "two body elements": (duplicate(REC), "insi.body.multiple", "INS-INSI-01"),
    "empty NomNaissance": (set_text(f"{REC}/recsans:NomNaissance", " "), "insi.traits.birth_name", "INS-INSI-05"),
    "no Prenom": (remove(f"{REC}/recsans:Prenom"), "insi.traits.first_name", "INS-INSI-05"),
    "Sexe X": (set_text(f"{REC}/recsans:Sexe", "X"), "insi.traits.sex", "INS-INSI-05"),
    "no Sexe": (remove(f"{REC}/recsans:Sexe"), "insi.traits.sex", "INS-INSI-05"),
    "date 31/12/1975": (
        set_text(f"{REC}/recsans:DateNaissance", "31/12/1975"),
        "insi.traits.birth_date",
        "INS-INSI-05",
    ),
    "date 1975-02-30": (
        set_text(f"{REC}/recsans:DateNaissance", "1975-02-30"),
        "insi.traits.birth_date",
        "INS-INSI-05",
    ),
    "LieuNaissance 632": (
        append(REC, "{http://www.cnamts.fr/INSiRecSans}LieuNaissance", "632"),
        "insi.traits.birth_place",
        "INS-INSI-05",
    ),
}


@pytest.fixture(scope="module")
def catalog_ids() -> set[str]:
    return {r.id for r in load_catalog(profiles_dir())}


def errors(report: Any) -> list[tuple[str, str]]:
    return [(f.rule, f.requirement) for f in report.findings if f.severity is Severity.ERROR]


def test_good_request_passes() -> None:
    report = check(build_request("ADRUN", ["ZOE"], "F", "1975-12-31", "63220"))
    assert errors(report) == []
    assert [(f.rule, f.severity) for f in report.findings] == [("insi.tls.not_checked", Severity.WARNING)]
    assert report.operation == "rechercherInsAvecTraitsIdentite"
    assert report.traits == {
        "birth_name": "ADRUN",
        "first_names": ["ZOE"],
        "sex": "F",
        "birth_date": "1975-12-31",
        "birth_place": "63220",
    }
    assert report.lps["idam"] == "IDAM-DUI-HARNESS-TEST" and report.lps["idam_r"] == "4"
    assert report.lps["nom"] == "urn:lps:DUIHARNESS:1.0.0"
    assert report.message_id is not None and report.message_id.startswith("uuid:")


def test_shared_example_request_passes() -> None:
    need_reference(EXAMPLE, f"shared reference folder absent ({EXAMPLE.resolve()})")
    report = check(EXAMPLE.read_bytes())
    assert errors(report) == []
    assert report.traits["first_names"] == ["ZOE"]


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_each_check_fails_on_its_requirement(name: str, catalog_ids: set[str]) -> None:
    mutation, rule, requirement = MUTATIONS[name]
    report = check(mutate(mutation))
    assert (rule, requirement) in errors(report), [str(f) for f in report.findings]
    assert all(f.requirement in catalog_ids for f in report.findings)
    assert all(f.location and f.message for f in report.findings)


def test_locations_are_xpaths() -> None:
    report = check(mutate(set_attr(IDAM, "R", None)))
    [finding] = [f for f in report.findings if f.rule == "insi.ctxlps.idam.r"]
    assert finding.location == f"{LPS}/ctxlps:LPS/ctxlps:IDAM/@R"
    report = check(mutate(remove(CTX)))
    assert next(f for f in report.findings if f.rule == "insi.ctxlps.missing").location == H


@pytest.mark.parametrize(
    ("content_type", "rule"),
    [
        ("text/xml; charset=utf-8", "insi.http.content_type"),
        (None, "insi.http.content_type"),
        ("application/json", "insi.http.content_type"),
    ],
)
def test_content_type(content_type: str | None, rule: str) -> None:
    assert (rule, "INS-INSI-01") in errors(check(build_request(), content_type))


def test_action_in_the_content_type() -> None:
    body = mutate(remove(f"{H}/wsa:Action"))
    action = "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite"
    assert errors(check(body, f'{SOAP_CT}; action="{action}"')) == []
    mismatch = check(build_request(), f'{SOAP_CT}; action="urn:x"')
    assert ("insi.action.mismatch", "INS-INSI-01") in errors(mismatch)


def test_soap_11_envelope() -> None:
    body = build_request().replace(
        b"http://www.w3.org/2003/05/soap-envelope", b"http://schemas.xmlsoap.org/soap/envelope/"
    )
    report = check(body, "text/xml")
    assert ("insi.envelope.soap11", "INS-INSI-01") in errors(report)
    assert report.operation == "invalid"


XXE = b'<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>'


@pytest.mark.parametrize("body", [b"", b"<a", b"\x00\xff", XXE])
def test_unusable_bodies(body: bytes) -> None:
    report = check(body)
    assert ("insi.envelope.invalid", "INS-INSI-01") in errors(report)
    assert report.operation == "invalid"


def test_lunar_date_and_nom_version_are_warnings() -> None:
    report = check(build_request(birth_date="1975-00-00", software_version="2.0"))
    assert errors(report) == []
    assert {"insi.traits.birth_date.lunar", "insi.tls.not_checked"} <= report.rules()
    report = check(mutate(set_text(f"{CTX}/ctxlps:LPS/ctxlps:Nom", "urn:lps:DUIHARNESS:9.9")))
    assert errors(report) == [] and "insi.ctxlps.lps.nom_version" in report.rules()


def test_empty_prenom_among_others() -> None:
    report = check(build_request(first_names=["ZOE", ""]))
    assert ("insi.traits.first_name", "INS-INSI-05") in errors(report)
    assert report.traits["first_names"] == ["ZOE", ""]


@pytest.mark.parametrize(
    ("over_tls", "subject", "rule", "severity"),
    [
        (False, None, "insi.tls.not_checked", Severity.WARNING),
        (True, None, "insi.tls.no_client_cert", Severity.ERROR),
        (True, "C=FR,O=X,CN=DUI-SANS-ROLE-INSI", "insi.tls.cn", Severity.ERROR),
        (True, "C=FR,O=X,CN=insi-auto", "insi.tls.cn", Severity.ERROR),
    ],
)
def test_authentication(over_tls: bool, subject: str | None, rule: str, severity: Severity) -> None:
    report = check(build_request(), over_tls=over_tls, tls_subject=subject)
    [finding] = [f for f in report.findings if f.requirement == "INS-INSI-04"]
    assert (finding.rule, finding.severity) == (rule, severity)


@pytest.mark.parametrize("cn", ["INSI-AUTO", "INSI-MANU"])
def test_accepted_certificates(cn: str) -> None:
    report = check(build_request(), over_tls=True, tls_subject=f"C=FR,O=X,OU=Y,CN={cn}")
    assert report.findings == []


def test_carte_vitale() -> None:
    good = build_request("ADRUN", birth_date="1975-12-31", operation=OP_VITALE, nir="2751263220749", key="74")
    report = check(good)
    assert errors(report) == []
    assert report.operation == "rechercherInsAvecCarteVitale"
    assert report.matricule == {"birth_rank": None, "nir": "2751263220749", "key": "74", "type": None}
    bad = build_request("ADRUN", operation=OP_VITALE, nir="123", key="74")
    assert ("insi.vitale.nir", "INS-INSI-05") in errors(check(bad))
    bad = build_request("ADRUN", operation=OP_VITALE, nir="2751263220749", key="7")
    assert ("insi.vitale.key", "INS-INSI-05") in errors(check(bad))
    wrong_key = check(build_request("ADRUN", operation=OP_VITALE, nir="2751263220749", key="75"))
    assert errors(wrong_key) == [] and "insi.vitale.key" in wrong_key.rules()
    no_matricule = mutate(remove(f"{B}/recvit:RECVITALE/recvit:MatriculeIndividu"), good)
    assert ("insi.vitale.matricule", "INS-INSI-05") in errors(check(no_matricule))
