"""Simulated HL7 v2 partner (IHE PAM France identity feeds) over MLLP: listener, feeds, ACKs."""
