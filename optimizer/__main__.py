"""``python -m optimizer`` is the same as ``ore-optimizer``."""

from optimizer.cli import main

raise SystemExit(main())
