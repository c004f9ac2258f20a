"""The API LPS scenarios played once per run, in order, each one a :class:`~harness.plugin.evidence.Scenario`.

``MSS-LPS-SEGUR-PER-ORG`` (personal/organisational mailbox, a professional's PSC session):

1. ``nominal``: PSC login of the mailbox's owner, a message sent, the INBOX read (SC.MSS/CONF.07/09);
2. ``operator-ended``: the operator ends the SMTP session (``421`` at RCPT), the DUI must reopen it and
   send, the PSC authentication still valid (SC.MSS/CONF.11);
2b. ``auth-error``: a technical error at every SMTP ``AUTH`` while the DUI's other functions are used
   (SC.MSS/CONF.08, :mod:`harness.suites.mss_lps.errors`);
3. ``expired``: a PSC login whose access token lives 2 s, then a message after its expiry: the DUI
   renews the token (refresh grant, or a new PSC authentication) and sends (SC.MSS/CONF.11). The message is
   asked :data:`AFTER_EXPIRY` seconds after the token expired *as the DUI reckons it*: counted from the
   login's answer (the DUI received its ``expires_in`` before answering, and the PSC simulator issued the
   token before that, so the operator refuses it by then too), not from the login's request;
4. ``state``: what the DUI says of the token it holds (SC.MSS/CONF.28);
5. ``logout``: the PSC logout, then a message asked: nothing may reach the operator (SC.MSS/CONF.10).

They are played as far as the tests ask (:class:`PerOrgRuns`): all of them, in this order, in a full run.

``MSS-LPS-SEGUR-APP``: ``application``: the DUI's application mailbox sends and reads (SC.MSS/CONF.12).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from harness.core.recorder import Exchange, Recorder
from harness.errors import HarnessError
from harness.plugin.evidence import Scenario
from harness.suites.mss_lps.errors import play_auth_error
from harness.sut.driver import SutDriver

__all__ = [
    "APP",
    "EXPIRING_LIFETIME",
    "PER_ORG",
    "PerOrgRuns",
    "auth_exchanges",
    "per_org_steps",
    "play_application",
    "smtp_accepted",
]

SERVICE = "MSS"
PER_ORG = "MSS-LPS-SEGUR-PER-ORG"
APP = "MSS-LPS-SEGUR-APP"
#: the access token lifetime of the expiry scenario (seconds): the DUI's PSC login must end well within it
EXPIRING_LIFETIME = 2
#: how long after the token's expiry, counted from the login's answer, the DUI is asked to send (seconds): one
#: second, the coarsest clock a DUI may keep an expiry in (whole seconds, as a JWT ``exp``); the delay between
#: the PSC token response and the DUI's reading of ``expires_in`` is already inside the count
AFTER_EXPIRY = 1.0
#: what a DUI answers once it did the job: LPS operations (``outcome``), ``sendMssDocument`` (``status``)
_DONE_OUTCOMES = ("sent", "read", "connected")
CLOSED_BY_OPERATOR = "421 4.4.2 Session closed by the operator (dui-harness test) / session fermee par l'operateur"


def auth_exchanges(scenario: Scenario, protocol: str | None = None) -> list[Exchange]:
    """The ``SMTP AUTH`` / ``IMAP AUTH`` exchanges of a scenario."""
    wanted = (f"{protocol} AUTH",) if protocol else ("SMTP AUTH", "IMAP AUTH")
    return [e for e in scenario.exchanges if e.transaction in wanted]


def smtp_accepted(scenario: Scenario) -> list[Exchange]:
    """The SMTP transactions the operator accepted (``250``) in a scenario."""
    return [
        e for e in scenario.exchanges if e.transaction == "SMTP" and str(e.summary.get("reply", "")).startswith("250")
    ]


def _call(action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The DUI's answer; a trigger API error is an answer too (``outcome: error``)."""
    try:
        return action()
    except HarnessError as exc:
        return {"outcome": "error", "error": str(exc)[:500], "trigger_error": True}


def _done(answer: dict[str, Any] | None) -> bool:
    """Whether the DUI's answer says the job is done: an LPS ``outcome`` sent/read/connected, the application
    mailbox's ``sendMssDocument`` ``status: sent``, or its ``fetchMssMail`` answer (the ``messages`` it read)."""
    answer = answer or {}
    return (
        answer.get("outcome") in _DONE_OUTCOMES
        or answer.get("status") == "sent"
        or (isinstance(answer.get("messages"), list) and "outcome" not in answer)
    )


def _scenario(name: str, recorder: Recorder, since: str, data: dict[str, Any], settle: float) -> Scenario:
    """The exchanges since ``since``; a DUI that did not say it was done (sent, read) gets ``settle`` seconds.

    The operator records each ``AUTH`` and each SMTP transaction before it answers the DUI, so a DUI that
    says it sent and read has nothing more to bring: no wait. One that did not (an error, a refusal, mail
    queued for later) is watched for ``settle`` seconds: what it still sends is judged (after a logout,
    nothing may reach the operator).
    """
    done = all(_done(data.get(step)) for step in ("send", "fetch") if step in data)
    if not done:
        recorder.wait_for(lambda found: False, service=SERVICE, since=since, timeout=settle)
    return Scenario(name=name, exchanges=recorder.exchanges(service=SERVICE, since=since), data=data)


class PerOrgRuns:
    """The ``MSS-LPS-SEGUR-PER-ORG`` scenarios, played in their order as far as the tests ask.

    :meth:`get` plays every scenario up to the one asked (``expired`` plays ``nominal``, ``operator-ended``
    and ``auth-error`` first, once); those after the last one asked are not played. A run of every test
    plays them all, in the same order; a run scoped to one module (the sensitivity runs' scopes) stops early
    instead of waiting for a token to expire or for the logout's quiet window that no test of it judges.
    """

    def __init__(self, steps: Iterator[tuple[str, Scenario]]) -> None:
        self._steps = steps
        self._played: dict[str, Scenario] = {}
        self._failure: BaseException | None = None

    def get(self, name: str) -> Scenario | None:
        """Scenario ``name`` (played now if need be), or None when the play ended before it.

        A harness fault met while playing is raised again to every later test, as pytest does for a
        fixture that failed (an error, not a scenario missing)."""
        while name not in self._played:
            if self._failure is not None:
                raise self._failure
            try:
                step = next(self._steps, None)
            except BaseException as exc:
                self._failure = exc
                raise
            if step is None:
                return None
            self._played[step[0]] = step[1]
        return self._played[name]


def per_org_steps(
    sut: SutDriver,
    recorder: Recorder,
    mss: Any,
    psc: Any,
    *,
    professional: str,
    mailbox: str,
    recipient: str,
    settle: float,
) -> Iterator[tuple[str, Scenario]]:
    """The ``MSS-LPS-SEGUR-PER-ORG`` scenarios in order, each played when asked for; stops after ``nominal``
    when the DUI has no API LPS or its PSC login failed."""
    since = recorder.mark()
    connect = _call(lambda: sut.mss_lps_connect(professional, mailbox))
    send = _call(lambda: sut.mss_lps_send(recipient, "Essai API LPS", "Message de test (API LPS)."))
    fetch = _call(lambda: sut.mss_lps_fetch())
    yield (
        "nominal",
        _scenario(
            f"{PER_ORG}: connexion PSC puis XOAUTH2 / PSC login then XOAUTH2",
            recorder,
            since,
            {"connect": connect, "send": send, "fetch": fetch, "professional": professional, "mailbox": mailbox},
            settle,
        ),
    )
    if connect.get("trigger_error") or connect.get("outcome") != "connected":
        return

    since = recorder.mark()
    mss.faults.add("smtp_reply", "RCPT", reply=CLOSED_BY_OPERATOR)
    try:
        send = _call(lambda: sut.mss_lps_send(recipient, "Essai API LPS (reprise)", "Session reprise."))
    finally:
        mss.faults.clear()
    yield (
        "operator-ended",
        _scenario(
            f"{PER_ORG}: session fermée par l'opérateur / session ended by the operator",
            recorder,
            since,
            {"send": send, "fault": CLOSED_BY_OPERATOR},
            settle,
        ),
    )

    yield (
        "auth-error",
        play_auth_error(
            sut,
            recorder,
            mss,
            lambda: _call(
                lambda: sut.mss_lps_send(recipient, "Essai API LPS (erreur technique)", "Erreur d'authentification.")
            ),
            f"{PER_ORG}: erreur technique à l'authentification / technical error at authentication",
        ),
    )

    since = recorder.mark()
    lifetime = int(psc.state().get("access_token_lifetime", 300))
    psc.update_state({"access_token_lifetime": EXPIRING_LIFETIME})
    try:
        connect = _call(lambda: sut.mss_lps_connect(professional, mailbox))
        answered_at = time.monotonic()  # the DUI holds its token and knows its lifetime: the clock starts here
    finally:
        psc.update_state({"access_token_lifetime": lifetime})
    time.sleep(max(0.0, EXPIRING_LIFETIME + AFTER_EXPIRY - (time.monotonic() - answered_at)))
    expired_since = recorder.mark()
    send = _call(lambda: sut.mss_lps_send(recipient, "Essai API LPS (jeton expiré)", "Jeton renouvelé."))
    expired = _scenario(
        f"{PER_ORG}: jeton d'accès expiré / expired access token",
        recorder,
        since,
        {"connect": connect, "send": send, "lifetime": EXPIRING_LIFETIME},
        settle,
    )
    expired.data["after_expiry"] = [e.id for e in recorder.exchanges(service=SERVICE, since=expired_since)]
    yield "expired", expired

    since = recorder.mark()
    state = _call(lambda: sut.mss_lps_session())
    yield "state", Scenario(name=f"{PER_ORG}: jeton conservé / token kept", data={"state": state})

    since = recorder.mark()
    logout = _call(lambda: sut.mss_lps_logout())
    after = _call(lambda: sut.mss_lps_session())
    send = _call(lambda: sut.mss_lps_send(recipient, "Essai API LPS (après déconnexion)", "Ne doit pas partir."))
    fetch = _call(lambda: sut.mss_lps_fetch())
    yield (
        "logout",
        _scenario(
            f"{PER_ORG}: déconnexion PSC / PSC logout",
            recorder,
            since,
            {"logout": logout, "state_after": after, "send": send, "fetch": fetch},
            settle,
        ),
    )


def play_application(sut: SutDriver, recorder: Recorder, person_id: str, recipient: str, settle: float) -> Scenario:
    """``MSS-LPS-SEGUR-APP``: the DUI's application mailbox sends a document and reads its INBOX."""
    since = recorder.mark()
    send = _call(lambda: sut.mss_send(person_id, "professional", address=recipient))
    fetch = _call(lambda: sut.mss_fetch())
    return _scenario(
        f"{APP}: BAL applicative, certificat puis PLAIN / application mailbox, certificate then PLAIN",
        recorder,
        since,
        {"send": send, "fetch": fetch},
        settle,
    )
