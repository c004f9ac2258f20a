"""Simulated DMP (Mon espace santé): XDS.b registry and repository with the DMP security context."""

from mocks.dmp.app import PATHS, REPOSITORY_ID, DmpSimulator

__all__ = ["PATHS", "REPOSITORY_ID", "DmpSimulator"]
