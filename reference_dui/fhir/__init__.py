"""FHIR exchanges of the reference DUI: TDDUI export to e-parcours and e-prescription.

Its own JSON FHIR client (plain ``requests``) and its own resource building: nothing from
``harness`` nor ``mocks`` (``tests/test_architecture.py``), so that the harness's checks
judge an independent implementation.
"""
