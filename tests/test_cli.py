"""The `mekong` console command wraps Django's management commands."""

from __future__ import annotations

import os
import subprocess
import sys


def test_mekong_command_lists_platform_commands() -> None:
    env = {**os.environ, "MEKONG_DEBUG": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mekong", "help"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "[demo]" in result.stdout
    assert "token" in result.stdout
