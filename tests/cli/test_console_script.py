"""The installed `tracker` command wraps Flask's CLI for this app."""

import subprocess
import sys
from pathlib import Path

TRACKER = Path(sys.executable).with_name("tracker")


def test_help_lists_flask_and_project_commands(tmp_path):
    result = subprocess.run(
        [TRACKER, "--help"], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    for command in ("run", "db", "users", "demo-data", "setup", "shell"):
        assert f"  {command}" in result.stdout


def test_setup_from_a_fresh_instance_folder(tmp_path):
    env = {"TRACKER_INSTANCE_PATH": str(tmp_path / "instance"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [TRACKER, "setup"], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "instance" / "tracker.sqlite").exists()
    listed = subprocess.run(
        [TRACKER, "users", "list"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=True,
    )
    assert listed.stdout.split()[:3] == ["admin", "admin", "active"]
