"""``python -m harness``: the same as the ``dui-harness`` command."""

import sys

try:
    from harness.cli import main
except KeyboardInterrupt:  # Ctrl-C while Python imports the command: one line, nothing touched
    sys.stderr.write("dui-harness: interrompu / interrupted\n")
    sys.exit(130)

sys.exit(main())
