"""Reports: whose tasks, what each task owes now, saving a report (with revisions) and its rules.

A report is one per task and period. The first submission inserts it; every later one before
the period is closed updates it in place, bumps `revision` and keeps a frozen copy of each
submitted version in `ReportRevision` (revision N has a row for every N up to the current one).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, tuple_
from sqlmodel.ext.asyncio.session import AsyncSession

from reminders.periods import Period, PeriodKind
from storage.models import (
    AuditEvent,
    Cadence,
    ClosedPeriod,
    Indicator,
    IndicatorValue,
    Leave,
    Officer,
    Report,
    ReportRevision,
    ReportStatus,
    ReviewState,
    Task,
)

_KINDS = {
    Cadence.monthly: (PeriodKind.month,),
    Cadence.quarterly: (PeriodKind.quarter,),
    Cadence.both: (PeriodKind.month, PeriodKind.quarter),
}


class PeriodClosed(Exception):
    """The office has closed this period for the task's plan: no more reports or revisions."""


@dataclass(frozen=True, slots=True)
class Owed:
    """A report a task owes: its period, the report already in (if any), the deadline."""

    task: Task
    period: Period
    deadline: date
    report: Report | None


@dataclass(frozen=True, slots=True)
class ReportInput:
    """What the officer answered in the report dialog."""

    status: ReportStatus
    percent: int
    result: str
    obstacles: str | None = None
    proposals: str | None = None
    values: dict[int, float] = field(default_factory=dict)


# --- the reporting calendar (provisional until reminders/calendar.py lands) -----------------


def period_of(kind: PeriodKind, day: date) -> Period:
    return Period.month_of(day) if kind is PeriodKind.month else Period.quarter_of(day)


def current_periods(task: Task, today: date) -> list[Period]:
    """The periods a task reports on today: this month and/or quarter (its cadence).

    A task not started yet owes nothing; a task past its due date keeps owing the period that
    holds its due date (a late report is accepted until the office closes that period).
    """
    periods = []
    for kind in _KINDS[Cadence(task.cadence)]:
        period = period_of(kind, min(today, task.due_date))
        if period.end >= task.start_date and period.start <= today:
            periods.append(period)
    return periods


def is_reportable(task: Task, period: Period, today: date) -> bool:
    """A period this task may report on: of its cadence, within start..due, already begun."""
    return (
        period.kind in _KINDS[Cadence(task.cadence)]
        and period.end >= task.start_date
        and period.start <= task.due_date
        and period.start <= today
    )


def deadline(period: Period) -> date:
    """The last day a report for `period` is on time: the period's last day."""
    return period.end


def is_on_time(submitted_at: datetime, period: Period, tz: ZoneInfo) -> bool:
    return submitted_at.astimezone(tz).date() <= deadline(period)


# --- whose tasks ----------------------------------------------------------------------------


async def delegators(session: AsyncSession, officer_id: int, today: date) -> list[int]:
    """Officers on leave today who named `officer_id` as their delegate."""
    rows = await session.exec(
        select(Leave.officer_id).where(
            Leave.delegate_id == officer_id, Leave.start_date <= today, Leave.end_date >= today
        )
    )
    return list(rows.scalars().all())


async def my_tasks(session: AsyncSession, officer_id: int, today: date) -> list[Task]:
    """Active tasks assigned to the officer or to someone whose delegate they are today."""
    owners = [officer_id, *await delegators(session, officer_id, today)]
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
    return task.officer_id == officer_id or task.officer_id in await delegators(
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
    return bool(await closed_periods(session, [(task.plan_id, period.key)]))


async def owed(session: AsyncSession, tasks: Sequence[Task], today: date) -> list[Owed]:
    """Each task's current periods that are still open, with the report already in if any."""
    candidates = [(task, period) for task in tasks for period in current_periods(task, today)]
    closed = await closed_periods(session, {(t.plan_id, p.key) for t, p in candidates})
    candidates = [(t, p) for t, p in candidates if (t.plan_id, p.key) not in closed]
    reports: dict[tuple[int, str], Report] = {}
    if candidates:
        rows = await session.exec(
            select(Report).where(
                tuple_(Report.task_id, Report.period).in_({(t.id, p.key) for t, p in candidates})
            )
        )
        reports = {(r.task_id, r.period): r for r in rows.scalars().all()}
    return [Owed(t, p, deadline(p), reports.get((t.id, p.key))) for t, p in candidates]  # type: ignore[arg-type]


async def find_report(session: AsyncSession, task_id: int, period: Period) -> Report | None:
    rows = await session.exec(
        select(Report).where(Report.task_id == task_id, Report.period == period.key)
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
    tz: ZoneInfo,
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
    report.on_time = is_on_time(now, period, tz)
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


async def task_by_code(
    session: AsyncSession, officer_id: int, code: str, today: date
) -> list[Task]:
    """The officer's (or delegated) tasks with this code, case-insensitive."""
    return [t for t in await my_tasks(session, officer_id, today) if t.code.lower() == code.lower()]
