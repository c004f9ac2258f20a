"""Consent to consult the DMP (SC.DMP/CONF.06), the individual access authorisation positioned (SC.DMP/UX.50)
and the automatic feeding of historical documents (SC.DMP/HISTO.06)."""
