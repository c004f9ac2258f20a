"""dui-harness: conformity and interoperability test bench for French DUI software."""

__version__ = "0.1.0"
