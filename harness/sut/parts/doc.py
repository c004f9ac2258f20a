"""The driver part of the outgoing documents: a document produced with the user's choices (service ``DMP``).

What SC.DOC.01/02/04/07.MS1 ask the DUI to let the user choose when producing a document: its
kind (DLU, FLUDT…), the recipients it is sent to, and its visibility (masked from professionals,
invisible to the patient or to the legal representatives) from the very first submission to the
DMP. One trigger API operation, ``publishDmpDocument`` (``openapi/trigger-api.yaml``), with the
optional fields of ``DmpPublicationRequest``; and the self-presenting file of a DLU or FLUDT
(SC.DOC.08.MS1, ``getSelfPresentingDocument``).
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import Any

__all__ = ["VISIBLE", "DocDriver", "Historical", "Recipient", "Visibility"]


@dataclass(frozen=True)
class Recipient:
    """A professional the document is sent to (RPPS, name, receiving organisation)."""

    rpps: str
    family: str
    given: str
    organisation_id: str | None = None
    organisation_name: str | None = None

    def payload(self) -> dict[str, str]:
        found = {"rpps": self.rpps, "family": self.family, "given": self.given}
        if self.organisation_id and self.organisation_name:
            found |= {"organisation_id": self.organisation_id, "organisation_name": self.organisation_name}
        return found


@dataclass(frozen=True)
class Visibility:
    """The visibility chosen when the document is created (DocumentEntry confidentialityCode, JDV_J08)."""

    masked_from_professionals: bool = False
    invisible_to_patient: bool = False
    invisible_to_legal_representatives: bool = False

    def payload(self) -> dict[str, bool]:
        return {
            "masked_from_professionals": self.masked_from_professionals,
            "invisible_to_patient": self.invisible_to_patient,
            "invisible_to_legal_representatives": self.invisible_to_legal_representatives,
        }


@dataclass(frozen=True)
class Historical:
    """A historical document: the date of its act (YYYY-MM-DD) and whether its author left the RPPS."""

    act_date: str
    author_left_rpps: bool = False

    def payload(self) -> dict[str, Any]:
        return {"act_date": self.act_date, "author_left_rpps": self.author_left_rpps}


#: no restriction: the document visible to professionals, the patient and the legal representatives
VISIBLE = Visibility()


class DocDriver(abc.ABC):
    """Documents produced with the user's choices (trigger mode: :mod:`harness.sut.http_doc`; attended mode:
    :mod:`harness.sut.attended_doc`)."""

    @abc.abstractmethod
    def doc_publish(
        self,
        person_id: str,
        kind: str,
        *,
        recipients: tuple[Recipient, ...] = (),
        visibility: Visibility = VISIBLE,
        historical: Historical | None = None,
    ) -> dict[str, Any]:
        """Make the DUI produce a ``kind`` document (DLU, FLUDT, PPA, N1) for this person, addressed to
        ``recipients``, with ``visibility`` set at its first submission to the DMP (``historical``: a
        document of a past act); returns its DmpDocument (published, pending, refused, blocked)."""

    @abc.abstractmethod
    def doc_self_presenting(self, person_id: str, document_id: str) -> dict[str, Any]:
        """The self-presenting file of a DLU or FLUDT the DUI produced (``getSelfPresentingDocument``):
        ``{document_id, content_base64, media_type?}``."""
