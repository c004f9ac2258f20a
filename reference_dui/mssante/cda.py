"""CDA documents in the reference DUI: the one it writes, and what it reads from those it receives.

Its own code, not the harness's. It writes a level-1 document (structuration minimale header,
IHE XDS-SD text body: a liaison note of the EHPAD, LOINC 34133-9) whose recordTarget carries
the INS only for a qualified identity (RNIV EXI SI 08); otherwise only the local identifier.
It reads the INS, its OID and the traits of a received document's recordTarget.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from dataclasses import dataclass
from xml.sax.saxutils import escape

from lxml import etree

from reference_dui.identity import INS_OIDS

__all__ = ["DOCUMENT_CODE", "DOCUMENT_TITLE", "ReceivedPatient", "build_document", "read_patient"]

CDA = "urn:hl7-org:v3"
NS = {"c": CDA}
#: a level-1 document (IHE XDS-SD, text body): "Summarization of episode note"
DOCUMENT_CODE = "34133-9"
DOCUMENT_TITLE = "Note de liaison de l'EHPAD"
XDS_SD = "1.3.6.1.4.1.19376.1.2.20"
LOCAL_ID_ROOT = "1.2.250.1.213.1.1.9.998.1"  # the reference DUI's (test) patient identifier authority
DOCUMENT_ROOT = "1.2.250.1.213.1.1.9.998.2"
MAX_CDA = 20 * 1024 * 1024
#: the place of the encounter (structuration minimale: componentOf/encompassingEncounter/location, JDV_J02
#: "Catégorie d'établissement", nomenclature FINESS 1.2.250.1.71.4.2.4): an EHPAD
FACILITY_CODE = "SA17"
FACILITY_LABEL = "Etablissement pour personnes âgées"


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@dataclass(frozen=True)
class ReceivedPatient:
    """The patient of a received CDA, as its header gives it (empty strings when absent)."""

    ins: str
    ins_oid: str
    birth_name: str
    first_name: str
    first_names: str
    sex: str
    birth_date: str  # YYYY-MM-DD
    birth_place: str
    document_id: str
    code: str
    title: str

    @property
    def traits_complete(self) -> bool:
        return all((self.birth_name, self.first_name, self.first_names, self.sex, self.birth_date, self.birth_place))


def read_patient(data: bytes) -> ReceivedPatient | None:
    """The patient and document facts of a CDA; None when it is not a readable ClinicalDocument."""
    if len(data) > MAX_CDA or b"<!DOCTYPE" in data[:4096].upper():
        return None
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError:
        return None
    if root.tag != f"{{{CDA}}}ClinicalDocument":
        return None

    def text(path: str) -> str:
        found = root.xpath(path, namespaces=NS)
        if not found:
            return ""
        value = found[0]
        return str(value if isinstance(value, str) else (value.text or "")).strip()

    role = "c:recordTarget/c:patientRole"
    ins_id = next((i for i in root.xpath(f"{role}/c:id", namespaces=NS) if i.get("root") in INS_OIDS), None)
    birth = text(f"{role}/c:patient/c:birthTime/@value")
    extension = text("c:id/@extension")
    return ReceivedPatient(
        ins=(ins_id.get("extension") or "").strip() if ins_id is not None else "",
        ins_oid=(ins_id.get("root") or "") if ins_id is not None else "",
        birth_name=text(f"{role}/c:patient/c:name/c:family[@qualifier='BR']").upper(),
        first_name=text(f"{role}/c:patient/c:name/c:given[@qualifier='BR']").upper(),
        first_names=text(f"{role}/c:patient/c:name/c:given[not(@qualifier)]").upper(),
        sex=text(f"{role}/c:patient/c:administrativeGenderCode/@code"),
        birth_date=f"{birth[:4]}-{birth[4:6]}-{birth[6:8]}" if len(birth) >= 8 else "",
        birth_place=text(f"{role}/c:patient/c:birthplace/c:place/c:addr/c:county"),
        document_id=text("c:id/@root") + (f"^{extension}" if extension else ""),
        code=text("c:code/@code"),
        title=text("c:title"),
    )


def build_document(
    person_id: str,
    traits: dict[str, object],
    ins: tuple[str, str] | None,
    structure: str = "EHPAD LES ESSAIS",
    *,
    with_language: bool = True,
    replaces: str | None = None,
) -> tuple[bytes, str]:
    """A level-1 CDA (text body) about a person of the DUI; ``ins`` only for a qualified identity;
    ``replaces``: the id (``root^extension``) of the document this new version replaces — then the same
    ``setId``, ``versionNumber`` 2 and ``relatedDocument typeCode="RPLC"`` naming it (CI-SIS structuration
    minimale, new version of a document).

    Returns the document bytes and its id (``root^extension``).
    """
    extension = uuid.uuid4().hex.upper()
    parent_root, _, parent_extension = (replaces or "").partition("^")
    set_extension = f"{parent_extension}-SET" if replaces and parent_extension else f"{extension}-SET"
    version = "2" if replaces else "1"
    related = (
        f'<relatedDocument typeCode="RPLC"><parentDocument><id root="{escape(parent_root)}" '
        f'extension="{escape(parent_extension)}"/></parentDocument></relatedDocument>'
        if replaces and parent_extension
        else ""
    )
    now = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S+0000")
    names = traits.get("first_names")
    first_names = [str(n) for n in names] if isinstance(names, list | tuple) else []
    birth = str(traits.get("birth_date", "")).replace("-", "")
    ids = f'<id root="{ins[1]}" extension="{ins[0]}"/>' if ins else ""
    ids += f'<id root="{LOCAL_ID_ROOT}" extension="{escape(person_id)}"/>'
    place = str(traits.get("birth_place") or "")
    birthplace = (
        f"<birthplace><place><addr><county>{escape(place)}</county></addr></place></birthplace>" if place else ""
    )
    org = (
        f'<representedOrganization><id root="1.2.250.1.71.4.2.2" extension="100000000 TEST"/>'
        f"<name>{escape(structure)}</name></representedOrganization>"
    )
    # the performer's organization says its practice setting (structuration minimale: standardIndustryClassCode)
    performer_org = org.replace(
        "</representedOrganization>",
        '<standardIndustryClassCode code="ESSMS" '
        'codeSystem="1.2.250.1.213.1.1.4.9" displayName="Etablissement ou Service Social ou '
        'Médico-Social"/></representedOrganization>',
    )
    author = (
        '<id root="1.2.250.1.71.4.2.1" extension="810000000099"/><assignedPerson><name><given>Infirmier'
        "</given><family>COORDINATEUR-ESSAI</family></name></assignedPerson>"
    )
    text = base64.b64encode(
        f"{DOCUMENT_TITLE} - {traits.get('birth_name', '')} {' '.join(first_names)}\n"
        "Document produit par le DUI de reference dui-harness (essai).\n".encode()
    ).decode()
    language = '<languageCode code="fr-FR"/>' if with_language else ""
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3">
<realmCode code="FR"/>
<typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>
<templateId root="2.16.840.1.113883.2.8.2.1"/>
<templateId root="1.2.250.1.213.1.1.1.1"/>
<templateId root="{XDS_SD}"/>
<id root="{DOCUMENT_ROOT}" extension="{extension}"/>
<code code="{DOCUMENT_CODE}" codeSystem="2.16.840.1.113883.6.1" codeSystemName="LOINC" displayName="{DOCUMENT_TITLE}"/>
<title>{DOCUMENT_TITLE}</title>
<effectiveTime value="{now}"/>
<confidentialityCode code="N" codeSystem="2.16.840.1.113883.5.25" displayName="Normal"/>
{language}
<setId root="{DOCUMENT_ROOT}" extension="{set_extension}"/>
<versionNumber value="{version}"/>
<recordTarget><patientRole>{ids}<patient>
<name><family qualifier="BR">{escape(str(traits.get("birth_name", "")))}</family>
<given>{escape(" ".join(first_names))}</given>
<given qualifier="BR">{escape(first_names[0] if first_names else "")}</given></name>
<administrativeGenderCode code="{escape(str(traits.get("sex", "")))}" codeSystem="2.16.840.1.113883.5.1"/>
<birthTime value="{birth}"/>{birthplace}
</patient></patientRole></recordTarget>
<author><time value="{now}"/><assignedAuthor>{author}{org}</assignedAuthor></author>
<custodian><assignedCustodian><representedCustodianOrganization>
<id root="1.2.250.1.71.4.2.2" extension="100000000 TEST"/><name>{escape(structure)}</name>
</representedCustodianOrganization></assignedCustodian></custodian>
<legalAuthenticator><time value="{now}"/><signatureCode code="S"/><assignedEntity>{author}</assignedEntity>
</legalAuthenticator>
<documentationOf><serviceEvent><effectiveTime><low value="{now}"/></effectiveTime>
<performer typeCode="PRF"><assignedEntity>{author}{performer_org}</assignedEntity></performer></serviceEvent>
</documentationOf>{related}
<componentOf><encompassingEncounter><effectiveTime><low value="{now}"/></effectiveTime>
<location><healthCareFacility><code code="{FACILITY_CODE}" codeSystem="1.2.250.1.71.4.2.4"
 displayName="{FACILITY_LABEL}"/></healthCareFacility></location></encompassingEncounter>
</componentOf>
<component><nonXMLBody><text mediaType="text/plain" representation="B64">{text}</text></nonXMLBody></component>
</ClinicalDocument>
"""
    return xml.encode("utf-8"), f"{DOCUMENT_ROOT}^{extension}"
