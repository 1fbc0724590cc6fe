"""The bundle's entry point: what the ``sodesk`` console script runs (desktop_app.cli:main).

No arguments: the window; with arguments: the commands (``sodesk check``, ``sodesk print …``).
"""

import sys

from desktop_app.cli import main

if __name__ == "__main__":
    sys.exit(main())
