"""Where a unit stands: its tasks by the Vietnamese status categories, completion and reporting
rates, overdue tasks, open obstacles and completions awaiting confirmation (DOMAIN.md).

The rules are written twice on purpose: once as the pure `task_category` (one task, for views
of a single task) and once as a SQL `CASE` so a whole subtree is counted by a few grouped queries
(DESIGN.md: never a Python loop over rows). `tests/test_status.py` checks the two agree.

Category rules, in order (the five categories partition the active tasks):
1. the latest report (by submission time) says *completed* and the head has *confirmed* it:
   completed on time if it was submitted (local date) on or before the task's due date, else
   completed late;
2. otherwise, past the due date: not completed, overdue;
3. otherwise, no report yet or the latest says *not started*: not started;
4. otherwise: not completed, within deadline.
A completion awaiting the head's confirmation (chờ xác nhận) or returned by the head is not
completed: it stays in rule 2–4, and is counted separately as awaiting confirmation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, and_, case, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import N_
from reminders.periods import Period, PeriodKind
from storage.models import Cadence, Officer, Report, ReportStatus, ReviewState, Task, Unit
from storage.units import subtree_filter

DEFAULT_TZ = "Asia/Ho_Chi_Minh"
# How many overdue tasks, obstacles and pending reviews a status carries (the counts are exact).
LIST_LIMIT = 20


class Category(StrEnum):
    completed_on_time = "completed_on_time"
    completed_late = "completed_late"
    open_within_deadline = "open_within_deadline"
    open_overdue = "open_overdue"
    not_started = "not_started"


CATEGORY_LABELS = {
    Category.completed_on_time: N_("Completed on time"),
    Category.completed_late: N_("Completed late"),
    Category.open_within_deadline: N_("Not completed, within deadline"),
    Category.open_overdue: N_("Not completed, overdue"),
    Category.not_started: N_("Not started"),
}
COMPLETED = (Category.completed_on_time, Category.completed_late)


def task_category(
    task: Task, latest_report: Report | None, today: date, tz: str = DEFAULT_TZ
) -> Category:
    """The status category of `task` on `today`, given its most recently submitted report."""
    if (
        latest_report is not None
        and latest_report.status == ReportStatus.completed
        and latest_report.review_state == ReviewState.confirmed
    ):
        submitted_on = latest_report.submitted_at.astimezone(ZoneInfo(tz)).date()
        if submitted_on <= task.due_date:
            return Category.completed_on_time
        return Category.completed_late
    if task.due_date < today:
        return Category.open_overdue
    if latest_report is None or latest_report.status == ReportStatus.not_started:
        return Category.not_started
    return Category.open_within_deadline


# --- SQL ------------------------------------------------------------------------------------


class local_date(FunctionElement[date]):
    """The calendar date of a UTC timestamp column in a time zone, on PostgreSQL and SQLite."""

    type = Date()
    inherit_cache = True
    name = "local_date"

    def __init__(self, column: Any, tz: str) -> None:
        offset = ZoneInfo(tz).utcoffset(datetime(2000, 1, 1))
        minutes = int(offset.total_seconds() // 60) if offset else 0
        super().__init__(column, literal(tz), literal(f"{minutes:+d} minutes"))


@compiles(local_date, "postgresql")
def _local_date_pg(element: local_date, compiler: Any, **kw: Any) -> str:
    column, tz, _offset = element.clauses
    return f"CAST(timezone({compiler.process(tz, **kw)}, {compiler.process(column, **kw)}) AS DATE)"


@compiles(local_date, "sqlite")
def _local_date_sqlite(element: local_date, compiler: Any, **kw: Any) -> str:
    # SQLite keeps UTC timestamps as naive text; Asia/Ho_Chi_Minh has had no DST since 1975.
    column, _tz, offset = element.clauses
    return f"date({compiler.process(column, **kw)}, {compiler.process(offset, **kw)})"


def _latest_report_id() -> Any:
    """The id of the enclosing `Task`'s most recently submitted report (a correlated subquery).

    One index probe per task (`report.task_id`); unlike a window function over all reports
    joined back to the tasks, it keeps its plan whatever the planner's statistics say.
    """
    return (
        select(Report.id)
        .where(Report.task_id == Task.id)
        .order_by(Report.submitted_at.desc(), Report.id.desc())
        .limit(1)
        .correlate(Task)
        .scalar_subquery()
    )


def category_case(latest: Any, today: date, tz: str) -> Any:
    """`task_category` as a SQL CASE over `Task` joined to its latest report (may be NULL)."""
    done = and_(
        latest.status == ReportStatus.completed.value,
        latest.review_state == ReviewState.confirmed.value,
    )
    return case(
        (
            and_(done, local_date(latest.submitted_at, tz) <= Task.due_date),
            Category.completed_on_time.value,
        ),
        (done, Category.completed_late.value),
        (Task.due_date < today, Category.open_overdue.value),
        (
            or_(latest.status.is_(None), latest.status == ReportStatus.not_started.value),
            Category.not_started.value,
        ),
        else_=Category.open_within_deadline.value,
    )


_LATEST = aliased(Report, name="latest")


def _categorized(root: Unit, today: date, tz: str, *columns: Any) -> Any:
    """A select of `columns` and each task's `category`, over the active tasks of a subtree."""
    return (
        select(*columns, category_case(_LATEST, today, tz).label("category"))
        .select_from(Task)
        .join(Unit, Unit.id == Task.presiding_unit_id)
        .outerjoin(_LATEST, _LATEST.id == _latest_report_id())
        .where(subtree_filter(root), Task.active)
    )


def task_categories(root: Unit, today: date, tz: str = DEFAULT_TZ) -> Any:
    """A subquery of (task_id, unit_id, due_date, category) for the active tasks of a subtree."""
    return _categorized(
        root,
        today,
        tz,
        Task.id.label("task_id"),
        Task.presiding_unit_id.label("unit_id"),
        Task.due_date.label("due_date"),
    ).subquery("categorized")


# --- results --------------------------------------------------------------------------------


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class Tally:
    """The numbers of one unit (with its descendants)."""

    counts: dict[Category, int] = field(default_factory=lambda: dict.fromkeys(Category, 0))
    # Tasks whose due date is today or earlier, and how many of those are completed.
    due: int = 0
    completed_due: int = 0
    # Task-periods owed a report in the reporting round, and reports in for them.
    reports_expected: int = 0
    reports_in: int = 0
    open_obstacles: int = 0
    awaiting_confirmation: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def completed(self) -> int:
        return sum(self.counts[c] for c in COMPLETED)

    @property
    def completion_rate(self) -> float | None:
        """Completed ÷ tasks already due (DOMAIN.md), None when nothing is due yet."""
        return _rate(self.completed_due, self.due)

    @property
    def reporting_rate(self) -> float | None:
        return _rate(self.reports_in, self.reports_expected)

    def add(self, other: Tally) -> None:
        for category, n in other.counts.items():
            self.counts[category] += n
        self.due += other.due
        self.completed_due += other.completed_due
        self.reports_expected += other.reports_expected
        self.reports_in += other.reports_in
        self.open_obstacles += other.open_obstacles
        self.awaiting_confirmation += other.awaiting_confirmation


@dataclass(frozen=True)
class OverdueTask:
    task_id: int
    code: str
    title: str
    due_date: date
    officer_name: str | None
    unit_name: str


@dataclass(frozen=True)
class ReportItem:
    """A report that needs a leader: an open obstacle, or a completion awaiting confirmation."""

    report_id: int
    task_id: int
    task_code: str
    period: str
    officer_name: str | None
    unit_name: str
    text: str | None


@dataclass(frozen=True)
class ChildRow:
    unit: Unit
    tally: Tally


@dataclass
class UnitStatus:
    unit: Unit
    today: date
    period: Period
    tally: Tally
    children: list[ChildRow]
    overdue: list[OverdueTask]
    obstacles: list[ReportItem]
    awaiting: list[ReportItem]


# --- the reporting round --------------------------------------------------------------------


def reporting_round(period: Period) -> list[tuple[tuple[Cadence, ...], Period]]:
    """Which task cadences owe a report for which period key in the round of `period`.

    A month's round is the monthly reports for that month, plus the quarterly reports when the
    month ends a quarter (quarterly reports fall due in the quarter's last month); a quarter's
    round is its quarterly reports.
    """
    quarterly = (Cadence.quarterly, Cadence.both)
    if period.kind is PeriodKind.quarter:
        return [(quarterly, period)]
    parts = [((Cadence.monthly, Cadence.both), period)]
    if period.number % 3 == 0:
        parts.append((quarterly, Period.quarter_of(period.start)))
    return parts


async def reporting_by_unit(
    session: AsyncSession, root: Unit, period: Period
) -> dict[int, tuple[int, int]]:
    """Unit id → (task-periods owed a report, reports in) in the round of `period`.

    A task owes a report for a period when its cadence includes the period's kind and its
    start–due span overlaps the period.
    """
    result: dict[int, tuple[int, int]] = {}
    for cadences, part in reporting_round(period):
        rows = await session.exec(
            select(Task.presiding_unit_id, func.count(Task.id), func.count(Report.id))
            .join(Unit, Unit.id == Task.presiding_unit_id)
            .outerjoin(Report, and_(Report.task_id == Task.id, Report.period == part.key))
            .where(
                subtree_filter(root),
                Task.active,
                Task.cadence.in_([c.value for c in cadences]),
                Task.start_date <= part.end,
                Task.due_date >= part.start,
            )
            .group_by(Task.presiding_unit_id)
        )
        for unit_id, expected, received in rows.all():
            owed, got = result.get(unit_id, (0, 0))
            result[unit_id] = (owed + expected, got + received)
    return result


async def reporting_rates(
    session: AsyncSession, root: Unit, periods: Iterable[Period]
) -> list[tuple[Period, float | None]]:
    """The subtree's reporting rate in each period's round (for the chart)."""
    rates = []
    for period in periods:
        by_unit = (await reporting_by_unit(session, root, period)).values()
        rates.append(
            (period, _rate(sum(got for _, got in by_unit), sum(owed for owed, _ in by_unit)))
        )
    return rates


# --- the unit status ------------------------------------------------------------------------


def needs_obstacle_answer() -> Any:
    """A WHERE clause: the report names an obstacle (or says blocked) nobody has answered."""
    has_obstacle = or_(
        func.length(func.trim(func.coalesce(Report.obstacles, ""))) > 0,
        Report.status == ReportStatus.blocked.value,
    )
    return and_(has_obstacle, Report.obstacle_handled_at.is_(None))


_AWAITING = Report.review_state == ReviewState.pending.value


async def _tallies(
    session: AsyncSession, root: Unit, today: date, period: Period, tz: str
) -> dict[int, Tally]:
    """Unit id → the unit's own numbers (without its descendants)."""
    tallies: dict[int, Tally] = {}

    def of(unit_id: int) -> Tally:
        return tallies.setdefault(unit_id, Tally())

    categorized = task_categories(root, today, tz)
    rows = await session.exec(
        select(
            categorized.c.unit_id,
            categorized.c.category,
            func.count(),
            func.sum(case((categorized.c.due_date <= today, 1), else_=0)),
        ).group_by(categorized.c.unit_id, categorized.c.category)
    )
    for unit_id, category, n, due in rows.all():
        tally = of(unit_id)
        tally.counts[Category(category)] += n
        tally.due += due
        if Category(category) in COMPLETED:
            tally.completed_due += due

    rows = await session.exec(
        select(
            Task.presiding_unit_id,
            func.sum(case((needs_obstacle_answer(), 1), else_=0)),
            func.sum(case((_AWAITING, 1), else_=0)),
        )
        .join(Task, Task.id == Report.task_id)
        .join(Unit, Unit.id == Task.presiding_unit_id)
        .where(subtree_filter(root), Task.active, or_(needs_obstacle_answer(), _AWAITING))
        .group_by(Task.presiding_unit_id)
    )
    for unit_id, obstacles, awaiting in rows.all():
        of(unit_id).open_obstacles += obstacles
        of(unit_id).awaiting_confirmation += awaiting

    for unit_id, (owed, got) in (await reporting_by_unit(session, root, period)).items():
        of(unit_id).reports_expected += owed
        of(unit_id).reports_in += got
    return tallies


async def _overdue(
    session: AsyncSession, root: Unit, today: date, tz: str, limit: int
) -> list[OverdueTask]:
    columns = (Task.id, Task.code, Task.title, Task.due_date, Officer.full_name, Unit.name)
    rows = await session.exec(
        _categorized(root, today, tz, *columns)
        .outerjoin(Officer, Officer.id == Task.officer_id)
        # Only tasks past their due date can be overdue: no latest-report probe for the rest.
        .where(
            Task.due_date < today,
            category_case(_LATEST, today, tz) == Category.open_overdue.value,
        )
        .order_by(Task.due_date, Task.code)
        .limit(limit)
    )
    return [OverdueTask(*row[: len(columns)]) for row in rows.all()]


async def _reports_needing(
    session: AsyncSession, root: Unit, condition: Any, text: Any, limit: int
) -> list[ReportItem]:
    rows = await session.exec(
        select(Report.id, Task.id, Task.code, Report.period, Officer.full_name, Unit.name, text)
        .join(Task, Task.id == Report.task_id)
        .join(Unit, Unit.id == Task.presiding_unit_id)
        .outerjoin(Officer, Officer.id == Report.submitted_by_id)
        .where(subtree_filter(root), Task.active, condition)
        .order_by(Report.submitted_at, Report.id)
        .limit(limit)
    )
    return [ReportItem(*row) for row in rows.all()]


async def subtree_units(session: AsyncSession, root: Unit) -> list[Unit]:
    """`root` and every unit below it, parents before children."""
    rows = await session.exec(select(Unit).where(subtree_filter(root)).order_by(Unit.path))
    return list(rows.scalars().all())


def _roll_up(
    root: Unit, units: Sequence[Unit], own: dict[int, Tally]
) -> tuple[Tally, list[ChildRow]]:
    """The root's total and one row per direct child, each summing its whole subtree."""
    children = [unit for unit in units if unit.parent_id == root.id]
    rows = {child.id: ChildRow(child, Tally()) for child in children}
    total = Tally()
    for unit in units:
        tally = own.get(unit.id)  # type: ignore[arg-type]
        if tally is None:
            continue
        total.add(tally)
        child_id = _child_of(root, unit)
        if child_id is not None:
            rows[child_id].tally.add(tally)
    return total, sorted(rows.values(), key=lambda row: row.unit.name)


def _child_of(root: Unit, unit: Unit) -> int | None:
    """The id of `root`'s direct child that `unit` is in (None for `root` itself)."""
    rest = unit.path[len(root.path) :].strip("/")
    return int(rest.split("/")[0]) if rest else None


async def unit_status(
    session: AsyncSession,
    unit: Unit,
    today: date,
    period: Period,
    *,
    tz: str = DEFAULT_TZ,
    limit: int = LIST_LIMIT,
) -> UnitStatus:
    """Everything `/status` shows for `unit` and its descendants, in a fixed number of queries."""
    units = await subtree_units(session, unit)
    own = await _tallies(session, unit, today, period, tz)
    total, children = _roll_up(unit, units, own)
    return UnitStatus(
        unit=unit,
        today=today,
        period=period,
        tally=total,
        children=children,
        overdue=await _overdue(session, unit, today, tz, limit),
        obstacles=await _reports_needing(
            session, unit, needs_obstacle_answer(), Report.obstacles, limit
        ),
        awaiting=await _reports_needing(session, unit, _AWAITING, Report.result, limit),
    )
