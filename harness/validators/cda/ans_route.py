"""The ANS tool's own schematron pipeline, run on SaxonC-HE: the reference route.

When the pack carries ``schematrons/moteur/`` (the ISO skeleton XSLTs as ANS edited them), a
schematron can be compiled exactly as the ANS scripts do (``compilverif.bat``)::

    iso_dsdl_include.xsl  (paste the includes)   -> colle.sch
    iso_abstract_expand.xsl (expand abstract patterns) -> concret.sch
    iso_svrl_for_xslt2.xsl  (compile to XSLT 2)    -> <schematron>.xsl, then run on the document

The XSLTs are the pack's, read from the user's folder, never bundled. The generated stylesheet
gets the schematron's location as ``xml:base`` (ANS writes it beside the ``.sch``), so its
relative value-set paths resolve as in the ANS tool; reads of missing pack files are pointed at
the files the harness derived (:mod:`.overlay`) on ``concret.sch``. The project's compiler
(:mod:`.schematron_compile`) is checked against this route by a differential test.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lxml import etree

from harness.validators.cda.overlay import apply_overlay

__all__ = ["ANS_STEPS", "ROUTES", "AnsRouteError", "ans_moteur", "compile_with_ans"]

#: the pipeline of ``moteur/compilverif.bat``, in order
ANS_STEPS = ("iso_dsdl_include.xsl", "iso_abstract_expand.xsl", "iso_svrl_for_xslt2.xsl")
_SKELETON = "iso_schematron_skeleton_for_saxon.xsl"
#: ``harness``: the project's compiler (default, 3-5x faster); ``ans``: the pack's ANS pipeline
ROUTES = ("harness", "ans")


class AnsRouteError(RuntimeError):
    """The ANS pipeline could not compile the schematron."""


def ans_moteur(schematrons: Path) -> Path | None:
    """The pack's ``schematrons/moteur/`` folder when it has the whole ANS pipeline, else None."""
    folder = schematrons / "moteur"
    return folder if all((folder / name).is_file() for name in (*ANS_STEPS, _SKELETON)) else None


def compile_with_ans(
    processor: Any, moteur: Path, source: Path, overlay: Mapping[Path, Path] | None = None
) -> tuple[str, list[Path]]:
    """The XSLT the ANS pipeline makes of the schematron ``source``, and the pipeline files it used.

    Raises:
        AnsRouteError: a step failed (unreadable include, XSLT error).
    """
    from saxonche import PySaxonApiError

    include, expand, svrl = (moteur / name for name in ANS_STEPS)
    compiler = processor.new_xslt30_processor()
    try:
        pasted = compiler.compile_stylesheet(stylesheet_file=str(include)).transform_to_string(source_file=str(source))
        concrete = compiler.compile_stylesheet(stylesheet_file=str(expand)).transform_to_string(
            xdm_node=processor.parse_xml(xml_text=pasted)
        )
        if overlay:
            tree = etree.fromstring(concrete.encode("utf-8"))
            apply_overlay(tree, source, overlay)
            concrete = etree.tostring(tree, encoding="unicode")
        xslt = compiler.compile_stylesheet(stylesheet_file=str(svrl)).transform_to_string(
            xdm_node=processor.parse_xml(xml_text=concrete)
        )
    except PySaxonApiError as exc:
        raise AnsRouteError(f"{source.name}: the ANS pipeline failed: {' '.join(str(exc).split())[:400]}") from None
    if not xslt:
        raise AnsRouteError(f"{source.name}: the ANS pipeline produced nothing")
    stylesheet = etree.fromstring(xslt.encode("utf-8"))
    stylesheet.set("{http://www.w3.org/XML/1998/namespace}base", source.resolve().as_uri())
    files = [moteur / name for name in (*ANS_STEPS, _SKELETON)] + [Path(p) for p in (overlay or {}).values()]
    return etree.tostring(stylesheet, encoding="unicode"), files
