"""``dui-harness check-project``: an ESMS numérique funding project checked against the programme rules.

The rules are data (``profiles/esms-numerique/<version>/rules.yaml``); the project file lists
the organismes gestionnaires, their ESMS, the DUI each uses and the evidence bundles. Each
bundle is verified; a socle service counts for an ESMS only when a valid bundle of its DUI
(software and version) shows every applicable MUST requirement of that service passing.
"""

from harness.evidence.project.check import ProjectReport, check_project
from harness.evidence.project.model import Project, Rules, load_project, load_rules

__all__ = ["Project", "ProjectReport", "Rules", "check_project", "load_project", "load_rules"]
