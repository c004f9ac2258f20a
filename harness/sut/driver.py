"""How the harness makes a DUI act: one driver interface, one implementation per mode.

* ``trigger``: the DUI implements the trigger API (``openapi/trigger-api.yaml``) in its test
  mode; the harness calls it over HTTP (:mod:`harness.sut.http_trigger`).
* ``attended``: an operator performs each action in the DUI's own screens; the harness
  prints the instruction (French and English) and waits, with a timeout, for the expected
  exchange to reach the simulator (:mod:`harness.sut.attended`).
* ``artifact``: the editor hands over files (documents, messages); it serves the document
  checks of the DMP / MSSanté suites and has no INS scenario.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any

from harness.core.ins import Traits

__all__ = ["IdentityDocument", "SutDriver", "traits_payload"]


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
    name: str = "unknown DUI"
    version: str = "unknown"
    editor: str = ""
    build_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class SutDriver(abc.ABC):
    """What a conformance test may ask of the DUI under test.

    Every method returns the trigger API's JSON objects (see the OpenAPI contract), or
    raises :class:`harness.errors.SutUnreachable` when the DUI does not answer.
    """

    mode: str = "abstract"

    @abc.abstractmethod
    def info(self) -> SutInfo: ...

    @abc.abstractmethod
    def reset(self) -> None: ...

    @abc.abstractmethod
    def configure_endpoints(self, endpoints: dict[str, Any]) -> bool:
        """Push the simulator URLs; False when the DUI was configured beforehand."""

    @abc.abstractmethod
    def create_person(self, traits: Traits, document: IdentityDocument | None = None) -> dict[str, Any]:
        """Create a person with the traits an operator would type; returns its Identity."""

    @abc.abstractmethod
    def lookup_ins(self, person_id: str) -> dict[str, Any]:
        """Make the DUI search the INS with INSi; returns its LookupOutcome."""

    @abc.abstractmethod
    def check_identity_document(self, person_id: str, document: IdentityDocument) -> dict[str, Any]: ...

    @abc.abstractmethod
    def identity(self, person_id: str) -> dict[str, Any]:
        """The identity as the DUI stores it."""

    @abc.abstractmethod
    def exchange_identity(self, person_id: str) -> dict[str, Any]:
        """The identity as the DUI would write it in an outgoing exchange."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (HTTP sessions)."""
