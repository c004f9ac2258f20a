"""The INS identity lifecycle of the reference DUI: traits edits, attributes, INS verification."""
