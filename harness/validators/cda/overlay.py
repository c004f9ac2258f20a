"""Point a schematron's reads of missing pack files at the files the harness derived for them.

Used by both compilation routes (the project's compiler and the ANS pipeline) on the expanded
schematron, before it becomes XSLT: see :mod:`harness.validators.cda.pack_state`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from lxml import etree

__all__ = ["apply_overlay"]

_FILE_LITERAL = re.compile(r"""(['"])([^'"\s()]+\.(?:xml|rdf))\1""")


def apply_overlay(schema: etree._Element, source: Path, overlay: Mapping[Path, Path]) -> None:
    """Point the file literals that name a missing pack file at the file derived for it.

    A literal (``doc('include/voc-….xml')``) is resolved as the compiled stylesheet resolves it,
    against the top schematron ``source``; when that path is a key of ``overlay`` it is replaced
    by the absolute URI of the derived file (see :mod:`harness.validators.cda.pack_state`).
    """
    if not overlay:
        return
    targets = {str(k.resolve()): v.resolve().as_uri() for k, v in overlay.items()}

    def swap(match: re.Match[str]) -> str:
        target = targets.get(str((source.parent / match.group(2)).resolve()))
        return f"{match.group(1)}{target}{match.group(1)}" if target else match.group(0)

    for element in schema.iter():
        if isinstance(element.tag, str):
            for name, value in element.attrib.items():
                if ".xml" in value or ".rdf" in value:
                    element.set(name, _FILE_LITERAL.sub(swap, value))
