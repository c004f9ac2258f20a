"""Apply the programme rules to a project: per ESMS, per rule, with reasons, and the fundable total.

Modelled on assumptions (the programme text is not in the corpus, see rules.yaml): the reduced
threshold of Corsica and overseas applies when the *project's* region is one of them, to both
the OG threshold and the minimum number of structures of a grouping; an OG's size is its
``structures_total`` when given, else the number of its ESMS in the project; structures beyond
the cap are the last ones listed; an attestation missing from the project makes the project
incomplete; a service with conflicting evidence (one bundle of the DUI version passes, another
fails) is not conformant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.evidence.project.model import Project, Rules
from harness.evidence.signing import load_trust_anchors
from harness.evidence.verify import VerifyReport, verify_file

__all__ = ["BundleEvidence", "EsmsVerdict", "ProjectReport", "RuleVerdict", "check_project"]

CONFORMANT, NOT_CONFORMANT, NOT_EVIDENCED = "conformant", "not-conformant", "not-evidenced"


@dataclass
class BundleEvidence:
    """One bundle of the project, verified."""

    path: str
    valid: bool
    problems: list[str]
    dui: dict[str, Any]
    rows: list[dict[str, Any]]
    #: why the run of this bundle is partial (tests not run, interrupted); empty for a complete run
    partial: list[str] = field(default_factory=list)

    def service_status(self, service: str, target: str) -> tuple[str, list[str]]:
        """``(status, ids of the MUST requirements that did not pass)`` of ``service`` for ``target``."""
        applicable = [
            r
            for r in self.rows
            if r.get("service") == service
            and r.get("level") == "MUST"
            and r.get("applicability") in ("all", target)
            and r.get("verification") != "attestation"
        ]
        if not applicable:
            return NOT_EVIDENCED, []
        failing = [str(r.get("id")) for r in applicable if r.get("verdict") != "pass"]
        return (NOT_CONFORMANT if failing else CONFORMANT), failing

    @classmethod
    def from_report(cls, report: VerifyReport) -> BundleEvidence:
        dui = report.manifest.get("dui") or {}
        problems = [f"{i.where}: {i.message}" for i in report.issues if i.severity == "error"]
        state = report.run_state()
        partial = list(state.get("partial_reasons") or []) or (["partial run"] if state.get("partial") else [])
        if state.get("interrupted"):
            partial.insert(0, "interrupted (Ctrl-C)")
        return cls(report.bundle, report.valid, problems, dui, report.matrix.get("requirements", []), partial)


@dataclass
class RuleVerdict:
    id: str
    title_fr: str
    title_en: str
    verdict: str  # pass, fail, capped, not-applicable
    reason: str
    source: str


@dataclass
class EsmsVerdict:
    finess: str
    name: str
    og: str
    category: str
    medicalised: bool
    software: str
    version: str
    operation: str
    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    eligible: bool = True
    funded: bool = False
    amount: int = 0
    reasons: list[str] = field(default_factory=list)


@dataclass
class ProjectReport:
    project: str
    region: str
    rules: str
    file: str
    bundles: list[BundleEvidence] = field(default_factory=list)
    esms: list[EsmsVerdict] = field(default_factory=list)
    rule_verdicts: list[RuleVerdict] = field(default_factory=list)
    attestations: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    breakdown: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Every rule holds (a cap is not a failure) and every ESMS listed is funded."""
        return all(r.verdict != "fail" for r in self.rule_verdicts) and all(e.funded for e in self.esms)

    def as_dict(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "region": self.region,
            "rules": self.rules,
            "file": self.file,
            "ok": self.ok,
            "fundable_total_eur": self.total,
            "breakdown_eur": self.breakdown,
            "rules_verdicts": [r.__dict__ for r in self.rule_verdicts],
            "esms": [e.__dict__ for e in self.esms],
            "attestations": self.attestations,
            "bundles": [
                {"path": b.path, "valid": b.valid, "partial": b.partial, "dui": b.dui, "problems": b.problems[:20]}
                for b in self.bundles
            ],
        }


#: the non-medicalised socle rule, with the evidence it accepts for "e-parcours" (issue 16): the regional
#: e-parcours platforms' APIs are not standardised and no simulator plays one
NON_MEDICALISED_FR = (
    "ESMS non médicalisés : MSSanté et e-parcours régional. Preuve acceptée pour e-parcours : "
    "le service EPARCOURS conforme, c.-à-d. le transfert de données DUI (TDDUI flux 1) vers un SI "
    "tiers consommateur simulé ; la plateforme e-parcours régionale elle-même n'est pas simulée "
    "(hypothèse documentée)"
)
NON_MEDICALISED_EN = (
    "Non-medicalised ESMS: MSSanté and regional e-parcours. Evidence accepted for e-parcours: a "
    "conformant EPARCOURS service, i.e. the DUI data transfer (TDDUI flux 1) to a simulated "
    "third-party IS consumer; the regional e-parcours platform itself is not simulated (documented "
    "assumption)"
)


def _socle_services(rules: Rules) -> list[str]:
    services: list[str] = []
    for rule in rules.data["socle"].values():
        services += rule.get("all_of", []) + rule.get("among", [])
    return list(dict.fromkeys(services))


def _service_for(
    bundles: list[BundleEvidence], software: str, version: str, service: str, target: str
) -> dict[str, Any]:
    of_dui = [b for b in bundles if b.valid and b.dui.get("name") == software and b.dui.get("version") == version]
    mine = [b for b in of_dui if not b.partial]  # a partial run proves nothing about what it did not run
    if not mine:
        partial = [b for b in of_dui if b.partial]
        if partial:
            return {
                "status": NOT_EVIDENCED,
                "bundle": partial[0].path,
                "why": f"only partial evidence bundle(s) of {software} {version} (exécution partielle / "
                f"partial run: {'; '.join(partial[0].partial)[:300]}): never counted as conformant",
            }
        return {"status": NOT_EVIDENCED, "why": f"no valid evidence bundle of {software} {version}"}
    results = [(b, *b.service_status(service, target)) for b in mine]
    failing = [(b, ids) for b, status, ids in results if status == NOT_CONFORMANT]
    if failing:
        bundle, ids = failing[0]
        return {
            "status": NOT_CONFORMANT,
            "why": f"MUST requirement(s) not passed: {', '.join(ids)}",
            "bundle": bundle.path,
        }
    passing = [b for b, status, _ in results if status == CONFORMANT]
    if passing:
        return {"status": CONFORMANT, "why": "every applicable MUST requirement passes", "bundle": passing[0].path}
    return {"status": NOT_EVIDENCED, "why": f"no bundle of {software} {version} covers this service"}


def _socle_ok(rule: dict[str, Any], services: dict[str, dict[str, Any]]) -> tuple[bool, str]:
    ok_services = [s for s, v in services.items() if v["status"] == CONFORMANT]
    if "all_of" in rule:
        missing = [s for s in rule["all_of"] if s not in ok_services]
        return not missing, (f"missing conformant service(s): {', '.join(missing)}" if missing else "")
    have = [s for s in rule["among"] if s in ok_services]
    needed = int(rule["min_of"])
    return len(have) >= needed, (
        f"{len(have)} conformant service(s) among {', '.join(rule['among'])}"
        f" ({', '.join(have) or 'none'}); {needed} needed"
        if len(have) < needed
        else ""
    )


def check_project(
    project: Project,
    rules: Rules,
    *,
    trusted_keys: list[Path] | None = None,
    profiles_root: Path | None = None,
    extra_bundles: list[Path] | None = None,
) -> ProjectReport:
    """Verify the project's bundles and apply ``rules``."""
    report = ProjectReport(project.name, project.region, rules.label, str(project.path))
    common = load_trust_anchors(list(trusted_keys or []))
    entries = project.bundle_entries() + [(p, None) for p in extra_bundles or []]
    for path, key in entries:
        anchors = common + (load_trust_anchors([key]) if key is not None else [])
        report.bundles.append(BundleEvidence.from_report(verify_file(path, anchors, profiles_root=profiles_root)))
    _evaluate_esms(report, project, rules)
    _project_rules(report, project, rules)
    _funding(report, project, rules)
    return report


def _evaluate_esms(report: ProjectReport, project: Project, rules: Rules) -> None:
    services = _socle_services(rules)
    socle = rules.data["socle"]
    for og in project.data["organismes_gestionnaires"]:
        for item in og["esms"]:
            dui = item["dui"]
            target = "medicalised" if item["medicalised"] else "non-medicalised"
            verdict = EsmsVerdict(
                item["finess"],
                item["name"],
                og["name"],
                item["category"],
                item["medicalised"],
                dui["software"],
                dui["version"],
                dui["operation"],
            )
            verdict.services = {
                s: _service_for(report.bundles, dui["software"], dui["version"], s, target) for s in services
            }
            for scope in ("all", target):
                ok, why = _socle_ok(socle[scope], verdict.services)
                if not ok:
                    verdict.eligible = False
                    verdict.reasons.append(f"socle ({scope}): {why}")
            report.esms.append(verdict)


def _grouping(project: Project, rules: Rules) -> RuleVerdict:
    grouping = rules.data["grouping"]
    reduced = project.region in grouping["reduced"]["regions"]
    threshold = grouping["reduced"]["og_threshold"] if reduced else grouping["og_threshold"]
    minimum = grouping["reduced"]["min_structures_in_group"] if reduced else grouping["min_structures_in_group"]
    ogs = project.data["organismes_gestionnaires"]
    sizes = {og["name"]: og.get("structures_total", len(og["esms"])) for og in ogs}
    small = [name for name, size in sizes.items() if size < threshold]
    structures = len({e["finess"] for og in ogs for e in og["esms"]})
    where = f" (seuil réduit / reduced threshold: {project.region})" if reduced else ""
    title = (f"Regroupement des OG de moins de {threshold} structures", f"Grouping of OG under {threshold} structures")
    source = rules.source(grouping["source"])
    if not small:
        return RuleVerdict(
            "grouping",
            *title,
            "not-applicable",
            f"every OG has {threshold} structures or more{where}: no grouping needed",
            source,
        )
    needed_og = grouping["min_og_in_group"]
    if len(ogs) >= needed_og and structures >= minimum:
        return RuleVerdict(
            "grouping",
            *title,
            "pass",
            f"{len(small)} OG under {threshold}{where}; the project "
            f"groups {len(ogs)} OG and {structures} structures (≥ {needed_og} OG, ≥ {minimum})",
            source,
        )
    return RuleVerdict(
        "grouping",
        *title,
        "fail",
        f"OG under {threshold} structures{where}: {', '.join(small)}; "
        f"the project groups {len(ogs)} OG and {structures} structures, ≥ {needed_og} OG and "
        f"≥ {minimum} structures are needed",
        source,
    )


def _project_rules(report: ProjectReport, project: Project, rules: Rules) -> None:
    report.rule_verdicts.append(_grouping(project, rules))
    invalid = [b for b in report.bundles if not b.valid]
    report.rule_verdicts.append(
        RuleVerdict(
            "evidence",
            "Dossiers de preuves vérifiés",
            "Evidence bundles verified",
            "fail" if invalid or not report.bundles else "pass",
            "; ".join(f"{b.path}: {b.problems[0] if b.problems else 'invalid'}" for b in invalid)
            or ("no evidence bundle listed" if not report.bundles else f"{len(report.bundles)} bundle(s) valid"),
            "dui-harness verify",
        )
    )
    declared = project.data.get("attestations", {})
    missing = []
    for item in rules.data["attestations"]:
        entry = declared.get(item["id"]) or {}
        state = "declared" if entry.get("declared") else "not declared"
        if state != "declared":
            missing.append(item["id"])
        report.attestations.append(
            {
                "id": item["id"],
                "title_fr": item["title_fr"],
                "title_en": item["title_en"],
                "status": state,
                "by": entry.get("by", ""),
                "date": entry.get("date", ""),
                "note": entry.get("note", ""),
                "verification": "attestation (not tested)",
            }
        )
    report.rule_verdicts.append(
        RuleVerdict(
            "attestations",
            "Attestations déclarées (non testées)",
            "Attestations declared (not tested)",
            "fail" if missing else "pass",
            f"not declared: {', '.join(missing)}"
            if missing
            else "every attestation is declared by the project (shown as declared, not tested)",
            rules.label,
        )
    )
    for scope, (fr, en) in {
        "all": ("Socle pour tous : INS", "Socle for all: INS"),
        "medicalised": (
            "ESMS médicalisés : 2 services socles parmi MSSanté, DMP, e-prescription",
            "Medicalised ESMS: 2 socle services among MSSanté, DMP, e-prescription",
        ),
        "non-medicalised": (NON_MEDICALISED_FR, NON_MEDICALISED_EN),
    }.items():
        concerned = [e for e in report.esms if scope == "all" or e.medicalised == (scope == "medicalised")]
        failing = [e for e in concerned if any(r.startswith(f"socle ({scope})") for r in e.reasons)]
        verdict = "not-applicable" if not concerned else ("fail" if failing else "pass")
        reason = (
            "; ".join(
                f"{e.finess} {e.name}: " + next(r for r in e.reasons if r.startswith(f"socle ({scope})"))
                for e in failing
            )
            or f"{len(concerned)} ESMS concerned, all conformant"
        )
        report.rule_verdicts.append(
            RuleVerdict(f"socle-{scope}", fr, en, verdict, reason, rules.source(rules.data["socle"][scope]["source"]))
        )


def _funding(report: ProjectReport, project: Project, rules: Rules) -> None:
    funding, cap = rules.data["funding"], int(rules.data["max_structures_funded"])
    project_blocked = [r for r in report.rule_verdicts if r.id in ("grouping", "attestations") and r.verdict == "fail"]
    earlier = {(f["finess"], f["software"]) for f in project.data.get("already_funded", [])}
    earlier_any = {f["finess"]: f["software"] for f in project.data.get("already_funded", [])}
    seen: dict[str, str] = {}
    refused = []
    sizes = {og["name"]: og.get("structures_total", len(og["esms"])) for og in project.data["organismes_gestionnaires"]}
    for esms in report.esms:
        if (esms.finess, esms.software) in earlier:
            esms.reasons.append(f"already funded for {esms.software} (declared in already_funded)")
        elif esms.finess in earlier_any:
            esms.reasons.append(f"already funded for another DUI ({earlier_any[esms.finess]})")
        elif esms.finess in seen:
            esms.reasons.append(f"listed twice in the project (also with {seen[esms.finess]})")
        else:
            seen[esms.finess] = f"{esms.software} {esms.version}"
            continue
        esms.eligible = False
        refused.append(esms.finess)
    report.rule_verdicts.append(
        RuleVerdict(
            "funded-once",
            "Un ESMS n'est financé qu'une fois (même logiciel, ou deux DUI)",
            "An ESMS is funded once (same software, or two DUIs)",
            "fail" if refused else "pass",
            f"refused: {', '.join(refused)}" if refused else "no ESMS funded twice",
            rules.label,
        )
    )
    for r in project_blocked:
        for esms in report.esms:
            esms.reasons.append(f"project rule {r.id} fails")
            esms.eligible = False
    funded = 0
    breakdown = {"acquisition": 0, "upgrade": 0, "equipment": 0}
    for esms in report.esms:
        if not esms.eligible:
            continue
        if funded >= cap:
            esms.reasons.append(f"eligible, not funded: at most {cap} structures are funded per project")
            continue
        funded += 1
        esms.funded = True
        base = int(funding[esms.operation])
        equipment = int(funding["equipment_small_og"]) if sizes[esms.og] < int(funding["equipment_og_threshold"]) else 0
        esms.amount = base + equipment
        breakdown[esms.operation] += base
        breakdown["equipment"] += equipment
    eligible = sum(1 for e in report.esms if e.eligible)
    report.rule_verdicts.append(
        RuleVerdict(
            "max-structures",
            f"Au plus {cap} structures financées par projet",
            f"At most {cap} structures funded per project",
            "capped" if eligible > cap else "pass",
            f"{eligible} eligible, {funded} funded" + (f" (cap {cap})" if eligible > cap else ""),
            rules.source(rules.data["max_structures_source"]),
        )
    )
    report.breakdown = breakdown
    report.total = sum(breakdown.values())
