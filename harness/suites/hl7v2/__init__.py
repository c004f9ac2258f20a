"""HL7 v2 identity feeds (IHE PAM France): what the DUI emits, integrates and acknowledges."""
