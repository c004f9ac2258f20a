"""MSSanté client security: the DUI meets operators it must refuse (issue 13 item 1).

Part of the ANS test-case family ``MSS-LPS-SEGUR-GEN`` (TLS connection to the API LPS): the
operator simulator presents an expired, a revoked (CRL served by the harness) certificate,
weak TLS versions, suites and key-exchange groups; the DUI must refuse before a byte of SMTP
and keep the last valid CRL when the distribution point fails.
"""
