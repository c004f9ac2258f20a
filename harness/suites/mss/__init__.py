"""MSSanté conformance suite: sending documents, receiving and integrating them, acknowledgements."""
