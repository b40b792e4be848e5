"""``python -m mekong.measure``: the same as ``mekong measure``."""

from __future__ import annotations

from mekong.measure.cli import main

raise SystemExit(main())
