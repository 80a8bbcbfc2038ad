"""Reports: whose tasks, what each task owes now, saving a report (with revisions) and its rules.

A report is one per task and period. The first submission inserts it; every later one before
the period is closed updates it in place, bumps `revision` and keeps a frozen copy of each
submitted version in `ReportRevision` (revision N has a row for every N up to the current one).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, select, tuple_
from sqlmodel.ext.asyncio.session import AsyncSession

from reminders.calendar import CalendarConfig, WorkingCalendar, load_calendar
from reminders.periods import Period, PeriodKind
from storage.leave import represented_by
from storage.models import (
    AuditEvent,
    ClosedPeriod,
    Indicator,
    IndicatorValue,
    Officer,
    Plan,
    Report,
    ReportRevision,
    ReportStatus,
    ReviewState,
    Task,
)


class PeriodClosed(Exception):
    """The office has closed this period for the task's plan: no more reports or revisions."""


@dataclass(frozen=True, slots=True)
class Owed:
    """A report a task owes: its period, the report already in (if any), the deadline.

    `current` marks the latest begun period of its kind; the others are overdue and unreported.
    """

    task: Task
    period: Period
    deadline: date
    report: Report | None
    current: bool = True


@dataclass(frozen=True, slots=True)
class ReportInput:
    """What the officer answered in the report dialog."""

    status: ReportStatus
    percent: int
    result: str
    obstacles: str | None = None
    proposals: str | None = None
    values: dict[int, float] = field(default_factory=dict)


# --- the reporting calendar and whose tasks ------------------------------------------------


class Calendars:
    """Each plan's working calendar, loaded once per unit of work (tasks may span plans)."""

    def __init__(self, session: AsyncSession, today: date) -> None:
        self.session = session
        self.today = today
        self._loaded: dict[int, WorkingCalendar] = {}

    async def of(self, task: Task) -> WorkingCalendar:
        if task.plan_id not in self._loaded:
            plan = await self.session.get(Plan, task.plan_id)
            self._loaded[task.plan_id] = await load_calendar(self.session, plan, self.today)
        return self._loaded[task.plan_id]


async def is_reportable(calendars: Calendars, task: Task, period: Period) -> bool:
    """A period of the task's calendar (cadence, start..due) that has already begun."""
    calendar = await calendars.of(task)
    return period.start <= calendars.today and period in calendar.task_periods(task)


async def my_tasks(session: AsyncSession, officer_id: int, today: date) -> list[Task]:
    """Active tasks assigned to the officer or to someone whose delegate they are today."""
    owners = [officer_id, *await represented_by(session, officer_id, today)]
    rows = await session.exec(
        select(Task)
        .where(Task.officer_id.in_(owners), Task.active)  # type: ignore[union-attr]
        .order_by(Task.due_date, Task.code)
    )
    return list(rows.scalars().all())


async def may_report(session: AsyncSession, officer_id: int, task: Task, today: date) -> bool:
    """The task is active and the officer's own, or delegated to them today."""
    if not task.active or task.officer_id is None:
        return False
    return task.officer_id == officer_id or task.officer_id in await represented_by(
        session, officer_id, today
    )


# --- what is owed ---------------------------------------------------------------------------


async def closed_periods(
    session: AsyncSession, pairs: Iterable[tuple[int, str]]
) -> set[tuple[int, str]]:
    """Which of the (plan id, period key) pairs the office has closed."""
    wanted = set(pairs)
    if not wanted:
        return set()
    rows = await session.exec(
        select(ClosedPeriod.plan_id, ClosedPeriod.period).where(
            tuple_(ClosedPeriod.plan_id, ClosedPeriod.period).in_(wanted)
        )
    )
    return {(plan_id, period) for plan_id, period in rows.all()}


async def is_closed(session: AsyncSession, task: Task, period: Period) -> bool:
    """Whether the office has closed `period` for the task's plan."""
    return bool(await closed_periods(session, [(task.plan_id, period.key)]))


async def owed(session: AsyncSession, tasks: Sequence[Task], today: date) -> list[Owed]:
    """What each task owes now, most urgent first: the latest begun period of each kind its
    cadence has (reported or not, so it can be revised), and every earlier open period still
    unreported (overdue). Periods the office has closed owe nothing any more."""
    calendars = Calendars(session, today)
    begun = [
        (task, period)
        for task in tasks
        for period in (await calendars.of(task)).task_periods(task)
        if period.start <= today
    ]
    closed = await closed_periods(session, {(t.plan_id, p.key) for t, p in begun})
    reports: dict[tuple[int, str], Report] = {}
    if begun:
        rows = await session.exec(
            select(Report).where(Report.task_id.in_({t.id for t, _p in begun}))  # type: ignore[union-attr]
        )
        reports = {(r.task_id, r.period): r for r in rows.scalars().all()}
    latest: dict[tuple[int, PeriodKind], Period] = {}
    for task, period in begun:
        key = (task.id, period.kind)  # type: ignore[assignment]
        latest[key] = max(latest.get(key, period), period)  # type: ignore[index]
    items = []
    for task, period in begun:
        report = reports.get((task.id, period.key))  # type: ignore[arg-type]
        if (task.plan_id, period.key) in closed:
            continue
        current = latest[(task.id, period.kind)] == period  # type: ignore[index]
        if report is None or current:
            deadline = (await calendars.of(task)).deadline(period)
            items.append(Owed(task, period, deadline, report, current))
    return items


async def find_report(session: AsyncSession, task_id: int, period: Period) -> Report | None:
    rows = await session.exec(
        select(Report).where(Report.task_id == task_id, Report.period == period.key)
    )
    return rows.scalars().first()


async def indicator_value(session: AsyncSession, report_id: int, indicator_id: int) -> float | None:
    """The value a report's current version gives an indicator, if any."""
    rows = await session.exec(
        select(IndicatorValue.value).where(
            IndicatorValue.report_id == report_id, IndicatorValue.indicator_id == indicator_id
        )
    )
    return rows.scalars().first()


async def indicators(session: AsyncSession, task_id: int) -> list[Indicator]:
    rows = await session.exec(
        select(Indicator)
        .where(Indicator.task_id == task_id)
        .order_by(Indicator.position, Indicator.id)  # type: ignore[arg-type]
    )
    return list(rows.scalars().all())


# --- saving ---------------------------------------------------------------------------------


async def save_report(
    session: AsyncSession,
    *,
    task: Task,
    period: Period,
    officer: Officer,
    answers: ReportInput,
    now: datetime,
) -> Report:
    """Insert or revise the task's report for `period`; raises `PeriodClosed` after the close.

    The row is locked (PostgreSQL) so two submissions of one report get distinct revisions.
    A completion waits for the head's confirmation (`review_state` pending).
    """
    if await is_closed(session, task, period):
        raise PeriodClosed(period.key)
    report = (
        (
            await session.exec(
                select(Report)
                .where(Report.task_id == task.id, Report.period == period.key)
                .with_for_update()
            )
        )
        .scalars()
        .first()
    )
    if report is None:
        report = Report(task_id=task.id, period=period.key, revision=1)  # type: ignore[arg-type]
    else:
        report.revision += 1
        if (report.obstacles or None) != (answers.obstacles or None):
            report.obstacle_handled_at = None
            report.obstacle_handled_by_id = None
            report.obstacle_reply = None
    report.status = answers.status.value
    report.percent = answers.percent
    report.result = answers.result
    report.obstacles = answers.obstacles or None
    report.proposals = answers.proposals or None
    report.submitted_by_id = officer.id  # type: ignore[assignment]
    report.submitted_at = now
    plan = await session.get(Plan, task.plan_id)
    calendar = await load_calendar(
        session, plan, now.astimezone(CalendarConfig.from_plan(plan).tz).date()
    )
    report.on_time = calendar.is_on_time(now, period)
    completed = answers.status is ReportStatus.completed
    report.review_state = (ReviewState.pending if completed else ReviewState.none).value
    report.reviewed_by_id = None
    report.reviewed_at = None
    report.review_comment = None
    session.add(report)
    await session.flush()
    await _save_values(session, report, task, answers.values)
    session.add(
        ReportRevision(
            report_id=report.id,  # type: ignore[arg-type]
            revision=report.revision,
            snapshot=snapshot(report, answers.values),
            submitted_by_id=officer.id,  # type: ignore[arg-type]
            submitted_at=now,
        )
    )
    session.add(
        AuditEvent(
            at=now,
            actor=f"officer:{officer.code}",
            actor_officer_id=officer.id,
            action="report.submit" if report.revision == 1 else "report.revise",
            entity="report",
            entity_id=str(report.id),
            detail={"task": task.code, "period": period.key, "revision": report.revision},
        )
    )
    return report


async def _save_values(
    session: AsyncSession, report: Report, task: Task, values: dict[int, float]
) -> None:
    """Replace the report's indicator values with `values` (only the task's own indicators)."""
    own = {indicator.id for indicator in await indicators(session, task.id)}  # type: ignore[arg-type]
    await session.exec(
        delete(IndicatorValue).where(IndicatorValue.report_id == report.id)  # type: ignore[call-overload]
    )
    session.add_all(
        IndicatorValue(report_id=report.id, indicator_id=indicator_id, value=value)  # type: ignore[arg-type]
        for indicator_id, value in values.items()
        if indicator_id in own
    )
    await session.flush()


def snapshot(report: Report, values: dict[int, float]) -> dict[str, object]:
    """The submitted fields of a report version, as kept in `ReportRevision.snapshot`."""
    return {
        "status": report.status,
        "percent": report.percent,
        "result": report.result,
        "obstacles": report.obstacles,
        "proposals": report.proposals,
        "on_time": report.on_time,
        "values": {str(key): value for key, value in values.items()},
    }
