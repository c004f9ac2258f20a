"""The reference DUI's automatic DMP feeding: a validated document is sent by itself, in the background.

Ségur vague 2, *Programmer les envois ultérieurement de documents*:

* SC.DMP/ALI/PROG.02 (and SC.DMP.01.MS1): a document validated by the professional is sent to the
  DMP systematically and automatically, with no further action (``POST /persons/{pid}/documents/validate``
  answers at once: the document is queued, not sent by the request);
* SC.DMP/ALI/PROG.05: the sending runs in a background thread, the user's request never waits for the DMP;
* SC.DMP/ALI/PROG.06: when the DMP cannot be reached the order is kept ``pending`` with no user action;
* SC.DMP/ALI/PROG.07: it is sent again by itself once the DMP answers: retried with an exponential
  backoff (``first_delay`` doubled up to ``max_delay``, at most ``max_attempts`` tries, then left
  ``pending`` for ``POST /dmp/retry``).

The backoff starts at 1.5 s, then 2 s between tries. Each try already is a short burst of immediate
attempts (:data:`reference_dui.dmp.service.ATTEMPTS`, 0.05 s then 0.1 s apart); the first background
resend is a later, separate one, so it comes after a pause longer than the bench's quiet window
(``harness.suites.dmp_auto.conftest.QUIET``, 1 s without a new ITI-41: the DUI has given up its
immediate attempts, the DMP comes back). The bench then sees one refused try during the outage and the
resend as soon as the DMP is back: ~1.7 s from the validation, where the former 0.2 s doubled backoff
made four refused tries and waited 3 s (the bench needed 1.6 s between two tries to see the pause).
Should a loaded machine delay the bench past the first resend, that resend is refused and the next
one, 2 s later, is the one seen: slower, never a different verdict.

Defect switches (:mod:`reference_dui.defects`): ``dmp_no_auto_feed`` (a validated document waits for a
manual send), ``dmp_no_auto_resend`` (one automatic try only: a document the DMP did not take stays
pending until someone asks), ``dmp_feed_in_foreground`` (the validation request sends it itself and
answers only once the DMP has).
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reference_dui.dmp.service import DmpService

__all__ = ["AutoFeeder", "validate"]


class AutoFeeder:
    """One background thread sending the validated documents, each retried with a bounded backoff."""

    def __init__(
        self, dmp: DmpService, *, first_delay: float = 1.5, max_delay: float = 2.0, max_attempts: int = 200
    ) -> None:
        self.dmp = dmp
        self.first_delay, self.max_delay, self.max_attempts = first_delay, max_delay, max_attempts
        self._due: dict[str, tuple[float, int]] = {}  # document id -> (monotonic time due, failed tries)
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopped = False

    def submit(self, document_id: str) -> None:
        """Queue a validated document for sending now."""
        with self._wake:
            self._due[document_id] = (time.monotonic(), 0)
            if self._thread is None or not self._thread.is_alive():
                self._stopped = False
                self._thread = threading.Thread(target=self._run, name="dmp-auto-feeder", daemon=True)
                self._thread.start()
            self._wake.notify_all()

    def queued(self) -> list[str]:
        with self._wake:
            return list(self._due)

    def reset(self) -> None:
        with self._wake:
            self._due.clear()

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._due.clear()
            self._wake.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)

    def _ready(self) -> list[tuple[str, int]]:
        """Wait (bounded by ``max_delay``) until documents are due; those due now, or [] when stopped."""
        with self._wake:
            while not self._stopped:
                now = time.monotonic()
                ready = [(d, n) for d, (due, n) in self._due.items() if due <= now]
                if ready:
                    for document_id, _ in ready:
                        del self._due[document_id]
                    return ready
                waits = [due - now for due, _ in self._due.values()]
                self._wake.wait(min([self.max_delay, *waits]))
            return []

    def _run(self) -> None:
        while True:
            ready = self._ready()
            if not ready:
                return
            for document_id, failures in ready:
                status = self.dmp.send_pending(document_id)
                if status != "pending" or "dmp_no_auto_resend" in self.dmp.defects:
                    continue
                if failures + 1 < self.max_attempts:  # SC.DMP/ALI/PROG.07: again, later, by itself
                    delay = min(self.max_delay, self.first_delay * 2**failures)
                    with self._wake:
                        if not self._stopped:
                            self._due[document_id] = (time.monotonic() + delay, failures + 1)


def validate(dmp: DmpService, feeder: AutoFeeder, person_id: str, data: Any) -> dict[str, Any]:
    """The professional validates a document: it is produced, kept ``pending`` and queued for the DMP."""
    produced = dmp.publish(person_id, data, send=False)
    document_id = str(produced["document_id"])
    defects = dmp.defects
    if "dmp_no_auto_feed" in defects:  # waits for the user's manual send (POST /dmp/retry)
        return {**produced, "message": "validé ; envoi au DMP sur demande / validated; sent to the DMP on demand"}
    if "dmp_feed_in_foreground" in defects:  # the request itself waits for the DMP
        if dmp.send_pending(document_id) == "pending":
            feeder.submit(document_id)  # resent by itself later all the same
        return dmp.document(document_id)
    feeder.submit(document_id)
    return {**produced, "message": "validé ; envoi automatique au DMP en cours / validated; being sent to the DMP"}
