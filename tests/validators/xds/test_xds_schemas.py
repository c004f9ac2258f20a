"""XML Schema validation of ebRIM/XDS.b messages with schemas the user gives (compiled once, cached).

The official IHE/OASIS schemas are not shipped: these tests write small schemas of their own for the
five namespaces (same names, same folder layout as the IHE distribution: ``ebRS/`` beside ``IHE/``,
the XDS.b schema importing ``../ebRS/…``), which is what the loader and the validation need.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from harness.errors import HarnessError
from harness.validators.soap12 import parse_envelope
from harness.validators.xds.mime import split_message
from harness.validators.xds.schemas import check_schema, load_schemas
from mocks.dmp.samples import iti41_request
from mocks.dmp.samples_cda import clinical_document
from tests.validators.xds.test_xds_rules import INS, OID, TRAITS

XS = 'xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified"'
RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
LCM = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"
SCHEMAS = {
    "ebRS/rim.xsd": f"""<xs:schema {XS} targetNamespace="{RIM}" xmlns:rim="{RIM}">
  <xs:element name="RegistryObjectList"><xs:complexType><xs:sequence>
    <xs:any namespace="##targetNamespace" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
  </xs:sequence></xs:complexType></xs:element>
  <xs:element name="ExtrinsicObject"><xs:complexType><xs:sequence>
    <xs:any namespace="##targetNamespace" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
  </xs:sequence><xs:attribute name="id" type="xs:anyURI" use="required"/>
  <xs:attribute name="mimeType" type="xs:string"/><xs:attribute name="objectType" type="xs:string"/>
  <xs:attribute name="lid" type="xs:string"/><xs:attribute name="status" type="xs:string"/>
  </xs:complexType></xs:element>
</xs:schema>""",
    "ebRS/lcm.xsd": f"""<xs:schema {XS} targetNamespace="{LCM}" xmlns:rim="{RIM}">
  <xs:import namespace="{RIM}" schemaLocation="rim.xsd"/>
  <xs:element name="SubmitObjectsRequest"><xs:complexType><xs:sequence>
    <xs:element ref="rim:RegistryObjectList"/></xs:sequence></xs:complexType></xs:element>
</xs:schema>""",
    "ebRS/query.xsd": f"""<xs:schema {XS} targetNamespace="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0">
  <xs:element name="AdhocQueryRequest" type="xs:anyType"/></xs:schema>""",
    "ebRS/rs.xsd": f"""<xs:schema {XS} targetNamespace="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0">
  <xs:element name="RegistryResponse" type="xs:anyType"/></xs:schema>""",
    "IHE/XDS.b_DocumentRepository.xsd": f"""<xs:schema {XS} targetNamespace="urn:ihe:iti:xds-b:2007"
      xmlns:lcm="{LCM}">
  <xs:import namespace="{LCM}" schemaLocation="../ebRS/lcm.xsd"/>
  <xs:element name="ProvideAndRegisterDocumentSetRequest"><xs:complexType><xs:sequence>
    <xs:element ref="lcm:SubmitObjectsRequest"/>
    <xs:element name="Document" minOccurs="0" maxOccurs="unbounded"><xs:complexType><xs:simpleContent>
      <xs:extension base="xs:base64Binary"><xs:attribute name="id" type="xs:anyURI" use="required"/>
      </xs:extension></xs:simpleContent></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>
  <xs:element name="RetrieveDocumentSetRequest" type="xs:anyType"/>
</xs:schema>""",
}


@pytest.fixture
def schema_folder(tmp_path: Path) -> Path:
    for name, text in SCHEMAS.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def _body_child(mtom: bool) -> object:
    cda = clinical_document("VSM", ins=INS, ins_oid=OID, traits=TRAITS)
    body, ctype = iti41_request([cda], signer=None, mtom_=mtom)
    return parse_envelope(split_message(body, ctype).envelope).body_child


def test_a_valid_submission_mtom_or_inline_has_no_finding_and_the_schema_is_compiled_once(schema_folder: Path) -> None:
    schemas = load_schemas(schema_folder)
    assert load_schemas(schema_folder) is schemas  # cached
    assert set(schemas.files) >= {"urn:ihe:iti:xds-b:2007", RIM, LCM}
    for mtom in (True, False):
        assert check_schema(schemas, _body_child(mtom)) == []


def test_a_schema_invalid_submission_is_a_finding_with_its_place(schema_folder: Path) -> None:
    child = _body_child(True)
    child.find(f"{{{LCM}}}SubmitObjectsRequest/{{{RIM}}}RegistryObjectList/{{{RIM}}}ExtrinsicObject").attrib.pop(  # type: ignore[attr-defined]
        "id"
    )
    [finding] = check_schema(load_schemas(schema_folder), child)
    assert (finding.rule, finding.requirement) == ("xds.schema", "DMP-XDS-01")
    assert "id" in finding.message and "ExtrinsicObject" in finding.location


def test_a_folder_without_the_schemas_says_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "rim.xsd").write_text(SCHEMAS["ebRS/rim.xsd"], encoding="utf-8")
    with pytest.raises(HarnessError, match=r"XDS\.b_DocumentRepository\.xsd"):
        load_schemas(tmp_path)
    with pytest.raises(HarnessError, match="not a folder"):
        load_schemas(tmp_path / "nowhere")


def test_a_network_import_is_never_fetched(schema_folder: Path) -> None:
    # given a schema importing from an HTTP address where something listens
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        server.setblocking(False)
        url = f"http://127.0.0.1:{server.getsockname()[1]}/rim.xsd"
        text = SCHEMAS["ebRS/lcm.xsd"].replace('schemaLocation="rim.xsd"', f'schemaLocation="{url}"')
        (schema_folder / "ebRS/lcm.xsd").write_text(text, encoding="utf-8")
        # when the schemas are compiled (the namespace comes from the local rim.xsd)
        load_schemas.cache_clear()
        load_schemas(schema_folder)
        # then nobody connected
        with pytest.raises(BlockingIOError):
            server.accept()
