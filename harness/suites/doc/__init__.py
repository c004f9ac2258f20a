"""Outgoing documents of the DUI: FLUDT, recipients, visibility at the first submission (SC.DOC.*.MS1)."""
