"""Consent to consult the DMP (SC.DMP/CONF.06) and the individual access authorisation positioned (SC.DMP/UX.50)."""
