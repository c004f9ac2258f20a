"""How the harness makes a DUI act: one driver interface, one part per service, one implementation per mode.

* ``trigger``: the DUI implements the trigger API (``openapi/trigger-api.yaml``) in its test
  mode; the harness calls it over HTTP (:mod:`harness.sut.http_trigger`, one ``http_<service>``
  module per part) and validates every answer against the contract (:mod:`harness.sut.contract`).
* ``attended``: an operator performs each action in the DUI's own screens; the harness
  prints the instruction (French and English) and waits, with a timeout, for the expected
  exchange to reach the simulator (:mod:`harness.sut.attended`).
* ``artifact``: the editor hands over files (documents, messages); it serves the document
  checks of the DMP / MSSanté suites and has no INS scenario.

The parts (:mod:`harness.sut.parts`): core (info, reset, endpoints, indicators), INS, PSC,
MSSanté, e-parcours, e-prescription, DMP, HL7 v2 identity feeds, SI-SdO orientation decisions.
"""

from __future__ import annotations

from harness.sut.model import IdentityDocument, SutInfo, traits_payload
from harness.sut.parts.core import CoreDriver
from harness.sut.parts.dmp import DmpDriver
from harness.sut.parts.dmp_auto import DmpAutoDriver
from harness.sut.parts.dmp_consent import DmpConsentDriver
from harness.sut.parts.dmp_history import DmpHistoryDriver
from harness.sut.parts.doc import DocDriver
from harness.sut.parts.eparcours import EparcoursDriver
from harness.sut.parts.epresc import EprescDriver
from harness.sut.parts.hl7v2 import Hl7v2Driver
from harness.sut.parts.ins import InsDriver, InsLifecycleDriver
from harness.sut.parts.ins_rules import InsRulesDriver
from harness.sut.parts.mss import MssDriver
from harness.sut.parts.mss_lps import MssLpsDriver
from harness.sut.parts.psc import PscDriver
from harness.sut.parts.sdo import SdoDriver

__all__ = ["IdentityDocument", "SutDriver", "SutInfo", "traits_payload"]


class SutDriver(
    CoreDriver,
    InsDriver,
    InsLifecycleDriver,
    InsRulesDriver,
    PscDriver,
    MssDriver,
    MssLpsDriver,
    EparcoursDriver,
    EprescDriver,
    DmpDriver,
    DocDriver,
    Hl7v2Driver,
    DmpAutoDriver,
    DmpConsentDriver,
    DmpHistoryDriver,
    SdoDriver,
):
    """What a conformance test may ask of the DUI under test: the union of the service parts.

    Every method returns the trigger API's JSON objects (see the OpenAPI contract), or
    raises :class:`harness.errors.SutUnreachable` when the DUI does not answer.
    """
