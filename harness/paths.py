"""Locate the data shipped with dui-harness (profiles, fixtures), installed or from a clone."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the folder of packaged data ``name`` (``profiles`` or ``fixtures``).

    A wheel carries them under ``harness/_data/``; a source checkout (editable install,
    tests) keeps them at the repository's top level.
    """
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def profiles_dir() -> Path:
    return data_dir("profiles")


def fixtures_dir() -> Path:
    return data_dir("fixtures")


def openapi_path() -> Path:
    """The trigger API contract an editor implements in the test mode of their DUI."""
    return _PACKAGE / "sut" / "openapi" / "trigger-api.yaml"


def suites_dir() -> Path:
    """The conformance suites shipped inside the package."""
    return _PACKAGE / "suites"
