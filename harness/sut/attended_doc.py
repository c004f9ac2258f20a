"""Attended mode for the outgoing documents: the operator produces a document with the user's choices.

The operator makes the DUI produce the document (DLU, FLUDT…), addressed to the recipients and
with the visibility the step names, and feed it to the DMP; the harness reads the ITI-41 that
reaches the DMP simulator (what the judgement uses) as in :mod:`harness.sut.attended_dmp`.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from harness.sut.attended_dmp import KIND_FR, AttendedDmp
from harness.sut.attended_operator import OperatorNoAnswer, step
from harness.sut.parts.doc import VISIBLE, DocDriver, Historical, Recipient, Visibility

__all__ = ["AttendedDoc"]

#: the largest self-presenting file read from the operator's disk
MAX_FILE = 20_000_000

#: kinds this part names beyond those of the DMP part
DOC_KIND_FR = {"FLUDT": "la fiche de liaison d'urgence de transfert (FLUDT) vers le service des urgences"}
VISIBILITY_TEXT = (
    ("masked_from_professionals", "masqué aux professionnels (MASQUE_PS)", "masked from professionals (MASQUE_PS)"),
    ("invisible_to_patient", "invisible pour l'usager (INVISIBLE_PATIENT)", "invisible to the patient"),
    (
        "invisible_to_legal_representatives",
        "invisible pour ses représentants légaux (INVISIBLE_REPRESENTANTS_LEGAUX)",
        "invisible to the legal representatives",
    ),
)


def _who(recipients: tuple[Recipient, ...]) -> str:
    return "; ".join(
        f"{r.given} {r.family} (RPPS {r.rpps}{', ' + r.organisation_name if r.organisation_name else ''})"
        for r in recipients
    )


class AttendedDoc(AttendedDmp, DocDriver):
    """The outgoing-documents part (:class:`~harness.sut.parts.doc.DocDriver`) of
    :class:`~harness.sut.attended.AttendedDriver`."""

    @step("doc_publish")
    def doc_publish(
        self,
        person_id: str,
        kind: str,
        *,
        recipients: tuple[Recipient, ...] = (),
        visibility: Visibility = VISIBLE,
        historical: Historical | None = None,
    ) -> dict[str, Any]:
        since = self.recorder.mark()
        what = DOC_KIND_FR.get(kind) or KIND_FR.get(kind, kind)
        chosen = [t for t in VISIBILITY_TEXT if visibility.payload()[t[0]]]
        fr = [f"Produisez {what} de l'usager {person_id}"]
        en = [f"Produce the {kind} document of person {person_id}"]
        if recipients:
            fr.append(f", adressé(e) à : {_who(recipients)}")
            en.append(f", sent to: {_who(recipients)}")
        if historical is not None:
            fr.append(
                f", document historique d'un acte du {historical.act_date}"
                + (
                    " dont l'auteur a quitté le RPPS (connecté comme personne morale)"
                    if historical.author_left_rpps
                    else ""
                )
            )
            en.append(
                f", a historical document of an act of {historical.act_date}"
                + (" whose author left the RPPS (logged in as the legal entity)" if historical.author_left_rpps else "")
            )
        if chosen:
            fr.append(f" ; à la création, rendez-le {', '.join(t[1] for t in chosen)}")
            en.append(f"; when creating it, make it {', '.join(t[2] for t in chosen)}")
        self.operator.say("".join(fr) + ", puis versez-le au DMP.", "".join(en) + ", then feed it to the DMP.")
        return self._publication(since, self._await(since, "ITI-41"))

    @step("doc_self_presenting")
    def doc_self_presenting(self, person_id: str, document_id: str) -> dict[str, Any]:
        typed = self.operator.ask(
            f"Exportez le document {document_id} de l'usager {person_id} au format auto-présentable (CDA avec la "
            "feuille de style de l'ESMS) et saisissez le chemin du fichier :",
            f"Export document {document_id} of person {person_id} in its self-presenting form (the CDA with the "
            "ESMS's stylesheet) and type the file's path:",
        )
        path = Path(typed.strip()).expanduser()
        if not typed.strip() or not path.is_file() or path.stat().st_size > MAX_FILE:
            raise OperatorNoAnswer(
                f"fichier auto-présentable illisible ou absent ({typed.strip() or 'aucun chemin'}) / self-presenting "
                f"file missing or unreadable (at most {MAX_FILE} bytes)"
            )
        return {
            "document_id": document_id,
            "content_base64": base64.b64encode(path.read_bytes()).decode("ascii"),
            "declared_by_operator": True,
        }
