"""The CI-SIS value sets (jeux de valeurs) bound to the TDDUI DocumentReference, transcribed.

Codes only, transcribed by dui-harness from the ANS public nomenclatures (NOS), as published
in ``ansforge/TestContenuCDA-3-0@7cd489b`` ``jeuxDeValeurs/`` (JDV_J02, J04, J07, SVS XML)
and ``ansforge/ig-terminlogie-de-sante`` (JDV_J06 @a43369b, JDV_J10 @0acfa84; the J10
transcription omits the organ-specific ``urn:ihe:pat:apsr:*:2010`` codes). Each value set
keeps its OID and version; codes are grouped by the OID of their code system, and
:data:`SYSTEM_URLS` gives the FHIR ``system`` URL of each code system (a coding may also
carry ``urn:oid:<OID>``). A few international code systems are also published by the NOS under a
NOS URL of their own (``…/TRE_A04-Loinc/FHIR/TRE-A04-Loinc`` is LOINC, as in the TDDUI IG's
examples): :data:`SYSTEM_ALIASES` names them, so a code is judged by its code system, whatever
spelling of the system the DUI chose.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["JDV", "SYSTEM_ALIASES", "SYSTEM_URLS", "ValueSet", "system_oid"]

NOS = "https://mos.esante.gouv.fr/NOS"
#: code system OID -> its FHIR canonical URL
SYSTEM_URLS: dict[str, str] = {
    "1.2.250.1.213.1.1.4.12": f"{NOS}/TRE_A05-TypeDocComplementaire/FHIR/TRE-A05-TypeDocComplementaire",
    "2.16.840.1.113883.6.1": "http://loinc.org",
    "1.2.250.1.213.1.1.4.1": f"{NOS}/TRE_A03-ClasseDocument/FHIR/TRE-A03-ClasseDocument",
    "URN": f"{NOS}/TRE_A10-NomenclatureURN/FHIR/TRE-A10-NomenclatureURN",
    "1.2.250.1.213.1.1.4.2.282": f"{NOS}/TRE_A06-FormatCodeComplementaire/FHIR/TRE-A06-FormatCodeComplementaire",
    "1.3.6.1.4.1.19376.1.2.3": f"{NOS}/TRE_A11-IheFormatCode/FHIR/TRE-A11-IheFormatCode",
    "1.2.840.10008.2.6.1": "http://dicom.nema.org/resources/ontology/DCM",
    "1.2.250.1.71.4.2.4": f"{NOS}/TRE_R02-SecteurActivite/FHIR/TRE-R02-SecteurActivite",
    "1.2.250.1.213.1.1.4.6": f"{NOS}/TRE_A00-ProducteurDocNonPS/FHIR/TRE-A00-ProducteurDocNonPS",
    "1.2.250.1.213.1.1.4.9": f"{NOS}/TRE_A01-CadreExercice/FHIR/TRE-A01-CadreExercice",
}

#: other spellings of the same code systems: the NOS republication of international terminologies
#: (TRE_A04 LOINC, TRE_A09 DICOM, TRE_A12 ASTM) and the usual canonical URLs
SYSTEM_ALIASES: dict[str, str] = {
    f"{NOS}/TRE_A04-Loinc/FHIR/TRE-A04-Loinc": "2.16.840.1.113883.6.1",
    "http://loinc.org/": "2.16.840.1.113883.6.1",
    f"{NOS}/TRE_A09-DICOMuidRegistry/FHIR/TRE-A09-DICOMuidRegistry": "1.2.840.10008.2.6.1",
    "urn:oid:1.2.840.10008.2.6.1": "1.2.840.10008.2.6.1",
    f"{NOS}/TRE_A12-NomenclatureASTM/FHIR/TRE-A12-NomenclatureASTM": "ASTM",
    f"{NOS}/TRE_A10-NomenclatureURN/FHIR/TRE-A10-NomenclatureURN": "URN",
}


def system_oid(system: str) -> str | None:
    """The code system OID behind a FHIR ``system`` (its URL, a NOS alias or ``urn:oid:``), None if unknown."""
    if system in SYSTEM_ALIASES:
        return SYSTEM_ALIASES[system]
    if system.startswith("urn:oid:"):
        oid = system[len("urn:oid:") :]
        return oid if oid in SYSTEM_URLS else None
    for oid, url in SYSTEM_URLS.items():
        if url == system:
            return oid
    return None


@dataclass(frozen=True)
class ValueSet:
    """A CI-SIS value set: name, OID, version and its codes per code system OID."""

    name: str
    oid: str
    version: str
    codes: dict[str, frozenset[str]]

    def contains(self, system: str, code: str) -> bool:
        oid = system_oid(system)
        return oid is not None and code in self.codes.get(oid, frozenset())

    def describe(self) -> str:
        return f"{self.name} ({self.oid}, version {self.version})"


JDV: dict[str, ValueSet] = {
    "JDV_J02": ValueSet(
        "JDV_J02-XdsHealthcareFacilityTypeCode-CISIS",
        "1.2.250.1.213.1.1.5.466",
        "20241213120000",
        {
            "1.2.250.1.213.1.1.4.6": frozenset({"EXP_PATIENT", "SNR"}),
            "1.2.250.1.71.4.2.4": frozenset(
                {
                    "SA01",
                    "SA02",
                    "SA03",
                    "SA04",
                    "SA05",
                    "SA06",
                    "SA07",
                    "SA08",
                    "SA09",
                    "SA10",
                    "SA12",
                    "SA13",
                    "SA14",
                    "SA15",
                    "SA16",
                    "SA17",
                    "SA18",
                    "SA19",
                    "SA20",
                    "SA21",
                    "SA22",
                    "SA23",
                    "SA24",
                    "SA25",
                    "SA26",
                    "SA27",
                    "SA28",
                    "SA29",
                    "SA30",
                    "SA31",
                    "SA32",
                    "SA33",
                    "SA34",
                    "SA35",
                    "SA36",
                    "SA37",
                    "SA38",
                    "SA39",
                    "SA40",
                    "SA41",
                    "SA42",
                    "SA43",
                    "SA44",
                    "SA45",
                    "SA46",
                    "SA47",
                    "SA48",
                    "SA49",
                    "SA50",
                    "SA51",
                    "SA52",
                    "SA53",
                    "SA54",
                    "SA55",
                    "SA56",
                    "SA57",
                    "SA58",
                    "SA59",
                    "SA60",
                    "SA61",
                    "SA63",
                    "SA64",
                    "SA65",
                    "SA66",
                    "SA67",
                    "SA68",
                    "SA69",
                }
            ),
        },
    ),
    "JDV_J04": ValueSet(
        "JDV_J04-XdsPracticeSettingCode-CISIS",
        "1.2.250.1.213.1.1.5.467",
        "20240927120000",
        {
            "1.2.250.1.213.1.1.4.6": frozenset({"EXP_PATIENT", "SNR"}),
            "1.2.250.1.213.1.1.4.9": frozenset(
                {
                    "AMBULATOIRE",
                    "AMO",
                    "DEPISTAGE",
                    "ESSMS",
                    "ETABLISSEMENT",
                    "HAD",
                    "MAD",
                    "PALLIATIF",
                    "SAD",
                    "SAMU_SMUR",
                }
            ),
        },
    ),
    "JDV_J06": ValueSet(
        "JDV_J06-XdsClassCode-CISIS",
        "1.2.250.1.213.1.1.5.462",
        "20230922120000",
        {
            "1.2.250.1.213.1.1.4.1": frozenset(
                {"10", "11", "31", "42", "43", "44", "45", "52", "60", "90", "95", "99"}
            ),
            "URN": frozenset({"urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1"}),
        },
    ),
    "JDV_J07": ValueSet(
        "JDV_J07-XdsTypeCode-CISIS",
        "1.2.250.1.213.1.1.5.471",
        "20240927120000",
        {
            "1.2.250.1.213.1.1.4.12": frozenset(
                {
                    "ATTEST-ASS-COMPL",
                    "ATTEST-RESID",
                    "ATTEST-HEBGT",
                    "ATTEST-DROITS-AM",
                    "AUTORIS-SOINS",
                    "BIL_AUTO",
                    "CERT_DECL",
                    "DISP_AUT",
                    "EXPPAT_1",
                    "EXPPAT_2",
                    "EXPPAT_3",
                    "IMG-KOS",
                    "PROT_ALD",
                    "REMB",
                    "SYNTH",
                    "DOCPAT01",
                    "DOCPAT02",
                    "DOCPAT03",
                    "DOCPAT04",
                    "DOCPAT05",
                    "DOCPAT06",
                    "DOCPAT07",
                    "DOCPAT08",
                    "DOCPAT09",
                    "PIECE-IDENTITE",
                    "PRESC-AAT",
                    "PRESC-BIO",
                    "PRESC-KINE",
                    "PRESC-INF",
                    "PRESC-PEDI",
                    "PRESC-ORTHOPHO",
                    "PRESC-ORTHOPTIE",
                    "FEUILLE-DE-STYLE",
                    "FICHE-CONTACTS",
                    "EXPORT_DUI",
                }
            ),
            "2.16.840.1.113883.6.1": frozenset(
                {
                    "11369-6",
                    "11488-4",
                    "11490-0",
                    "34112-3",
                    "11502-2",
                    "11505-5",
                    "11506-3",
                    "15507-7",
                    "15508-5",
                    "18776-5",
                    "18748-4",
                    "18761-7",
                    "28617-9",
                    "28653-4",
                    "29274-8",
                    "34120-6",
                    "34133-9",
                    "34749-2",
                    "34794-8",
                    "34842-5",
                    "34874-8",
                    "34875-5",
                    "47420-5",
                    "51851-4",
                    "51969-4",
                    "52040-3",
                    "55115-0",
                    "56445-0",
                    "56446-8",
                    "57828-6",
                    "57832-8",
                    "57833-6",
                    "59283-2",
                    "59284-0",
                    "60280-5",
                    "60568-3",
                    "60591-5",
                    "60593-1",
                    "61357-0",
                    "67851-6",
                    "68599-0",
                    "68817-6",
                    "70004-7",
                    "78341-5",
                    "74207-2",
                    "74465-6",
                    "75468-9",
                    "75482-0",
                    "75492-9",
                    "75496-0",
                    "77436-4",
                    "77604-7",
                    "78513-9",
                    "78601-2",
                    "80565-5",
                    "80771-9",
                    "80788-3",
                    "80820-4",
                    "83836-7",
                    "83869-8",
                    "83901-9",
                    "83981-1",
                    "85208-7",
                    "86531-1",
                    "87273-9",
                    "88348-8",
                    "89601-9",
                    "93024-8",
                    "96349-6",
                    "96874-3",
                    "96173-0",
                    "57055-6",
                    "57057-2",
                    "57075-4",
                    "89235-6",
                    "78489-2",
                    "89233-1",
                    "101881-1",
                }
            ),
            "ASTM": frozenset({"E1762"}),
        },
    ),
    "JDV_J10": ValueSet(
        "JDV_J10-XdsFormatCode-CISIS",
        "1.2.250.1.213.1.1.5.465",
        "1.1.0 (2024-04-26)",
        {
            "1.2.250.1.213.1.1.4.2.282": frozenset(
                {
                    "urn:ans:ci-sis:bio-ep-bio:2022",
                    "urn:ans:ci-sis:cse-mde:2023",
                    "urn:asip:ci-sis:aunv:2013",
                    "urn:asip:ci-sis:avk:2009",
                    "urn:asip:ci-sis:crgm:2018",
                    "urn:asip:ci-sis:crrtn:2013",
                    "urn:asip:ci-sis:cr-anest:2020",
                    "urn:asip:ci-sis:cr-cpa:2020",
                    "urn:asip:ci-sis:cse-cs24:2017",
                    "urn:asip:ci-sis:cse-cs8:2017",
                    "urn:asip:ci-sis:cse-cs9:2017",
                    "urn:asip:ci-sis:d2lm-fidd:2017",
                    "urn:asip:ci-sis:d2lm-fin:2017",
                    "urn:asip:ci-sis:dci:2009",
                    "urn:asip:ci-sis:dlu:2015",
                    "urn:asip:ci-sis:eunv:2013",
                    "urn:asip:ci-sis:fludr:2017",
                    "urn:asip:ci-sis:fludt:2017",
                    "urn:asip:ci-sis:dlu-fludr-dom:2022",
                    "urn:asip:ci-sis:dlu-fludt-dom:2022",
                    "urn:asip:ci-sis:dlu-dlu-dom:2022",
                    "urn:asip:ci-sis:frcp:2011",
                    "urn:asip:ci-sis:hr:2019",
                    "urn:asip:ci-sis:idap:2011",
                    "urn:asip:ci-sis:ldl-ees:2017",
                    "urn:asip:ci-sis:ldl-ses:2017",
                    "urn:ans:ci-sis:img-da:2022",
                    "urn:asip:ci-sis:pavc:2016",
                    "urn:asip:ci-sis:ppp:2023",
                    "urn:asip:ci-sis:pps-cancer:2017",
                    "urn:asip:ci-sis:pps-paerpa:2017",
                    "urn:asip:ci-sis:ppv:2009",
                    "urn:asip:ci-sis:psc:2009",
                    "urn:asip:ci-sis:sdm-mr:2017",
                    "urn:asip:ci-sis:sunv:2013",
                    "urn:asip:ci-sis:tap:2009",
                    "urn:asip:ci-sis:tlm-da:2020",
                    "urn:asip:ci-sis:vac:2019",
                    "urn:asip:ci-sis:vac-note:2021",
                    "urn:asip:ci-sis:vsm:2012",
                    "urn:asipSante:modelesHorsProfils:2011",
                    "urn:asip:ci-sis:obp-sap:2023",
                    "urn:asip:ci-sis:obp-snm:2023",
                    "urn:asip:ci-sis:obp-sne:2023",
                    "urn:asip:ci-sis:obp-scm:2023",
                    "urn:asip:ci-sis:obp-sem:2023",
                    "urn:ans:ci-sis:feuille-de-style:2023",
                    "urn:asip:ci-sis:dlu:2024",
                    "urn:asip:ci-sis:ft-su:2024",
                    "urn:asip:ci-sis:fr-su:2024",
                    "urn:asip:ci-sis:export-dui:2023",
                    "urn:asip:ci-sis:cva:2017",
                }
            ),
            "1.3.6.1.4.1.19376.1.2.3": frozenset(
                {
                    "urn:ihe:iti:dsg:detached:2014",
                    "urn:ihe:iti:dsg:enveloping:2014",
                    "urn:ihe:iti:xds-sd:pdf:2008",
                    "urn:ihe:iti:xds-sd:text:2008",
                    "urn:ihe:iti-fr:xds-sd:jpeg:2010",
                    "urn:ihe:iti-fr:xds-sd:rtf:2010",
                    "urn:ihe:iti-fr:xds-sd:tiff:2010",
                    "urn:ihe:lab:xd-lab:2008",
                    "urn:ihe:pharm:dis:2010",
                    "urn:ihe:pcc:ips:2020",
                    "urn:ihe:pharm:pre:2010",
                    "urn:ihe:palm:apsr:2016",
                    "urn:ihe:eyecare:geneyeevalcn:2014",
                    "urn:ihe:rad:CDA:ImagingReportStructuredHeadings:2013",
                    "urn:ihe:pat:apsr:all:2010",
                }
            ),
            "1.2.840.10008.2.6.1": frozenset({"1.2.840.10008.5.1.4.1.1.88.59"}),
            "URN": frozenset({"urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1"}),
        },
    ),
}
