"""Trigger API operations of the historical feeding (recordHistoricalDocument, setPersonDeceased,
runDmpHistoryBackfill) over HTTP."""

from __future__ import annotations

from typing import Any

from harness.sut.parts.dmp_history import DmpHistoryDriver
from harness.sut.trigger_client import TriggerClient, json_object

__all__ = ["HttpDmpHistory"]


class HttpDmpHistory(TriggerClient, DmpHistoryDriver):
    """The historical-feeding part of :class:`~harness.sut.http_trigger.HttpTriggerDriver`."""

    def record_historical_document(self, person_id: str, kind: str, act_date: str) -> dict[str, Any]:
        return json_object(
            self._call(
                "POST",
                f"/persons/{person_id}/documents/historical",
                {"kind": kind, "act_date": act_date},
                ok=(200, 201),
                operation="recordHistoricalDocument",
            )
        )

    def set_person_deceased(self, person_id: str, deceased: bool, *, date: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"deceased": deceased}
        if date is not None:
            body["date"] = date
        return json_object(
            self._call("PUT", f"/persons/{person_id}/death", body, ok=(200,), operation="setPersonDeceased")
        )

    def run_dmp_history_backfill(self) -> dict[str, Any]:
        return json_object(
            self._call("POST", "/dmp/history/backfill", {}, ok=(200, 202), operation="runDmpHistoryBackfill")
        )
