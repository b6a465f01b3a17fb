"""``python -m pathgrad``: the same as the ``pathgrad`` command."""

import sys

from .cli import main

sys.exit(main())
