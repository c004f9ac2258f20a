"""Named defect switches: each one makes exactly one behaviour of the reference DUI non-conformant.

The clean reference DUI (no defect) is conformant. A run of the harness against the DUI with
one switch on must report the matching requirement as failed, and only that one: this is how
the harness proves that its checks detect what they claim to detect.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["DEFECTS", "check_defects"]

#: defect name -> what it breaks (one line)
DEFECTS: dict[str, str] = {
    "wrong_ins_key": "stores the INS with a wrong key (key + 1 mod 100) and skips its own key check",
    "no_ctxlps": "sends INSi requests without the ContexteLPS header",
    "bad_lps_nom": "ContexteLPS/LPS/Nom without the urn:lps:<nom>:<version> form, IDAM without R=\"4\"",
    "no_ctxbam": "sends INSi requests without ContexteBAM and without wsa:MessageID",
    "qualify_without_insi": "a verified identity document alone gives QUAL (even after an INSi error or 01)",
    "first_name_only": "never retries after CR 01/02: only the first birth first name is ever sent",
    "share_unqualified_ins": "exchange-identity carries the INS whatever the identity status",
    "store_histo_ins": "when INSi returns INSHISTO entries, stores the first INSHISTO as the active INS",
    "nia_as_nir": "stores an INS-NIA under the INS-NIR OID 1.2.250.1.213.1.4.8",
    "lose_person_on_insi_error": "deletes the person when the INSi call fails",
    "keep_typed_traits": "on CR 00 keeps the traits the operator typed instead of the INSi TIQ",
    "bad_date_format": "sends DateNaissance to INSi as DD/MM/YYYY",
    "wrong_cert_cn": "authenticates to INSi with the client-wrong-cn certificate of the test PKI "
    "(no client certificate when no PKI directory is configured)",
}


def check_defects(names: Iterable[str]) -> frozenset[str]:
    """Return ``names`` as a frozenset; ``ValueError`` listing the known ones if one is unknown."""
    chosen = frozenset(names)
    unknown = sorted(chosen - DEFECTS.keys())
    if unknown:
        raise ValueError(
            f"unknown defect switch(es): {', '.join(unknown)}; known: {', '.join(sorted(DEFECTS))}"
        )
    return chosen
