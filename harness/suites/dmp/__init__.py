"""DMP conformance suite: feeding, updating and consulting the DMP (Mon espace santé) through XDS.b."""
