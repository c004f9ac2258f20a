"""INSi request headers: ctxlps:ContexteLPS (INS-INSI-02), ctxbam:ContexteBAM and wsa:MessageID
(INS-INSI-03).

Sources: DESIR_ICIR_EXP_1.5.0.wsdl (message parts NO1_ContexteLPS, NO1_ContexteBAM,
NO1_MessageID), ROOT_ctxlps_CTXLPS_V01_00.xsd, ROOT_ctxbam_CTXBAM_V01_02.xsd, the example
request of padoa/tlsi-ins and french-specs §1.5. Used by
:func:`harness.validators.insi_request.check_insi_request`.
"""

from __future__ import annotations

import re

from lxml import etree

from harness.core.findings import Severity
from harness.core.rules import rule
from harness.validators.insi_rules import (
    CTXBAM_NS,
    CTXLPS_NS,
    WSA_NS,
    Collector,
    SequenceChecker,
    check_datetime,
    split_tag,
    text_of,
)

__all__ = ["check_ctxbam", "check_ctxlps", "check_message_id", "header_blocks"]

WARNING = Severity.WARNING
H = "/soap:Envelope/soap:Header"
MESSAGE_ID = re.compile(r"^uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
LPS_NOM = re.compile(r"^urn:lps:([^:\s]+):(\S+)$")


def header_blocks(check: Collector, blocks: list[etree._Element]) -> dict[str, etree._Element]:
    """The INSi header blocks by local name; a wrong namespace or a repeat is a finding."""
    wanted = {
        "ContexteLPS": (CTXLPS_NS, "ctxlps", "INS-INSI-02"),
        "ContexteBAM": (CTXBAM_NS, "ctxbam", "INS-INSI-03"),
        "MessageID": (WSA_NS, "wsa.message_id", "INS-INSI-03"),
    }
    found: dict[str, etree._Element] = {}
    for block in blocks:
        block_ns, local = split_tag(block.tag)
        if local not in wanted:
            continue
        namespace, rule, requirement = wanted[local]
        if block_ns != namespace:
            check.add(
                f"insi.{rule}.namespace",
                requirement,
                f"header {local} is in namespace {block_ns or '(none)'!r}, not {namespace!r}",
                f"{H}/{local}",
            )
        elif local in found:
            check.add(f"insi.{rule}.duplicate", requirement, f"header {local} is sent twice", f"{H}/{local}")
        else:
            found[local] = block
    return found


@rule("insi.ctxlps", requirement="INS-INSI-02", summary="ContexteLPS header present and complete (IDAM, version, name)")
def check_ctxlps(check: Collector, ctx: etree._Element | None) -> None:
    """INS-INSI-02: ContexteLPS (Nature=CTXLPS, Version=01_00, Id, Temps, LPS{IDAM R=4, …})."""
    loc, req = f"{H}/ctxlps:ContexteLPS", "INS-INSI-02"
    if ctx is None:
        check.add(
            "insi.ctxlps.missing",
            req,
            "no ctxlps:ContexteLPS header (urn:siram:lps:ctxlps): it identifies the software "
            "(IDAM, version, instance, name) and is required on each INSi call",
            H,
        )
        return
    lps = check.report.lps
    lps.update(nature=ctx.get("Nature"), version=ctx.get("Version"))
    if lps["nature"] != "CTXLPS":
        check.add(
            "insi.ctxlps.nature", req, f"attribute Nature is {lps['nature']!r}; it must be 'CTXLPS'", f"{loc}/@Nature"
        )
    if lps["version"] != "01_00":
        check.add(
            "insi.ctxlps.version",
            req,
            f"attribute Version is {lps['version']!r}; it must be '01_00'",
            f"{loc}/@Version",
        )
    seq = SequenceChecker(check.add, req, "insi.ctxlps", CTXLPS_NS, "ctxlps")
    kids = seq.run(ctx, loc, (("Id", False), ("Temps", False), ("Emetteur", False), ("LPS", False)))
    lps["id"], lps["temps"], lps["emetteur"] = text_of(kids, "Id"), text_of(kids, "Temps"), text_of(kids, "Emetteur")
    if not lps["id"]:
        check.add(
            "insi.ctxlps.id", req, "ctxlps:Id is missing or empty (a unique id of the context)", f"{loc}/ctxlps:Id"
        )
    check_datetime(check.add, req, "insi.ctxlps.temps", lps["temps"], f"{loc}/ctxlps:Temps", "ctxlps:Temps")
    if not kids["LPS"]:
        check.add(
            "insi.ctxlps.lps.missing",
            req,
            "ctxlps:LPS is missing: it carries IDAM, Version, Instance and Nom of the software",
            f"{loc}/ctxlps:LPS",
        )
        return
    loc = f"{loc}/ctxlps:LPS"
    sub = seq.run(kids["LPS"][0], loc, (("IDAM", False), ("Version", False), ("Instance", False), ("Nom", False)))
    lps["idam"] = text_of(sub, "IDAM")
    lps["idam_r"] = sub["IDAM"][0].get("R") if sub["IDAM"] else None
    lps["lps_version"], lps["instance"], lps["nom"] = (
        text_of(sub, "Version"),
        text_of(sub, "Instance"),
        text_of(sub, "Nom"),
    )
    if not lps["idam"]:
        check.add(
            "insi.ctxlps.idam.missing",
            req,
            "ctxlps:IDAM is missing or empty: it must carry the software's authorisation number "
            "(numéro d'autorisation CNDA)",
            f"{loc}/ctxlps:IDAM",
        )
    elif lps["idam_r"] != "4":
        check.add(
            "insi.ctxlps.idam.r", req, f'ctxlps:IDAM has R={lps["idam_r"]!r}; it must be R="4"', f"{loc}/ctxlps:IDAM/@R"
        )
    for name, what in (("Version", "software version"), ("Instance", "instance id (a UUID of the installation)")):
        if not text_of(sub, name):
            check.add(
                f"insi.ctxlps.lps.{name.lower()}",
                req,
                f"ctxlps:{name} ({what}) is missing or empty",
                f"{loc}/ctxlps:{name}",
            )
    match = LPS_NOM.match(lps["nom"] or "")
    if match is None:
        check.add(
            "insi.ctxlps.lps.nom",
            req,
            f"ctxlps:Nom is {lps['nom']!r}; it must read urn:lps:<software name>:<software version>",
            f"{loc}/ctxlps:Nom",
        )
    elif lps["lps_version"] and match.group(2) != lps["lps_version"]:
        check.add(
            "insi.ctxlps.lps.nom_version",
            req,
            f"the version in ctxlps:Nom ({match.group(2)!r}) differs from ctxlps:Version ({lps['lps_version']!r})",
            f"{loc}/ctxlps:Nom",
            WARNING,
        )


@rule("insi.ctxbam", requirement="INS-INSI-03", summary="ContexteBAM header present and complete")
def check_ctxbam(check: Collector, ctx: etree._Element | None) -> None:
    """INS-INSI-03: ContexteBAM (Version attribute, Id, Temps, COUVERTURE) per CTXBAM V01_02."""
    loc, req = f"{H}/ctxbam:ContexteBAM", "INS-INSI-03"
    if ctx is None:
        check.add(
            "insi.ctxbam.missing",
            req,
            "no ctxbam:ContexteBAM header (urn:siram:bam:ctxbam); "
            "INSi requires it, with an empty COUVERTURE when no Vitale card is read",
            H,
        )
        return
    bam = check.report.bam
    bam["version"] = ctx.get("Version")
    if not bam["version"]:
        check.add(
            "insi.ctxbam.version",
            req,
            "attribute Version of ctxbam:ContexteBAM is required ('01_02')",
            f"{loc}/@Version",
        )
    elif bam["version"] != "01_02":
        check.add(
            "insi.ctxbam.version",
            req,
            f"attribute Version is {bam['version']!r}; the WSDL's schema is CTXBAM V01_02 ('01_02')",
            f"{loc}/@Version",
            WARNING,
        )
    if ctx.get("Nature") not in (None, "CTXBAM"):
        check.add(
            "insi.ctxbam.nature",
            req,
            f"attribute Nature is {ctx.get('Nature')!r}; it must be 'CTXBAM'",
            f"{loc}/@Nature",
        )
    seq = SequenceChecker(check.add, req, "insi.ctxbam", CTXBAM_NS, "ctxbam")
    kids = seq.run(
        ctx, loc, (("Id", False), ("Temps", False), ("Emetteur", False), ("DateRef", False), ("COUVERTURE", False))
    )
    bam["id"], bam["temps"] = text_of(kids, "Id"), text_of(kids, "Temps")
    if not bam["id"]:
        check.add("insi.ctxbam.id", req, "ctxbam:Id is missing or empty", f"{loc}/ctxbam:Id")
    check_datetime(check.add, req, "insi.ctxbam.temps", bam["temps"], f"{loc}/ctxbam:Temps", "ctxbam:Temps")
    if not kids["COUVERTURE"]:
        check.add(
            "insi.ctxbam.couverture",
            req,
            "ctxbam:COUVERTURE is missing (send it empty when no Vitale card is read)",
            f"{loc}/ctxbam:COUVERTURE",
        )


@rule("insi.wsa.message_id", requirement="INS-INSI-03", summary="WS-Addressing MessageID present, a uuid: URN")
def check_message_id(check: Collector, element: etree._Element | None) -> None:
    """INS-INSI-03: wsa:MessageID present and ``uuid:<uuid>``."""
    loc = f"{H}/wsa:MessageID"
    if element is None:
        check.add(
            "insi.wsa.message_id.missing",
            "INS-INSI-03",
            "no wsa:MessageID header; each INSi request carries a unique uuid:<uuid>",
            loc,
        )
        return
    value = (element.text or "").strip()
    check.report.message_id = value
    if not MESSAGE_ID.match(value):
        check.add(
            "insi.wsa.message_id.format",
            "INS-INSI-03",
            f"wsa:MessageID is {value!r}; it must read uuid:<RFC 4122 UUID>",
            loc,
        )
