"""Compile an ISO Schematron (``queryBinding="xslt2"``) into an XSLT 2.0 stylesheet producing SVRL.

The project's own implementation of the ISO skeleton's behaviour, written for the CI-SIS
schematrons (no skeleton XSLT is bundled): ``include`` (recursive, relative to the including
file), abstract patterns (``is-a`` + ``param``, substituted in ``context``/``test``/``select``/
``path`` and in text, in parameter order, as ``iso_abstract_expand`` does), abstract rules and
``extends``, phases (``defaultPhase`` or ``#ALL``), ``let`` at schema, phase, pattern (global
variables) and rule level, ``assert``/``report`` with ``id``/``role``/``flag``, ``value-of``,
``name``. As in the skeleton, within one pattern a node fires at most the first matching rule
(template priorities in rule order). Each pattern visits the nodes its rule contexts select,
``//((context 1)|(context 2)…)`` in document order: the skeleton's ``select-contexts='//'``
option, same verdicts and same fired rules as walking the whole tree once per pattern
(``select_contexts=False``, the skeleton's default, kept for comparison) and 3 to 5 times
faster on the CI-SIS profiles. Locations use, by default, the notation the ANS tool writes
(its ``iso_svrl_for_xslt2.xsl`` sets ``full-path-notation`` to 2, the skeleton's "human" path):
``/ClinicalDocument/component/structuredBody/component[8]/…`` — each element by its name in the
document (``name()``), with ``[n]`` only when a preceding sibling has the same name, and
``/@name`` for an attribute; ``locations="skeleton"`` gives the skeleton's default notation 1
(``/*:ClinicalDocument[namespace-uri()='urn:hl7-org:v3'][1]/…``).

The stylesheet's ``xml:base`` is the top schematron file, so that the relative value-set paths
of the CI-SIS (``'../jeuxDeValeurs/JDV_….xml'``) resolve inside the artefact pack.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from harness.validators.cda.overlay import apply_overlay

__all__ = ["COMPILER_VERSION", "CompiledSchematron", "SchematronError", "compile_schematron"]

#: bump when the generated XSLT changes, so that disk caches are rebuilt
COMPILER_VERSION = "4"
SCH = "http://purl.oclc.org/dsdl/schematron"
XSL = "http://www.w3.org/1999/XSL/Transform"
SVRL = "http://purl.oclc.org/dsdl/svrl"
DUI = "urn:dui-harness:schematron"
XS = "http://www.w3.org/2001/XMLSchema"
_S = f"{{{SCH}}}"
_X = f"{{{XSL}}}"
_V = f"{{{SVRL}}}"
_MACRO_ATTRIBUTES = ("test", "context", "select", "path")
_RESERVED_PREFIXES = {"xml", "xsl", "svrl", "dui", "xs"}


class SchematronError(ValueError):
    """The schematron cannot be compiled (missing include, unknown abstract pattern…)."""


@dataclass
class CompiledSchematron:
    """The XSLT text of one schematron and the files it was made from."""

    xslt: str
    source: Path
    phase: str
    files: list[Path] = field(default_factory=list)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True)


def _load(path: Path, files: list[Path]) -> etree._Element:
    try:
        root = etree.parse(str(path), _parser()).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        raise SchematronError(f"cannot read schematron file {path}: {exc}") from None
    files.append(path)
    return root


def _expand_includes(element: etree._Element, base: Path, files: list[Path], depth: int = 0) -> None:
    """Replace every ``sch:include`` below ``element`` by the root element of the file it names."""
    if depth > 40:
        raise SchematronError(f"schematron includes nested too deeply under {base}")
    for include in list(element.iter(f"{_S}include")):
        href = include.get("href", "")
        target = (base.parent / href).resolve()
        included = _load(target, files)
        _expand_includes(included, target, files, depth + 1)
        parent = include.getparent()
        if parent is None:
            raise SchematronError(f"{base}: include at the root")
        included.tail = include.tail
        if etree.QName(included).localname == "schema":
            index = parent.index(include)
            parent.remove(include)
            for offset, child in enumerate(list(included)):
                parent.insert(index + offset, child)
        else:
            parent.replace(include, included)


def _macro(text: str, params: list[tuple[str, str]]) -> str:
    for name, value in params:
        text = text.replace(f"${name}", value)
    return text


def _instantiate(abstract: etree._Element, caller: etree._Element) -> etree._Element:
    params = [(p.get("name", ""), p.get("value", "")) for p in caller.iter(f"{_S}param")]
    pattern = copy.deepcopy(abstract)
    pattern.attrib.pop("abstract", None)
    pattern.set("id", caller.get("id", "") or f"{abstract.get('id')}-instance")
    for node in pattern.iter():
        for attribute in _MACRO_ATTRIBUTES:
            if node is not pattern and attribute in node.attrib:
                node.set(attribute, _macro(node.get(attribute, ""), params))
        if node is not pattern and node.text:
            node.text = _macro(node.text, params)
        if node is not pattern and node.tail:
            node.tail = _macro(node.tail, params)
    return pattern


def _expand_abstract_patterns(schema: etree._Element) -> None:
    abstracts = {p.get("id"): p for p in schema.iter(f"{_S}pattern") if p.get("abstract") == "true"}
    for caller in list(schema.iter(f"{_S}pattern")):
        name = caller.get("is-a")
        if not name:
            continue
        if name not in abstracts:
            raise SchematronError(f"pattern {caller.get('id')!r} is-a unknown abstract pattern {name!r}")
        parent = caller.getparent()
        assert parent is not None
        parent.replace(caller, _instantiate(abstracts[name], caller))
    for abstract in abstracts.values():
        parent = abstract.getparent()
        if parent is not None:
            parent.remove(abstract)


def _expand_extends(schema: etree._Element) -> None:
    abstract_rules = {r.get("id"): r for r in schema.iter(f"{_S}rule") if r.get("abstract") == "true"}
    for _ in range(10):  # abstract rules may extend abstract rules
        pending = list(schema.iter(f"{_S}extends"))
        if not pending:
            return
        for extends in pending:
            rule = abstract_rules.get(extends.get("rule"))
            if rule is None:
                raise SchematronError(f"extends names unknown abstract rule {extends.get('rule')!r}")
            parent = extends.getparent()
            assert parent is not None
            index = parent.index(extends)
            parent.remove(extends)
            for offset, child in enumerate(rule):
                parent.insert(index + offset, copy.deepcopy(child))
    raise SchematronError("abstract rules extend each other in a cycle")


def _namespaces(schema: etree._Element) -> dict[str, str]:
    found = {k: v for k, v in schema.nsmap.items() if k and v != SCH and k not in _RESERVED_PREFIXES}
    for ns in schema.iter(f"{_S}ns"):
        prefix, uri = ns.get("prefix", ""), ns.get("uri", "")
        if prefix and prefix not in _RESERVED_PREFIXES:
            found[prefix] = uri
    return found


def _braces(value: str) -> str:
    """Escape a literal for an attribute value template."""
    return value.replace("{", "{{").replace("}", "}}")


class _Writer:
    """Builds the XSLT tree for one expanded schematron and one phase."""

    def __init__(
        self, schema: etree._Element, phase: str, source: Path, select_contexts: bool, locations: str = "ans"
    ) -> None:
        self.schema = schema
        self.phase = phase
        self.select_contexts = select_contexts
        self.locations = locations
        nsmap: dict[str | None, str] = {"xsl": XSL, "svrl": SVRL, "dui": DUI, "xs": XS}
        nsmap.update(_namespaces(schema))
        self.root = etree.Element(f"{_X}stylesheet", nsmap=nsmap)
        self.root.set("version", "2.0")
        self.root.set("{http://www.w3.org/XML/1998/namespace}base", source.resolve().as_uri())
        self.root.set("exclude-result-prefixes", " ".join(p for p in nsmap if p and p != "svrl"))
        self.globals: dict[str, str] = {}

    def x(self, parent: etree._Element, tag: str, **attributes: str) -> etree._Element:
        element = etree.SubElement(parent, f"{_X}{tag}")
        for key, value in attributes.items():
            element.set(key.rstrip("_"), value)
        return element

    def global_let(self, let: etree._Element) -> None:
        name, value = let.get("name", ""), let.get("value", "")
        if name in self.globals:
            if self.globals[name] != value:
                raise SchematronError(f"global variable ${name} defined twice with different values")
            return
        self.globals[name] = value
        self.x(self.root, "variable", name=name, select=value)

    def active_patterns(self) -> list[etree._Element]:
        patterns = [p for p in self.schema.iter(f"{_S}pattern") if p.get("abstract") != "true"]
        if self.phase == "#ALL":
            return patterns
        phase = next((p for p in self.schema.iter(f"{_S}phase") if p.get("id") == self.phase), None)
        if phase is None:
            raise SchematronError(f"no phase {self.phase!r} in this schematron")
        for let in phase.iter(f"{_S}let"):
            self.global_let(let)
        active = {a.get("pattern") for a in phase.iter(f"{_S}active")}
        return [p for p in patterns if p.get("id") in active]

    def build(self) -> etree._Element:
        self.x(self.root, "param", name="dui-fired", select="true()")
        self.x(self.root, "output", method="xml", indent="no")
        for let in self.schema.findall(f"{_S}let"):
            self.global_let(let)
        patterns = self.active_patterns()
        attributes = any(
            "@" in r.get("context", "") or "attribute" in r.get("context", "")
            for p in patterns
            for r in p.iter(f"{_S}rule")
        )
        visit = ("@*|" if attributes else "") + "*"
        main = self.x(self.root, "template", match="/")
        output = etree.SubElement(main, f"{_V}schematron-output")
        title = self.schema.find(f"{_S}title")
        output.set("title", _braces(" ".join("".join(title.itertext()).split())) if title is not None else "")
        output.set("schemaVersion", _braces(self.schema.get("schemaVersion", "")))
        output.set("phase", _braces(self.phase))
        for index, pattern in enumerate(patterns):
            for let in pattern.findall(f"{_S}let"):
                self.global_let(let)
            active = etree.SubElement(output, f"{_V}active-pattern")
            if pattern.get("id"):
                active.set("id", _braces(pattern.get("id", "")))
            rules = [r for r in pattern.iter(f"{_S}rule") if r.get("abstract") != "true" and r.get("context")]
            if self.select_contexts:
                if rules:
                    union = "|".join(f"({r.get('context')})" for r in rules)
                    self.x(output, "apply-templates", select=f"//({union})", mode=f"M{index}")
            else:
                self.x(output, "apply-templates", select="/", mode=f"M{index}")
            for position, rule in enumerate(rules):
                self.rule(rule, f"M{index}", 1000 + len(rules) - position, None if self.select_contexts else visit)
            self.x(self.root, "template", match="text()", priority="-1", mode=f"M{index}")
            fallback = self.x(self.root, "template", match="@*|node()", priority="-2", mode=f"M{index}")
            if not self.select_contexts:
                self.x(fallback, "apply-templates", select=visit, mode=f"M{index}")
        self.path_templates()
        return self.root

    def rule(self, rule: etree._Element, mode: str, priority: int, visit: str | None) -> None:
        context = rule.get("context", "")
        template = self.x(self.root, "template", match=context, priority=str(priority), mode=mode)
        fired = etree.SubElement(self.x(template, "if", test="$dui-fired"), f"{_V}fired-rule")
        fired.set("context", _braces(context))
        for key in ("id", "role"):
            if rule.get(key):
                fired.set(key, _braces(rule.get(key, "")))
        for child in rule:
            local = etree.QName(child).localname if isinstance(child.tag, str) else ""
            if local == "let":
                self.x(template, "variable", name=child.get("name", ""), select=child.get("value", ""))
            elif local == "assert":
                choose = self.x(template, "choose")
                self.x(choose, "when", test=child.get("test", ""))
                self.message(self.x(choose, "otherwise"), child, "failed-assert")
            elif local == "report":
                self.message(self.x(template, "if", test=child.get("test", "")), child, "successful-report")
        if visit is not None:
            self.x(template, "apply-templates", select=visit, mode=mode)

    def message(self, parent: etree._Element, check: etree._Element, kind: str) -> None:
        element = etree.SubElement(parent, f"{_V}{kind}")
        element.set("test", _braces(check.get("test", "")))
        for key in ("id", "role", "flag", "see"):
            if check.get(key):
                element.set(key, _braces(check.get(key, "")))
        location = self.x(element, "attribute", name="location")
        self.x(location, "apply-templates", select=".", mode="dui-path")
        text = etree.SubElement(element, f"{_V}text")
        self.content(text, check)

    def content(self, target: etree._Element, source: etree._Element) -> None:
        """Copy the message: text, ``value-of``, ``name``; other markup as its text."""
        self.text(target, source.text)
        for child in source:
            local = etree.QName(child).localname if isinstance(child.tag, str) else ""
            if local == "value-of":
                self.x(target, "value-of", select=child.get("select", "."))
            elif local == "name":
                self.x(target, "value-of", select=f"name({child.get('path', '.')})")
            elif local not in ("diagnostics", ""):
                self.content(target, child)
            self.text(target, child.tail)

    def text(self, target: etree._Element, value: str | None) -> None:
        if value:
            self.x(target, "text").text = value

    def path_templates(self) -> None:
        """The location of a node: the ANS notation (default) or the skeleton's notation 1."""
        if self.locations == "ans":
            self.ans_path_template()
        else:
            self.skeleton_path_templates()

    def ans_path_template(self) -> None:
        """The skeleton's ``schematron-get-full-path-2``, as ANS's ``iso_svrl_for_xslt2.xsl`` selects it."""
        template = self.x(self.root, "template", match="node() | @*", mode="dui-path")
        steps = self.x(template, "for-each", select="ancestor-or-self::*")
        self.x(steps, "text").text = "/"
        self.x(steps, "value-of", select="name(.)")
        position = self.x(steps, "if", test="preceding-sibling::*[name(.)=name(current())]")
        self.x(
            position, "value-of", select="concat('[', count(preceding-sibling::*[name(.)=name(current())]) + 1, ']')"
        )
        attribute = self.x(template, "if", test="not(self::*)")
        self.x(attribute, "value-of", select="concat('/@', name(.))")

    def skeleton_path_templates(self) -> None:
        """The skeleton's ``schematron-get-full-path`` for elements, attributes and the document."""
        element = self.x(self.root, "template", match="*", mode="dui-path")
        self.x(element, "apply-templates", select="parent::*", mode="dui-path")
        self.x(element, "text").text = "/"
        choose = self.x(element, "choose")
        self.x(self.x(choose, "when", test="namespace-uri()=''"), "value-of", select="name()")
        otherwise = self.x(choose, "otherwise")
        self.x(
            otherwise, "value-of", select="concat('*:', local-name(), '[namespace-uri()=''', namespace-uri(), ''']')"
        )
        self.x(
            element,
            "value-of",
            select=(
                "concat('[', 1 + count(preceding-sibling::*[local-name()=local-name(current())"
                " and namespace-uri()=namespace-uri(current())]), ']')"
            ),
        )
        attribute = self.x(self.root, "template", match="@*", mode="dui-path")
        self.x(attribute, "apply-templates", select="parent::*", mode="dui-path")
        choose = self.x(attribute, "choose")
        self.x(self.x(choose, "when", test="namespace-uri()=''"), "value-of", select="concat('/@', name())")
        self.x(
            self.x(choose, "otherwise"),
            "value-of",
            select=("concat('/@*[local-name()=''', local-name(), ''' and namespace-uri()=''', namespace-uri(), ''']')"),
        )
        document = self.x(self.root, "template", match="/", mode="dui-path")
        self.x(document, "text").text = "/"
        other = self.x(self.root, "template", match="text()|comment()|processing-instruction()", mode="dui-path")
        self.x(other, "apply-templates", select="parent::*", mode="dui-path")
        self.x(other, "value-of", select="concat('/', name(), '[', 1 + count(preceding-sibling::node()), ']')")


def compile_schematron(
    path: Path,
    phase: str | None = None,
    *,
    select_contexts: bool = True,
    overlay: Mapping[Path, Path] | None = None,
    locations: str = "ans",
) -> CompiledSchematron:
    """Compile the schematron file ``path`` to an XSLT 2.0 stylesheet producing SVRL.

    Args:
        path: the top ``.sch`` file; includes are read relative to each including file.
        phase: the phase to compile; default: the schema's ``defaultPhase``, else ``#ALL``.
        select_contexts: select each pattern's context nodes with one XPath (default) rather
            than walking the whole document once per pattern.
        overlay: missing pack file -> the file derived for it (:func:`apply_overlay`).
        locations: ``ans`` (``/ClinicalDocument/component[8]/…``, the ANS tool's notation) or
            ``skeleton`` (the ISO skeleton's default notation).

    Raises:
        SchematronError: unreadable file, unknown abstract pattern or rule, unknown phase.
    """
    files: list[Path] = []
    source = path.resolve()
    schema = _load(source, files)
    if schema.tag != f"{_S}schema":
        raise SchematronError(f"{path} is not an ISO schematron (root {schema.tag})")
    _expand_includes(schema, source, files)
    _expand_abstract_patterns(schema)
    _expand_extends(schema)
    apply_overlay(schema, source, overlay or {})
    files += [Path(p) for p in (overlay or {}).values()]
    chosen = phase or schema.get("defaultPhase") or "#ALL"
    stylesheet = _Writer(schema, chosen, source, select_contexts, locations).build()
    xslt = etree.tostring(stylesheet, encoding="unicode")
    return CompiledSchematron(xslt=xslt, source=source, phase=chosen, files=sorted(set(files)))
