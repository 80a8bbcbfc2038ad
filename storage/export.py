"""The compiled period report's data: one row per task owing a report for the period, and counts.

Which tasks: the active tasks presided over by the export's unit or a unit below it (every unit
when no unit is given) whose cadence includes the period's kind (a month: monthly and both; a
quarter: quarterly and both) and whose start–due span overlaps the period. Each row carries the
task's report for exactly that period, if any, and the task's status category as of `today`
(`storage.status`). Rows are streamed in chunks, with one lookup per chunk for coordinating units,
indicators and milestones, so memory stays bounded however many tasks there are; the counts are
grouped SQL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import aliased
from sqlmodel.ext.asyncio.session import AsyncSession

from reminders.periods import Period, PeriodKind
from storage.models import (
    Cadence,
    Indicator,
    IndicatorValue,
    Milestone,
    Officer,
    Report,
    Task,
    TaskCoordinator,
    Unit,
)
from storage.status import COMPLETED, DEFAULT_TZ, Category, task_categories
from storage.units import subtree_filter

CHUNK = 1000


def cadences_for(period: Period) -> tuple[str, ...]:
    kind = Cadence.monthly if period.kind is PeriodKind.month else Cadence.quarterly
    return (kind.value, Cadence.both.value)


def depth() -> Any:
    """A unit's level from its path: '/1/' → 0, '/1/4/' → 1 (on PostgreSQL and SQLite)."""
    return func.length(Unit.path) - func.length(func.replace(Unit.path, "/", "")) - 2


async def roots(session: AsyncSession, code: str | None) -> list[Unit]:
    """The export's top units: the unit `code`, or every unit without a parent."""
    query = select(Unit).where(Unit.code == code if code else Unit.parent_id.is_(None))
    return list((await session.exec(query.order_by(Unit.path))).scalars().all())


@dataclass(frozen=True)
class IndicatorCell:
    name: str
    unit_of_measure: str | None
    target: float
    baseline: float | None
    actual: float | None

    @property
    def reached(self) -> bool:
        """Target met: actual ≥ target, or ≤ target when the target is below the baseline."""
        if self.actual is None:
            return False
        if self.baseline is not None and self.target < self.baseline:
            return self.actual <= self.target
        return self.actual >= self.target


@dataclass
class ExportRow:
    level: int
    task_id: int
    code: str
    title: str
    presiding: str
    officer: str | None
    due_date: date
    category: Category
    report_id: int | None
    status: str | None
    percent: int | None
    result: str | None
    obstacles: str | None
    proposals: str | None
    submitted_at: datetime | None
    on_time: bool | None
    review_state: str | None
    coordinators: list[str] = field(default_factory=list)
    milestone: str | None = None
    indicators: list[IndicatorCell] = field(default_factory=list)


def _rows_query(root: Unit, period: Period, today: date, tz: str) -> Any:
    categorized = task_categories(root, today, tz)
    return (
        select(
            (depth() - literal(root.path.count("/") - 2)).label("level"),
            Task.id.label("task_id"),
            Task.code.label("code"),
            Task.title.label("title"),
            Unit.name.label("presiding"),
            Officer.full_name.label("officer"),
            Task.due_date.label("due_date"),
            categorized.c.category,
            Report.id.label("report_id"),
            Report.status.label("status"),
            Report.percent.label("percent"),
            Report.result.label("result"),
            Report.obstacles.label("obstacles"),
            Report.proposals.label("proposals"),
            Report.submitted_at.label("submitted_at"),
            Report.on_time.label("on_time"),
            Report.review_state.label("review_state"),
        )
        .join(Unit, Unit.id == Task.presiding_unit_id)
        .join(categorized, categorized.c.task_id == Task.id)
        .outerjoin(Officer, Officer.id == Task.officer_id)
        .outerjoin(Report, and_(Report.task_id == Task.id, Report.period == period.key))
        .where(*_task_filter(root, period))
    )


def _task_filter(root: Unit, period: Period) -> list[Any]:
    return [
        subtree_filter(root),
        Task.active,
        Task.cadence.in_(cadences_for(period)),
        Task.start_date <= period.end,
        Task.due_date >= period.start,
    ]


async def count_rows(session: AsyncSession, units: Sequence[Unit], period: Period) -> int:
    """How many rows the export has (for a progress bar)."""
    total = 0
    for root in units:
        query = (
            select(func.count(Task.id))
            .join(Unit, Unit.id == Task.presiding_unit_id)
            .where(*_task_filter(root, period))
        )
        total += int((await session.exec(query)).one()[0])
    return total


async def iter_rows(
    session: AsyncSession,
    units: Sequence[Unit],
    period: Period,
    today: date,
    *,
    tz: str = DEFAULT_TZ,
    chunk: int = CHUNK,
) -> AsyncIterator[ExportRow]:
    """The rows, level by level, then by unit and task code; streamed `chunk` at a time."""
    for root in units:
        query = _rows_query(root, period, today, tz).order_by("level", Unit.path, Task.code)
        result = await session.stream(query.execution_options(yield_per=chunk))
        async for part in result.partitions(chunk):
            rows = [
                ExportRow(level, *rest[:6], Category(rest[6]), *rest[7:]) for level, *rest in part
            ]
            await _fill(session, rows, period)
            for row in rows:
                yield row


async def _fill(session: AsyncSession, rows: list[ExportRow], period: Period) -> None:
    """Coordinating units, the period's milestone and the indicators of a chunk of rows."""
    by_task = {row.task_id: row for row in rows}
    ids = list(by_task)
    coordinators = await session.exec(
        select(TaskCoordinator.task_id, Unit.name)
        .join(Unit, Unit.id == TaskCoordinator.unit_id)
        .where(TaskCoordinator.task_id.in_(ids))
        .order_by(TaskCoordinator.task_id, Unit.path)
    )
    for task_id, name in coordinators.all():
        by_task[task_id].coordinators.append(name)
    milestones = await session.exec(
        select(Milestone.task_id, Milestone.expected).where(
            Milestone.task_id.in_(ids), Milestone.period == period.key
        )
    )
    for task_id, expected in milestones.all():
        by_task[task_id].milestone = expected
    value = aliased(IndicatorValue)
    indicators = await session.exec(
        select(
            Indicator.task_id,
            Indicator.name,
            Indicator.unit_of_measure,
            Indicator.target,
            Indicator.baseline,
            value.value,
        )
        .outerjoin(Report, and_(Report.task_id == Indicator.task_id, Report.period == period.key))
        .outerjoin(value, and_(value.report_id == Report.id, value.indicator_id == Indicator.id))
        .where(Indicator.task_id.in_(ids))
        .order_by(Indicator.task_id, Indicator.position, Indicator.id)
    )
    for task_id, *cell in indicators.all():
        by_task[task_id].indicators.append(IndicatorCell(*cell))


# --- counts ---------------------------------------------------------------------------------


@dataclass
class UnitCounts:
    """One unit's own rows (not its descendants'), counted."""

    unit: str
    level: int
    tasks: int = 0
    categories: dict[Category, int] = field(default_factory=lambda: dict.fromkeys(Category, 0))
    reports: int = 0
    on_time: int = 0
    late: int = 0
    with_obstacles: int = 0

    def add(self, other: UnitCounts) -> None:
        self.tasks += other.tasks
        for category, n in other.categories.items():
            self.categories[category] += n
        self.reports += other.reports
        self.on_time += other.on_time
        self.late += other.late
        self.with_obstacles += other.with_obstacles

    @property
    def completed(self) -> int:
        return sum(self.categories[category] for category in COMPLETED)

    @property
    def reporting_rate(self) -> float | None:
        return self.reports / self.tasks if self.tasks else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.reports if self.reports else None


@dataclass
class Summary:
    period: Period
    units: list[UnitCounts]
    # Rows whose task is due on or before `today`, and how many of those are completed.
    due: int = 0
    completed_due: int = 0

    @property
    def total(self) -> UnitCounts:
        total = UnitCounts(unit="", level=0)
        for unit in self.units:
            total.add(unit)
        return total

    @property
    def completion_rate(self) -> float | None:
        return self.completed_due / self.due if self.due else None


async def summarize(
    session: AsyncSession,
    units: Sequence[Unit],
    period: Period,
    today: date,
    *,
    tz: str = DEFAULT_TZ,
) -> Summary:
    """The counts of the export, per presiding unit, in one grouped query per root."""
    summary = Summary(period, [])
    counted: dict[str, UnitCounts] = {}
    for root in units:
        rows = _rows_query(root, period, today, tz).add_columns(Unit.path.label("path")).subquery()
        has_obstacle = func.length(func.trim(func.coalesce(rows.c.obstacles, ""))) > 0
        grouped = await session.exec(
            select(
                rows.c.path,
                rows.c.presiding,
                rows.c.level,
                rows.c.category,
                func.count(),
                func.count(rows.c.report_id),
                func.sum(case((rows.c.on_time.is_(True), 1), else_=0)),
                func.sum(case((rows.c.on_time.is_(False), 1), else_=0)),
                func.sum(case((has_obstacle, 1), else_=0)),
                func.sum(case((rows.c.due_date <= today, 1), else_=0)),
            )
            .group_by(rows.c.path, rows.c.presiding, rows.c.level, rows.c.category)
            .order_by(rows.c.path)
        )
        for path, name, level, category, n, reports, on_time, late, obstacles, due in grouped.all():
            unit = counted.setdefault(path, UnitCounts(unit=name, level=int(level)))
            unit.tasks += n
            unit.categories[Category(category)] += n
            unit.reports += reports
            unit.on_time += on_time or 0
            unit.late += late or 0
            unit.with_obstacles += obstacles or 0
            summary.due += due or 0
            if Category(category) in COMPLETED:
                summary.completed_due += due or 0
    summary.units = [counted[path] for path in sorted(counted)]
    return summary
