"""Fixtures of the CDA validator tests: the official artefact pack beside the repository, its examples.

The pack (``shared/reference/cda-testcontenucda``, the ANS TestContenuCDA publication) and the
TDDUI example (``shared/reference/tddui-cda``) are read from the ``shared`` folder beside the
repository root, never copied into it; tests that need them skip with the reason when absent —
except in CI (``CI=true``), where the reference material is part of the checkout and its absence
fails loudly (:func:`need`).
Compiled schematrons go to a session cache folder (``DUI_HARNESS_CACHE_DIR``, shared by the session's
pytest-xdist workers), not to ``~/.cache``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from harness.validators.cda import CdaPack, load_pack
from tests.cli.conftest import cli  # noqa: F401 - the in-process ``dui-harness`` fixture
from tests.shared_runs import session_folder
from tests.support import SHARED_REFERENCE, need_reference

PACK_DIR = SHARED_REFERENCE / "cda-testcontenucda"
TDDUI_EXAMPLE = SHARED_REFERENCE / "tddui-cda" / "CDA_TDDUI_Exemple_v1.0.1.xml"
NO_PACK = f"the CI-SIS artefact pack is not beside the repository ({PACK_DIR})"
ABSENT_EXAMPLE = "(pack absent)"
CDA = "urn:hl7-org:v3"
NS = {"cda": CDA}


def example_names() -> list[str]:
    """The example documents of the pack (``[ABSENT_EXAMPLE]`` when absent: a test of it skips, or fails in CI)."""
    folder = PACK_DIR / "ExemplesCDA"
    return sorted(p.name for p in folder.glob("*.xml")) if folder.is_dir() else [ABSENT_EXAMPLE]


@pytest.fixture(scope="session", autouse=True)
def _schematron_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    # under pytest-xdist, one folder for every worker of the session: a schematron is compiled to XSLT once, not
    # once per worker (the engine writes each entry atomically)
    folder = session_folder(tmp_path_factory, "schematron-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DUI_HARNESS_CACHE_DIR", str(folder))
        yield folder


PACK_2023_DIR = SHARED_REFERENCE / "cda-testcontenucda-2023.05"


def need(path: Path, reason: str) -> None:
    """Skip when the reference ``path`` is absent — fail in CI (``CI=true`` or
    ``DUI_HARNESS_REQUIRE_REFERENCE=1``), where it must be there (:func:`tests.support.need_reference`)."""
    need_reference(path, reason)


@pytest.fixture(scope="session")
def pack() -> CdaPack:
    need(PACK_DIR, NO_PACK)
    return load_pack(PACK_DIR)


@pytest.fixture(scope="session")
def pack_2023() -> CdaPack:
    need(PACK_2023_DIR, f"the 2023-05 CI-SIS pack is not beside the repository ({PACK_2023_DIR})")
    return load_pack(PACK_2023_DIR)


def example(name: str) -> bytes:
    """The bytes of one official example (skips when the pack is absent)."""
    path = PACK_DIR / "ExemplesCDA" / name
    if name == TDDUI_EXAMPLE.name:
        path = TDDUI_EXAMPLE
    need(path, f"{path} is not beside the repository")
    return path.read_bytes()


def tree(name: str) -> etree._Element:
    """A fresh, mutable tree of one official example."""
    return etree.fromstring(example(name))


def serialize(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def first(root: etree._Element, path: str) -> etree._Element:
    found = root.xpath(path, namespaces=NS)
    assert found, f"the example has no {path}"
    element = found[0]
    assert isinstance(element, etree._Element)
    return element


def remove(root: etree._Element, path: str) -> None:
    """Remove every element ``path`` selects (at least one)."""
    found = root.xpath(path, namespaces=NS)
    assert found, f"the example has no {path}"
    for element in found:
        parent = element.getparent()
        assert parent is not None
        parent.remove(element)
