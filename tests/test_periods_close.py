"""`taskbot period close|reopen|list`: closing a period, audited, per plan or for all."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from typer.testing import CliRunner

from reminders.calendar import TaskPeriodState, task_period_state
from storage.closing import close_period, closed_periods, is_closed
from storage.db import Database
from storage.models import AuditEvent, Plan
from tests.cli import taskbot


async def two_plans(db: Database) -> dict[str, int]:
    async with db.session() as s:
        plans = [Plan(code="386", title="Kế hoạch 386"), Plan(code="57", title="Kế hoạch 57")]
        s.add_all(plans)
        await s.flush()
        return {plan.code: plan.id for plan in plans if plan.id is not None}


async def test_close_one_plan_then_all_then_reopen(db: Database, cli_env: CliRunner) -> None:
    plans = await two_plans(db)
    out = await taskbot(cli_env, "period", "close", "2026-10", "--plan", "386")
    assert "Đã đóng kỳ 2026-10 cho: 386." in out
    async with db.session() as s:
        assert await is_closed(s, plans["386"], "2026-10")
        assert not await is_closed(s, plans["57"], "2026-10")
    assert "cho: 57." in await taskbot(cli_env, "period", "close", "2026-10")
    assert "đã được đóng" in await taskbot(cli_env, "period", "close", "2026-10")
    await taskbot(cli_env, "period", "close", "2026-Q3")
    listing = await taskbot(cli_env, "period", "list")
    assert listing.count("2026-10") == 2 and "2026-Q3" in listing and "cli" in listing
    assert "mở lại" in await taskbot(cli_env, "period", "reopen", "2026-Q3", "--plan", "57")
    async with db.session() as s:
        assert await closed_periods(s, plans["57"]) == {"2026-10"}
        assert await closed_periods(s, plans["386"]) == {"2026-10", "2026-Q3"}
        audit = (await s.exec(select(AuditEvent.action, AuditEvent.entity_id))).all()
    assert sorted(audit) == sorted(
        [
            ("period.close", "386"),
            ("period.close", "57"),
            ("period.close", "386"),
            ("period.close", "57"),
            ("period.reopen", "57"),
        ]
    )


async def test_bad_or_future_periods_are_refused(db: Database, cli_env: CliRunner) -> None:
    await two_plans(db)
    assert "2025-Q2" in await taskbot(cli_env, "period", "close", "2025-13", code=2)
    future = f"{datetime.now(UTC).year + 1}-01"
    assert "chưa bắt đầu" in await taskbot(cli_env, "period", "close", future, code=2)
    await taskbot(cli_env, "period", "close", "2026-10", "--plan", "NOPE", code=1)
    await taskbot(cli_env, "period", "reopen", "2026-10", code=1)
    assert "Chưa có kỳ" in await taskbot(cli_env, "period", "list")


async def test_an_unreported_task_period_is_missed_once_closed(db: Database) -> None:
    plans = await two_plans(db)
    deadline, today = date(2026, 10, 20), date(2026, 11, 5)
    async with db.session() as s:
        closed = await is_closed(s, plans["386"], "2026-10")
    assert task_period_state(None, deadline, closed, today) is TaskPeriodState.overdue
    async with db.session() as s:
        plan = await s.get(Plan, plans["386"])
        assert plan is not None
        await close_period(s, [plan], "2026-10", actor="test", now=datetime.now(UTC))
    async with db.session() as s:
        closed = await is_closed(s, plans["386"], "2026-10")
    assert task_period_state(None, deadline, closed, today) is TaskPeriodState.missed
