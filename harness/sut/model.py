"""What the driver parts exchange with the harness: identity documents, traits, the DUI's identity."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.core.ins import Traits

__all__ = ["IdentityDocument", "SutInfo", "traits_payload"]


@dataclass(frozen=True)
class IdentityDocument:
    """A high-trust identity document an operator checked (RNIV: CNI, passport…)."""

    type: str = "CNI"
    verified: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.type, "verified": self.verified}


def traits_payload(traits: Traits) -> dict[str, Any]:
    """The trigger API's ``Traits`` object for these traits."""
    return {
        "birth_name": traits.birth_name,
        "first_names": list(traits.first_names),
        "sex": traits.sex,
        "birth_date": traits.birth_date,
        "birth_place": traits.birth_place,
    }


@dataclass
class SutInfo:
    """The DUI's identity (trigger API ``GET /info``), recorded in the report environment."""

    name: str = "unknown DUI"
    version: str = "unknown"
    editor: str = ""
    build_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
