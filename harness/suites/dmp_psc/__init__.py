"""DMP suite: DMP calls backed by the professional's Pro Santé Connect session (SC.DMP/PSC.01, SC.PSC.10)."""
