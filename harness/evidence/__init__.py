"""Evidence for reviewers and ARS: signed bundles, offline verification, project checks, usage, run diffs.

Layer: above ``harness.core`` (which never imports it), below ``harness.cli``; it reads what a
run wrote under ``reports/`` and never imports pytest, the plugin, the simulators or the DUI.

* :mod:`~harness.evidence.bundle`: ``dui-harness bundle`` (also at the end of ``run``);
* :mod:`~harness.evidence.verify`: ``dui-harness verify``;
* :mod:`~harness.evidence.signing`: keys and the manifest signature (``dui-harness keys``);
* :mod:`~harness.evidence.matrix_html`: the static conformity matrix;
* :mod:`~harness.evidence.history`: Allure history across runs (``run --history``);
* :mod:`~harness.evidence.usage`: usage indicators (``dui-harness usage``);
* :mod:`~harness.evidence.diff`: ``dui-harness diff``;
* :mod:`~harness.evidence.project`: ``dui-harness check-project`` (ESMS numérique rules).
"""
