"""``python -m treelearn``: the command line."""

import sys

from treelearn.cli import main

sys.exit(main())
