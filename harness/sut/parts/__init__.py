"""One driver part per service (and a core part): what a test may ask of the DUI, typed, one module each.

:class:`harness.sut.driver.SutDriver` is their union; the HTTP driver implements each part in
``harness/sut/http_<service>.py``, the attended driver in ``harness/sut/attended*.py``.
"""
