"""Conformance suites shipped inside the package: ``dui-harness run`` executes them."""
