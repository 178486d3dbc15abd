"""`python -m desktop`: the same as the `pillars` command."""

import sys

from desktop.cli import main

sys.exit(main())
