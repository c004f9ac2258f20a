"""e-prescription conformance suite (payload modelled on FHIR R4: an assumption of dui-harness)."""
