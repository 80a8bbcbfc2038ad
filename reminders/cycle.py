"""The office's view of one reporting cycle: per unit, reminders and reports for a period.

Reminders and digests are counted by the unit of the person they were sent to (a bundle is
filed under its most urgent period); tasks due and reports by the task's presiding unit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from reminders.calendar import load_calendar
from reminders.periods import Period
from reminders.planner import DIGEST, REMINDER
from storage.models import Officer, Outbox, OutboxStatus, Plan, Report, Task, Unit


@dataclass
class CycleRow:
    unit_code: str
    unit_name: str
    depth: int
    reminders: int = 0
    delivered: int = 0
    failed: int = 0
    tasks_due: int = 0
    reports: int = 0
    late: int = 0


async def cycle(session: AsyncSession, period: Period, today: date) -> list[CycleRow]:
    """One row per unit that has anything in `period`, in tree order."""
    units = (await session.exec(select(Unit).order_by(Unit.path))).scalars().all()
    rows = {unit.id: CycleRow(unit.code, unit.name, unit.path.count("/") - 2) for unit in units}
    sent = await session.exec(
        select(Officer.unit_id, Outbox.status, func.count())
        .join(Officer, col(Officer.id) == Outbox.officer_id)
        .where(col(Outbox.kind).in_((REMINDER, DIGEST)), Outbox.period == period.key)
        .group_by(Officer.unit_id, Outbox.status)
    )
    for unit_id, status, count in sent.all():
        row = rows[unit_id]
        row.reminders += count
        row.delivered += count if status == OutboxStatus.sent else 0
        row.failed += count if status == OutboxStatus.failed else 0
    reports = await session.exec(
        select(Task.presiding_unit_id, Report.on_time, func.count())
        .join(Task, col(Task.id) == Report.task_id)
        .where(Report.period == period.key)
        .group_by(Task.presiding_unit_id, Report.on_time)
    )
    for unit_id, on_time, count in reports.all():
        rows[unit_id].reports += count
        rows[unit_id].late += 0 if on_time else count
    for unit_id, count in (await _tasks_due(session, period, today)).items():
        rows[unit_id].tasks_due += count
    return [row for row in rows.values() if row.reminders or row.reports or row.tasks_due]


async def _tasks_due(session: AsyncSession, period: Period, today: date) -> dict[int, int]:
    """Active tasks that report on `period` under their plan's calendar, per presiding unit."""
    due: dict[int, int] = defaultdict(int)
    for plan in (await session.exec(select(Plan))).scalars().all():
        calendar = await load_calendar(session, plan, today)
        tasks = await session.exec(
            select(Task).where(
                Task.plan_id == plan.id,
                col(Task.active).is_(True),
                Task.start_date <= period.end,  # type: ignore[operator]
                Task.due_date >= period.start,  # type: ignore[operator]
            )
        )
        for task in tasks.scalars():
            if period in calendar.task_periods(task):
                due[task.presiding_unit_id] += 1
    return due
