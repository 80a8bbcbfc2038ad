"""`taskbot calendar show|set|unset`: per-plan overrides, validated before they are stored."""

from __future__ import annotations

from sqlalchemy import select
from typer.testing import CliRunner

from reminders.calendar import CalendarConfig
from storage.db import Database
from storage.models import AuditEvent, Plan
from tests.cli import taskbot


async def test_set_show_unset(db: Database, cli_env: CliRunner) -> None:
    async with db.session() as s:
        s.add(Plan(code="386", title="Kế hoạch 386"))
    out = await taskbot(
        cli_env, "calendar", "set", "386", "monthly_due_day=5", "due_month_offset=1",
        "reminder_offsets=-2,0", "send_time=7h30",
    )  # fmt: skip
    assert '"monthly_due_day": 5' in out and '"reminder_offsets": "-2,0"' in out
    shown = await taskbot(cli_env, "calendar", "show", "--plan", "386", "--period", "2026-11")
    assert "07/12/2026" in shown  # due Saturday 05/12, deadline Monday
    assert "reminder -2: 07:30 03/12/2026" in shown and "escalation +3: 07:30 10/12/2026" in shown
    bad = await taskbot(cli_env, "calendar", "set", "386", "send_time=22:00", code=2)
    assert "quiet" in bad
    await taskbot(cli_env, "calendar", "set", "386", "monthly_due=5", code=2)
    await taskbot(cli_env, "calendar", "set", "386", "oops", code=2)
    await taskbot(cli_env, "calendar", "set", "NOPE", "cutoff_day=10", code=1)
    await taskbot(cli_env, "calendar", "unset", "386", "reminder_offsets", "send_time")
    async with db.session() as s:
        plan = (await s.exec(select(Plan))).scalar_one()
        audit = (await s.exec(select(AuditEvent.action))).scalars().all()
    assert plan.calendar == {"monthly_due_day": 5, "due_month_offset": 1}
    assert CalendarConfig.from_plan(plan).reminder_offsets == (-3, 0)
    assert audit == ["plan.calendar", "plan.calendar"]
    defaults = await taskbot(cli_env, "calendar", "show")
    assert "20" in defaults and "mặc định" in defaults
