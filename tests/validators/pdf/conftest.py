"""The ``cli`` fixture of tests/cli for the ``validate pdf`` tests."""

from tests.cli.conftest import cli

__all__ = ["cli"]
