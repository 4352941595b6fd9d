"""``python -m autograd_tiny`` is the ``autograd-tiny`` command."""

import sys

from .cli import main

sys.exit(main())
