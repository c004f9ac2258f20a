"""e-parcours conformance suite: TDDUI flux 1 (the DUI exports a record to the e-parcours platform)."""
