"""`python -m daostui` runs the same entry point as the console script."""

from daostui.cli import main

raise SystemExit(main())
