"""The INS datamatrix printed on a document: its 2D-Doc framing and its content against the CDA's identity.

The ANS "datamatrix INS" (référentiel INS, règle 32 du guide d'implémentation; SC.INS.57,
SC.DOC.03.MS1) is a 2D-Doc symbol: a header starting with ``DC`` and its version, then data
fields, each a two-character identifier followed by its value, variable-length values ended by
the group separator (GS, 0x1D). It carries the matricule INS, the OID of its assigning authority
and the INS traits (birth name, first names, sex, birth date, birth place).

The comparison is made **on values**, not on field identifiers: every value the CDA's
``recordTarget`` gives must be found among the symbol's data (matricule, OID, birth name, first
names, birth date as DDMMYYYY, sex, birth place), so that the verdict does not depend on
the numbering of the fields of one version of the specification. :data:`FIELDS` names the fields
the harness recognises, for the report only.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from harness.core.findings import Finding
from harness.core.rules import rule

__all__ = ["FIELDS", "GS", "REQ_DATAMATRIX", "DataMatrixContent", "InsIdentity", "compare", "parse_2ddoc"]

REQ_DATAMATRIX = "MSS-PDF-04"
GS = "\x1d"
RS = "\x1e"
#: 2D-Doc header length per version (ANTS 2D-Doc specification: versions 01-02, 03, 04)
HEADER_LENGTH = {"01": 22, "02": 22, "03": 24, "04": 26}
#: field identifiers of the INS datamatrix as the harness reads them (report labels only: see the module doc)
FIELDS = {
    "S1": "prénoms / first names",
    "S2": "prénom utilisé / used first name",
    "S3": "nom de naissance / birth name",
    "S4": "nom utilisé / used name",
    "S5": "sexe / sex",
    "S6": "date de naissance / birth date",
    "S7": "lieu de naissance / birth place",
    "S8": "matricule INS",
    "S9": "OID",
}


@dataclass(frozen=True)
class InsIdentity:
    """The identity a document's INS datamatrix and identity block must show (from its CDA)."""

    ins: str = ""
    ins_oid: str = ""
    birth_name: str = ""
    first_names: str = ""
    first_name: str = ""
    sex: str = ""
    birth_date: str = ""  # YYYYMMDD
    birth_place: str = ""

    @property
    def qualified(self) -> bool:
        return bool(self.ins and self.ins_oid)


@dataclass
class DataMatrixContent:
    """One decoded symbol: its text, 2D-Doc version, header and data zone."""

    text: str
    version: str = ""
    header: str = ""
    data: str = ""
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def is_2ddoc(self) -> bool:
        return bool(self.version)


def normalise(value: str) -> str:
    """Upper case, accents folded, separators (spaces, hyphens, apostrophes, GS) to one space."""
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii").upper()
    return " ".join(re.split(r"[\s\-'\x1d\x1e]+", folded)).strip()


def parse_2ddoc(payload: bytes) -> DataMatrixContent:
    """Split one decoded symbol into its 2D-Doc header and data zone (the signature, after US, is dropped)."""
    text = payload.decode("latin-1")
    content = DataMatrixContent(text)
    match = re.match(r"DC(\d\d)", text)
    if not match or match.group(1) not in HEADER_LENGTH:
        return content
    content.version = match.group(1)
    size = HEADER_LENGTH[content.version]
    content.header, content.data = text[:size], text[size:].split("\x1f", 1)[0]
    for part in content.data.split(GS):  # readable labels of the variable-length fields
        if len(part) > 2 and part[:2] in FIELDS:
            content.fields.setdefault(part[:2], part[2:])
    return content


@rule(
    "pdf.datamatrix",
    requirement=REQ_DATAMATRIX,
    summary="INS datamatrix: a 2D-Doc with the CDA's matricule INS, OID and INS traits (SC.INS.57)",
)
def compare(content: DataMatrixContent, identity: InsIdentity, location: str) -> list[Finding]:
    """The differences between a decoded INS datamatrix and the identity of the document's CDA."""
    if not content.is_2ddoc:
        return [
            Finding(
                "pdf.datamatrix.format",
                REQ_DATAMATRIX,
                f"the Data Matrix is not a 2D-Doc (no DCnn header): {content.text[:40]!r}",
                location=location,
            )
        ]
    data = normalise(content.data)
    compact = data.replace(" ", "")
    date = identity.birth_date
    wanted = {
        "matricule INS": (identity.ins, identity.ins in compact),
        "OID": (identity.ins_oid, identity.ins_oid in content.data),
        "nom de naissance / birth name": (identity.birth_name, normalise(identity.birth_name) in data),
        "prénoms / first names": (
            identity.first_names or identity.first_name,
            normalise(identity.first_names or identity.first_name) in data,
        ),
        "date de naissance / birth date": (date, len(date) == 8 and f"{date[6:8]}{date[4:6]}{date[:4]}" in compact),
        "sexe / sex": (identity.sex, bool(identity.sex) and identity.sex.upper() in compact),
        "lieu de naissance / birth place": (identity.birth_place, identity.birth_place.upper() in compact),
    }
    return [
        Finding(
            "pdf.datamatrix.mismatch",
            REQ_DATAMATRIX,
            f"the INS datamatrix does not carry the CDA's {label} {value!r}",
            location=location,
        )
        for label, (value, present) in wanted.items()
        if value and not present
    ]
