"""``python -m leaddesk``: the same entry point as the ``leaddesk`` command."""

import sys

from leaddesk.cli import main

sys.exit(main())
