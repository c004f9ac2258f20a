"""HTTP helpers of the PSC simulator: OAuth 2.0 error answers and form bodies."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from harness.core.findings import Finding
from mocks.common.pipeline import Answer

__all__ = ["FORM", "NO_STORE", "Refusal", "answer", "oauth_error", "read_form"]

FORM = "application/x-www-form-urlencoded"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class Refusal(Exception):
    """An OAuth 2.0 error answer of an endpoint; ``finding`` says whether the DUI is at fault.

    ``finding=False`` for what the simulator merely does not support (an unsupported grant type,
    response mode…): never a finding against the DUI unless the requirements forbid the request.
    """

    def __init__(
        self,
        status: int,
        error: str,
        description: str,
        *,
        location: str = "",
        requirement: str = "PSC-TOKEN-01",
        headers: dict[str, str] | None = None,
        finding: bool = True,
    ) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description
        self.location, self.requirement, self.headers, self.finding = location, requirement, headers, finding


def oauth_error(status: int, error: str, description: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """``{"error", "error_description"}`` (RFC 6749 §5.2), never cached."""
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers={**NO_STORE, **(headers or {})}
    )


async def read_form(request: Request, what: str) -> tuple[str, str | None]:
    """The raw form body of a POST, or ``("", why it is refused)`` when it is not a form."""
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != FORM:
        return "", (
            f"the {what} must be sent as {FORM} (RFC 6749 §4.1.3, OIDC Core §3.1.2.1), "
            f"not {content_type or 'a body without Content-Type'}"
        )
    body = await request.body()
    try:
        return body.decode("ascii"), None
    except UnicodeDecodeError:
        return "", f"the {what} body has raw non-ASCII bytes: form values must be percent-encoded"


def answer(response: Response, summary: dict[str, Any], findings: list[Finding] | None = None) -> Answer:
    """The pipeline answer of a Starlette response, with what the exchange records (rejected: an error)."""
    return Answer(
        response.status_code,
        bytes(response.body),
        None,
        headers=dict(response.headers),
        summary=summary,
        findings=list(findings or []),
        rejected=bool(summary.get("error")),
    )
