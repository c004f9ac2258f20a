"""``python -m harness``: the same as the ``dui-harness`` command."""

import sys

from harness.cli import main

sys.exit(main())
