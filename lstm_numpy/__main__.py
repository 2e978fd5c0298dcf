"""``python -m lstm_numpy COMMAND ...``: see ``python -m lstm_numpy --help``."""
import sys

from .commands import main

sys.exit(main())
