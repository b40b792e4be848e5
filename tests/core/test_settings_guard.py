"""With debug off, the server refuses to start on the default secret key."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = "import mekong.wsgi"


def _run(env_overrides: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEKONG_")}
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "mekong.settings"
    return subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=60
    )


def test_wsgi_refuses_default_secret_key_without_debug(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = _run({"MEKONG_DEBUG": "0", "MEKONG_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "MEKONG_SECRET_KEY is not set" in result.stderr


def test_wsgi_starts_with_a_real_secret_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = _run(
        {"MEKONG_DEBUG": "0", "MEKONG_SECRET_KEY": "x" * 50, "MEKONG_VAR_DIR": str(tmp_path)}
    )
    assert result.returncode == 0, result.stderr


def test_malformed_boolean_names_the_variable(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = _run({"MEKONG_DEBUG": "maybe", "MEKONG_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "MEKONG_DEBUG" in result.stderr
