"""The embedded PostgreSQL starts whatever an interrupted earlier run left behind."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsportal.embedded_db import PID_LIST_NAME, _repair_pid_list

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("left_behind", ["", "[12, 3", "{}", "null"])
def test_an_unreadable_process_list_is_reset(tmp_path, left_behind):
    path = tmp_path / PID_LIST_NAME
    path.write_text(left_behind)

    _repair_pid_list(path)

    assert json.loads(path.read_text()) == []


def test_a_good_process_list_is_left_alone(tmp_path):
    path = tmp_path / PID_LIST_NAME
    path.write_text("[41, 42]")

    _repair_pid_list(path)

    assert json.loads(path.read_text()) == [41, 42]


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="the suite runs on DATABASE_URL, not on the embedded PostgreSQL under .data/",
)
def test_manage_py_starts_after_a_run_killed_while_writing_the_process_list():
    path = ROOT / ".data" / "postgres" / PID_LIST_NAME
    path.write_text("")  # what a kill between truncate and write leaves

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert isinstance(json.loads(path.read_text()), list)
