"""The test directory (annuaire) of the MSSanté simulator: addresses, kinds, accounts.

Loaded from ``fixtures/mssante/annuaire.json`` (provenance inside). Patient mailboxes are
not listed: every ``<matricule INS>@patient.mssante.fr`` whose INS has a valid key exists,
as every Mon espace santé account would (patients have no IMAP access here: they read
their mail in Mon espace santé).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.core.ins import OID_INS_NIR_TEST, parse_ins
from harness.paths import fixtures_dir

__all__ = ["KINDS", "Account", "Directory", "default_directory_file"]

#: address kinds of the MSSanté space
KINDS = ("personal", "organisational", "applicative", "patient")


def default_directory_file() -> Path:
    return fixtures_dir() / "mssante" / "annuaire.json"


@dataclass(frozen=True)
class Account:
    """One mailbox of the directory."""

    address: str
    kind: str
    display_name: str = ""
    structure: str = ""
    password: str | None = None
    certificate_cn: str | None = None
    role: str = ""

    def public(self) -> dict[str, Any]:
        """The directory entry as the control API shows it (test password included: test accounts)."""
        return {
            "address": self.address,
            "kind": self.kind,
            "display_name": self.display_name,
            "structure": self.structure,
            "password": self.password,
            "certificate_cn": self.certificate_cn,
            "role": self.role,
        }


class Directory:
    """Addresses known to the simulated operator."""

    def __init__(
        self, accounts: Iterable[Account], *, patient_domain: str = "patient.mssante.fr", source: str = ""
    ) -> None:
        self.accounts = {a.address.lower(): a for a in accounts}
        self.patient_domain = patient_domain.lower()
        self.source = source

    @classmethod
    def load(cls, path: Path | None = None) -> Directory:
        path = path or default_directory_file()
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "") -> Directory:
        accounts = []
        for entry in data.get("entries", []):
            kind = str(entry.get("kind", ""))
            if kind not in KINDS[:3]:
                raise ValueError(f"directory entry {entry.get('address')!r}: kind must be one of {KINDS[:3]}")
            accounts.append(
                Account(
                    str(entry["address"]).lower(),
                    kind,
                    str(entry.get("display_name", "")),
                    str(entry.get("structure", "")),
                    entry.get("password"),
                    entry.get("certificate_cn"),
                    str(entry.get("role", "")),
                )
            )
        return cls(accounts, patient_domain=str(data.get("patient_domain", "patient.mssante.fr")), source=source)

    def kind_of(self, address: str) -> str | None:
        """The kind of mailbox ``address`` is, or None when it does not exist."""
        address = address.lower().strip()
        account = self.accounts.get(address)
        if account is not None:
            return account.kind
        local, _, domain = address.partition("@")
        if domain == self.patient_domain and _valid_ins(local):
            return "patient"
        return None

    def is_mssante(self, address: str) -> bool:
        domain = address.lower().rpartition("@")[2]
        return domain == self.patient_domain or domain.endswith(".mssante.fr")

    def check_password(self, login: str, password: str) -> Account | None:
        account = self.accounts.get(login.lower().strip())
        if account is None or account.password is None:
            return None
        if not hmac.compare_digest(account.password.encode(), password.encode()):
            return None
        return account

    def by_certificate(self, common_name: str | None) -> Account | None:
        if not common_name:
            return None
        return next((a for a in self.accounts.values() if a.certificate_cn == common_name), None)

    def with_role(self, role: str) -> Account:
        """The account playing ``role`` (``dui``: the DUI's mailbox; ``harness``: the harness's)."""
        for account in self.accounts.values():
            if account.role == role:
                return account
        raise KeyError(f"no directory account with role {role!r}")

    def entries(self) -> list[dict[str, Any]]:
        return [a.public() for a in self.accounts.values()]


def _valid_ins(value: str) -> bool:
    if len(value) != 15:
        return False
    try:
        return parse_ins(value.upper(), OID_INS_NIR_TEST).key_is_valid
    except ValueError:
        return False
