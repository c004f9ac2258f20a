"""``auth-error``: the operator's technical error at authentication, and the DUI's other functions meanwhile.

SC.MSS/CONF.08 (Référentiel socle MSSanté #2 ECO.1.2.3, test case ``MSS-LPS-SEGUR-PER-ORG``): "Le système
DOIT traiter les erreurs techniques rencontrées lors du processus de connexion SMTP/IMAP et d'authentification
SMTP/IMAP de sorte qu'elles ne perturbent pas les autres fonctions du système (hors messagerie)".

Played after the nominal session: the operator answers every SMTP ``AUTH`` with ``454 4.7.0`` (RFC 4954 §6,
a temporary authentication failure: a technical error, not a refused token) while the DUI is asked to send a
message, then — the error still standing — to do what a user does next outside the mail: register a person
(an identity of the test base), search their INS with INSi, read the identity back, and say who it is
(``GET /info``). The fault is then lifted. Only what was observed is judged: if the DUI sent no ``AUTH``
during the window (it kept an authenticated SMTP session open), the error never reached it and the
requirement is not judged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from harness.core.recorder import Recorder
from harness.errors import HarnessError
from harness.plugin.evidence import Scenario
from harness.suites.ins.persons import person
from harness.sut.driver import IdentityDocument, SutDriver

__all__ = ["AUTH_ERROR", "OTHER_PERSON", "OTHER_STEPS", "play_auth_error"]

#: the operator's answer to every ``AUTH`` of the window (RFC 4954 §6 ``454``: temporary failure)
AUTH_ERROR = "454 4.7.0 Temporary authentication failure (dui-harness test) / echec temporaire d'authentification"
#: the person of the identity base the DUI registers meanwhile (known to the INSi simulator)
OTHER_PERSON = "nessi-michelangelo"
#: the DUI's functions outside the mail, in the order they are asked
OTHER_STEPS = ("create_person", "lookup_ins", "identity", "info")


def _step(action: Callable[[], Any]) -> dict[str, Any]:
    """What a step gave: ``ok`` and the answer, or the trigger API's error (an HTTP error, no answer)."""
    try:
        answer = action()
    except HarnessError as exc:
        return {"ok": False, "error": str(exc)[:500]}
    return {"ok": True, "answer": answer if isinstance(answer, dict) else {"value": str(answer)}}


def play_auth_error(
    sut: SutDriver, recorder: Recorder, mss: Any, send: Callable[[], dict[str, Any]], name: str
) -> Scenario:
    """The ``auth-error`` scenario (MSS and INS exchanges of the window, every answer of the DUI)."""
    since = recorder.mark()
    mss.faults.add("smtp_reply", "AUTH", times=None, reply=AUTH_ERROR)
    data: dict[str, Any] = {"fault": AUTH_ERROR}
    try:
        data["send"] = send()
        created = _step(lambda: sut.create_person(person(OTHER_PERSON).traits, IdentityDocument("CNI", verified=True)))
        data["create_person"] = created
        pid = str(created["answer"].get("person_id", "")) if created["ok"] else ""
        if pid:
            data["lookup_ins"] = _step(lambda: sut.lookup_ins(pid))
            data["identity"] = _step(lambda: sut.identity(pid))
        data["info"] = _step(lambda: {"name": sut.info().name})
    finally:
        mss.faults.clear()
    data["auth_faulted"] = any(
        e.transaction == "SMTP AUTH" and e.fault_injected for e in recorder.exchanges(service="MSS", since=since)
    )
    exchanges = [e for e in recorder.exchanges(since=since) if e.service in ("MSS", "INS")]
    return Scenario(name=name, exchanges=exchanges, data=data)
