"""The simulator pattern shared by every simulated service (server, recording, control, faults)."""
