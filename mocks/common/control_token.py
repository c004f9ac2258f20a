"""The per-run token that every ``/_harness`` control call must carry (issue 17, item 2).

The control APIs force INSi results, re-register the PSC client, wipe the DMP/FHIR stores and
inject mail: any local user could do so before. One random token is made per process (a run
or a ``serve``), handed to the suites through the simulator objects (``sim.control_token``),
printed by ``serve`` and written to a file only its owner can read. A call presents it as
``X-Harness-Token: <token>`` (a header of its own, so that it never mixes with the OAuth
``Authorization`` of the traffic under test); without it, the answer is ``401`` before the
body is read.
"""

from __future__ import annotations

import hmac
import os
import secrets
import threading
from pathlib import Path
from typing import Any

__all__ = [
    "CONTROL_TOKEN_FILE",
    "TOKEN_HEADER",
    "authorization_header",
    "is_authorized",
    "run_token",
    "write_token_file",
]

#: the header a control call carries its token in
TOKEN_HEADER = "X-Harness-Token"
#: name of the token file ``serve`` writes in its reports folder
CONTROL_TOKEN_FILE = "control-token"

_lock = threading.Lock()
_token: str | None = None


def run_token() -> str:
    """The token of this process's run (made once, 256 random bits)."""
    global _token
    with _lock:
        if _token is None:
            _token = secrets.token_urlsafe(32)
        return _token


def authorization_header(token: str) -> dict[str, str]:
    """Headers of a control call: ``{"X-Harness-Token": "<token>"}``."""
    return {TOKEN_HEADER: token}


def is_authorized(scope: Any, token: str) -> bool:
    """True when the ASGI ``scope`` carries ``X-Harness-Token: <token>`` (constant-time comparison)."""
    wanted = TOKEN_HEADER.lower().encode()
    for key, value in scope.get("headers", ()):
        if key.lower() == wanted:
            return hmac.compare_digest(value.strip(), token.encode())
    return False


def write_token_file(path: Path, token: str) -> Path:
    """Write ``token`` to ``path`` readable by its owner only (0600), replacing any older file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(token + "\n")
    return path
