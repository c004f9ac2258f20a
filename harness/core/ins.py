"""INS rules: the national health identifier, its key, OIDs, traits and identity statuses.

Sources (see ``../shared/research/french-specs.md`` §1):

* the INS is a 13-character NIR (or NIA) followed by a 2-digit key, key = 97 − (NIR mod 97),
  with Corsica's ``2A``/``2B`` read as ``19``/``18`` before the modulo;
* assigning authorities: ``1.2.250.1.213.1.4.8`` INS-NIR, ``.9`` INS-NIA, ``.10`` test NIR,
  ``.11`` demonstration NIR;
* the five strict traits (birth name, birth first names, sex, birth date, birth place COG);
* RNIV identity statuses PROV / RECUP / VALI / QUAL: [EXI SI 07] each identity carries exactly
  one; [EXI SI 08] the INS is used to reference or exchange data only when QUAL.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

__all__ = [
    "INS_OIDS",
    "OID_INS_C",
    "OID_INS_NIA",
    "OID_INS_NIR",
    "OID_INS_NIR_DEMO",
    "OID_INS_NIR_TEST",
    "IdentityStatus",
    "InsValue",
    "Traits",
    "ins_key",
    "may_share_ins",
    "parse_ins",
    "status_after",
]

OID_INS_NIR = "1.2.250.1.213.1.4.8"
OID_INS_NIA = "1.2.250.1.213.1.4.9"
OID_INS_NIR_TEST = "1.2.250.1.213.1.4.10"
OID_INS_NIR_DEMO = "1.2.250.1.213.1.4.11"
OID_INS_C = "1.2.250.1.213.1.4.2"

INS_OIDS = {
    OID_INS_NIR: "INS-NIR",
    OID_INS_NIA: "INS-NIA",
    OID_INS_NIR_TEST: "INS-NIR de test",
    OID_INS_NIR_DEMO: "INS-NIR de démonstration",
}

# Every pattern is ASCII-only: Python's ``\d`` would otherwise accept any Unicode digit ("٢").
#: NIR as INSi returns it (INSi_RESULTAT_INS.xsd): 6 digits, one alphanumeric (2A/2B), 6 digits.
NIR_PATTERN = re.compile(r"^\d{6}[A-Za-z0-9]\d{6}$", re.ASCII)
#: Stricter NIR layout: sex digit 1/2 (3/4/7/8 for NIA and temporary numbers), Corsica only as
#: 2A/2B. Not from an XSD (CTXBAM only says ``\d{6}[AB0-9]{1}\d{6}``); the sex digit values are
#: the INSEE/CNAV layout, not re-verified in a primary ANS artefact (french-specs §1.2).
NIR_STRICT_PATTERN = re.compile(r"^[1-478]\d{4}(\d{2}|2A|2B)\d{6}$", re.ASCII)
KEY_PATTERN = re.compile(r"^\d{2}$", re.ASCII)
COG_PATTERN = re.compile(r"^[A-Za-z0-9]{5}$", re.ASCII)
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
SEX_VALUES = ("M", "F")


def ins_key(nir: str) -> int:
    """Return the 2-digit key of a 13-character NIR: ``97 − (NIR mod 97)``.

    Corsica's department codes are read as numbers first: ``2A`` → ``19``, ``2B`` → ``18``
    (they replace characters 6–7).

    Example:
        >>> ins_key("2751263220749")
        74
        >>> ins_key("180032B020401")
        23
    """
    nir = nir.upper()
    if len(nir) != 13:
        raise ValueError(f"a NIR has 13 characters, not {len(nir)}: {nir!r}")
    if nir[5:7] == "2A":
        nir = nir[:5] + "19" + nir[7:]
    elif nir[5:7] == "2B":
        nir = nir[:5] + "18" + nir[7:]
    if not (nir.isascii() and nir.isdigit()):
        raise ValueError(f"a NIR is made of digits (and 2A/2B for Corsica): {nir!r}")
    return 97 - (int(nir) % 97)


@dataclass(frozen=True)
class InsValue:
    """A 15-character INS split into its NIR/NIA and key, with its assigning authority."""

    nir: str
    key: str
    oid: str = OID_INS_NIR

    @property
    def value(self) -> str:
        return self.nir + self.key

    @property
    def key_is_valid(self) -> bool:
        try:
            return ins_key(self.nir) == int(self.key)
        except ValueError:
            return False

    @property
    def is_nia(self) -> bool:
        return self.oid == OID_INS_NIA

    def __str__(self) -> str:
        return self.value


def parse_ins(value: str, oid: str = OID_INS_NIR) -> InsValue:
    """Split a 15-character INS (spaces allowed) into NIR and key; ``ValueError`` when malformed."""
    compact = re.sub(r"\s+", "", value).upper()
    if len(compact) != 15:
        raise ValueError(f"an INS has 15 characters (13 of NIR, 2 of key), not {len(compact)}")
    nir, key = compact[:13], compact[13:]
    if not NIR_PATTERN.match(nir):
        raise ValueError(f"NIR {nir!r} does not match the INSi pattern \\d{{6}}[A-Za-z0-9]\\d{{6}}")
    if not KEY_PATTERN.match(key):
        raise ValueError(f"key {key!r} is not two digits")
    return InsValue(nir=nir, key=key, oid=oid)


@dataclass(frozen=True)
class Traits:
    """The five strict identity traits (traits stricts) as INSi and the CDA carry them.

    ``first_names`` is the ordered list of birth first names; the first one is the
    *premier prénom de naissance*.
    """

    birth_name: str
    first_names: tuple[str, ...]
    sex: str
    birth_date: str
    birth_place: str | None = None

    @property
    def first_name(self) -> str:
        return self.first_names[0] if self.first_names else ""

    @property
    def first_names_list(self) -> str:
        """``ListePrenom`` as INSi returns it: the birth first names separated by spaces."""
        return " ".join(self.first_names)


class IdentityStatus(enum.StrEnum):
    """RNIV identity statuses (FR Core ``fr-core-cs-identity-status``)."""

    PROV = "PROV"  # identité provisoire: no INSi call, no document check
    RECUP = "RECUP"  # identité récupérée: INSi yes, no high-trust document check
    VALI = "VALI"  # identité validée: no INSi, high-trust document checked
    QUAL = "QUAL"  # identité qualifiée: INSi yes and document checked

    @property
    def label_fr(self) -> str:
        return {
            "PROV": "Identité provisoire",
            "RECUP": "Identité récupérée",
            "VALI": "Identité validée",
            "QUAL": "Identité qualifiée",
        }[self.value]


def status_after(*, insi_confirmed: bool, document_checked: bool) -> IdentityStatus:
    """The only status RNIV allows for a combination of INSi result and document check.

    [EXI SI 07]: QUAL needs both an INSi confirmation and a high-trust document check.
    """
    if insi_confirmed and document_checked:
        return IdentityStatus.QUAL
    if insi_confirmed:
        return IdentityStatus.RECUP
    if document_checked:
        return IdentityStatus.VALI
    return IdentityStatus.PROV


def may_share_ins(status: IdentityStatus | str) -> bool:
    """[EXI SI 08]: an INS may reference or be exchanged only with a qualified identity."""
    return IdentityStatus(status) is IdentityStatus.QUAL
