"""Simulated national services: real servers on 127.0.0.1 that a DUI in any language can call."""
