"""`taskbot run` with no token: migrates a fresh SQLite file, loads the sample plan once, chats."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(tmp_path: Path, script: str) -> str:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TASKBOT_")} | {
        "TASKBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'taskbot.db'}"
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        input=script,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=True,
    )
    return done.stdout


def test_make_run_path_on_a_fresh_machine(tmp_path: Path) -> None:
    out = _run(tmp_path, "/as GD-SKHCN\n/status\n/quit\n")
    assert "Bạn đang là" in out
    assert "Tình hình thực hiện nhiệm vụ của Sở Khoa học và Công nghệ" in out
    assert "Tỷ lệ hoàn thành" in out and "Trung tâm Chuyển đổi số tỉnh" in out
    assert (tmp_path / "out").is_dir()  # the chart, saved where the console says
    assert "Tạm biệt." in out
    # A second start finds the plan already there and does not import it again.
    again = _run(tmp_path, "/as CB-SKHCN-1\n/tasks\n/quit\n")
    assert "Nguyễn Thị Hồng Nhung" in again and "386.II.1.b" in again
    with sqlite3.connect(tmp_path / "taskbot.db") as connection:
        plans, tasks = connection.execute(
            "SELECT (SELECT count(*) FROM plan), (SELECT count(*) FROM task)"
        ).fetchone()
        imports = connection.execute(
            "SELECT count(*) FROM audit_event WHERE action = 'plan.import'"
        ).fetchone()[0]
    assert (plans, tasks, imports) == (1, 30, 1)
