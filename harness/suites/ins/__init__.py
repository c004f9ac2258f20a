"""INS conformance suite: the DUI and the INSi teleservice, identity statuses (RNIV)."""
