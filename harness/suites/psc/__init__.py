"""Pro Santé Connect conformance suite: the DUI as an OpenID Connect client of PSC."""
