"""``python -m optimizer`` is the same as ``ore-optimizer``."""

from optimizer.cli.app import main

raise SystemExit(main())
