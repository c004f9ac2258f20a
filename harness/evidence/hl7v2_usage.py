"""Usage indicator of the HL7 v2 identity feeds (service ``HL7V2``), counted from recorded exchanges."""

from __future__ import annotations

from typing import Any

__all__ = ["hl7v2_messages"]


def hl7v2_messages(exchanges: list[dict[str, Any]]) -> dict[str, float]:
    """ADT messages exchanged with the HL7 v2 partner and acknowledged AA/CA (both directions)."""
    total = 0
    for exchange in exchanges:
        ack = str((exchange.get("summary") or {}).get("ack") or "")
        if str(exchange.get("transaction", "")).startswith("ADT^") and ack in ("AA", "CA"):
            total += 1
    return {"hl7v2_identity_messages": total}
