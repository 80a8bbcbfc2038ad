"""Scorecards: per unit and per officer over a range of months, with a ranking.

What counts (README, "Scorecards"):
- a *report owed* is a task-period: an active task whose cadence includes the period's kind
  (months; quarters whose three months all lie in the range) and whose start–due span overlaps
  the period. Periods that have not ended by `today` are not applicable yet (a report may still
  come), nor are periods outside a task's span;
- *reporting rate* = reports received for owed task-periods ÷ reports owed; *on-time rate* =
  of those reports, the ones marked on time ÷ reports received;
- *completed on time / late / overdue*: tasks due within the range, by their status category on
  `today` (`storage.status`);
- *indicators reaching target*: indicators of tasks running in the range whose latest value
  reported in the range meets the target (≥ target, or ≤ target when the target is below the
  baseline); an indicator with no value in the range has not reached it.
A task counts for its presiding unit and for its assigned officer (unassigned tasks for the unit
only). Rates with nothing to count are "not applicable" and such rows are not ranked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from reminders.periods import Period, PeriodKind
from storage.export import cadences_for
from storage.models import Indicator, IndicatorValue, Officer, Report, Task, Unit
from storage.status import DEFAULT_TZ, Category, task_categories
from storage.units import subtree_filter


@dataclass
class Score:
    """One unit's or officer's numbers over the range; `rank` is None when not ranked."""

    id: int
    code: str
    name: str
    unit: str
    owed: int = 0
    received: int = 0
    on_time: int = 0
    completed_on_time: int = 0
    completed_late: int = 0
    overdue: int = 0
    indicators: int = 0
    indicators_reached: int = 0
    rank: int | None = None

    @property
    def reporting_rate(self) -> float | None:
        return self.received / self.owed if self.owed else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.received if self.received else None

    def key(self) -> tuple[float, float, int, int]:
        """What the ranking sorts on, best first: see `rank`."""
        return (
            -(self.reporting_rate or 0.0),
            -(self.on_time_rate or 0.0),
            -self.completed_on_time,
            self.overdue,
        )


def rank(scores: Iterable[Score]) -> list[Score]:
    """Order best first and number them: reporting rate, then on-time rate, then tasks completed
    on time, then fewer overdue tasks. Equal keys share a rank and the next rank skips (1, 2, 2,
    4). Rows that owed no report are not ranked and come last, by name."""
    ranked = sorted((s for s in scores if s.owed), key=lambda s: (s.key(), s.name))
    previous: tuple[float, float, int, int] | None = None
    for position, score in enumerate(ranked, start=1):
        score.rank = position if score.key() != previous else ranked[position - 2].rank
        previous = score.key()
    unranked = sorted((s for s in scores if not s.owed), key=lambda s: s.name)
    for score in unranked:
        score.rank = None
    return ranked + unranked


def periods_in(first: Period, last: Period) -> list[Period]:
    """The months from `first` to `last`, and the quarters lying wholly inside them."""
    months = []
    month = Period(first.year, PeriodKind.month, first.first_month)
    end = Period(last.year, PeriodKind.month, last.last_month)
    while month <= end:
        months.append(month)
        month = month.next()
    quarters = [Period.quarter_of(m.start) for m in months if m.number % 3 == 0]
    return months + [q for q in quarters if months and q.start >= months[0].start]


@dataclass
class Scorecard:
    first: Period
    last: Period
    units: list[Score]
    officers: list[Score]


class _Totals:
    """Counts keyed by (unit id, officer id or None), summed per unit and per officer."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int | None], dict[str, int]] = {}

    def add(self, unit_id: int, officer_id: int | None, **counts: int) -> None:
        cell = self.cells.setdefault((unit_id, officer_id), {})
        for name, n in counts.items():
            cell[name] = cell.get(name, 0) + int(n or 0)

    def fill(self, units: dict[int, Score], officers: dict[int, Score]) -> None:
        for (unit_id, officer_id), counts in self.cells.items():
            targets = [units[unit_id]]
            if officer_id is not None and officer_id in officers:
                targets.append(officers[officer_id])
            for score in targets:
                for name, n in counts.items():
                    setattr(score, name, getattr(score, name) + n)


def _in_scope(root: Unit | None) -> list[Any]:
    return [Task.active, *([subtree_filter(root)] if root is not None else [])]


async def scorecard(
    session: AsyncSession,
    first: Period,
    last: Period,
    today: date,
    *,
    root: Unit | None = None,
    tz: str = DEFAULT_TZ,
) -> Scorecard:
    """The scorecard of every unit (or of `root`'s subtree) and officer over `first`–`last`."""
    totals = _Totals()
    periods = [p for p in periods_in(first, last) if p.end < today]
    for period in periods:
        rows = await session.exec(
            select(
                Task.presiding_unit_id,
                Task.officer_id,
                func.count(Task.id),
                func.count(Report.id),
                func.sum(case((Report.on_time.is_(True), 1), else_=0)),
            )
            .join(Unit, Unit.id == Task.presiding_unit_id)
            .outerjoin(Report, and_(Report.task_id == Task.id, Report.period == period.key))
            .where(
                *_in_scope(root),
                Task.cadence.in_(cadences_for(period)),
                Task.start_date <= period.end,
                Task.due_date >= period.start,
            )
            .group_by(Task.presiding_unit_id, Task.officer_id)
        )
        for unit_id, officer_id, owed, received, on_time in rows.all():
            totals.add(unit_id, officer_id, owed=owed, received=received, on_time=on_time)

    start, end = first.start, Period(last.year, PeriodKind.month, last.last_month).end
    await _completions(session, totals, root, start, end, today, tz)
    await _indicators(session, totals, root, start, end, [p.key for p in periods_in(first, last)])

    units = await _units(session, {unit for unit, _ in totals.cells})
    officers = await _officers(session, {o for _, o in totals.cells if o is not None})
    totals.fill(units, officers)
    return Scorecard(first, last, rank(units.values()), rank(officers.values()))


async def _completions(
    session: AsyncSession,
    totals: _Totals,
    root: Unit | None,
    start: date,
    end: date,
    today: date,
    tz: str,
) -> None:
    wanted = {
        Category.completed_on_time: "completed_on_time",
        Category.completed_late: "completed_late",
        Category.open_overdue: "overdue",
    }
    for top in [root] if root is not None else await _roots(session):
        categorized = task_categories(top, today, tz)
        rows = await session.exec(
            select(categorized.c.unit_id, Task.officer_id, categorized.c.category, func.count())
            .join(Task, Task.id == categorized.c.task_id)
            .where(
                categorized.c.due_date >= start,
                categorized.c.due_date <= end,
                categorized.c.category.in_([c.value for c in wanted]),
            )
            .group_by(categorized.c.unit_id, Task.officer_id, categorized.c.category)
        )
        for unit_id, officer_id, category, n in rows.all():
            totals.add(unit_id, officer_id, **{wanted[Category(category)]: n})


async def _indicators(
    session: AsyncSession,
    totals: _Totals,
    root: Unit | None,
    start: date,
    end: date,
    keys: list[str],
) -> None:
    order = (Report.submitted_at.desc(), Report.id.desc())
    latest = (
        select(
            IndicatorValue.indicator_id,
            IndicatorValue.value,
            func.row_number()
            .over(partition_by=IndicatorValue.indicator_id, order_by=order)
            .label("n"),
        )
        .join(Report, Report.id == IndicatorValue.report_id)
        .where(Report.period.in_(keys))
        .subquery("latest_value")
    )
    reached = or_(
        and_(
            Indicator.baseline.is_not(None),
            Indicator.target < Indicator.baseline,
            latest.c.value <= Indicator.target,
        ),
        and_(
            or_(Indicator.baseline.is_(None), Indicator.target >= Indicator.baseline),
            latest.c.value >= Indicator.target,
        ),
    )
    rows = await session.exec(
        select(
            Task.presiding_unit_id,
            Task.officer_id,
            func.count(Indicator.id),
            func.sum(case((and_(latest.c.value.is_not(None), reached), 1), else_=0)),
        )
        .join(Task, Task.id == Indicator.task_id)
        .join(Unit, Unit.id == Task.presiding_unit_id)
        .outerjoin(latest, and_(latest.c.indicator_id == Indicator.id, latest.c.n == 1))
        .where(*_in_scope(root), Task.start_date <= end, Task.due_date >= start)
        .group_by(Task.presiding_unit_id, Task.officer_id)
    )
    for unit_id, officer_id, count, met in rows.all():
        totals.add(unit_id, officer_id, indicators=count, indicators_reached=met)


async def _roots(session: AsyncSession) -> list[Unit]:
    return list((await session.exec(select(Unit).where(Unit.parent_id.is_(None)))).scalars())


async def _units(session: AsyncSession, ids: set[int]) -> dict[int, Score]:
    rows = await session.exec(select(Unit).where(Unit.id.in_(ids)))
    return {u.id: Score(u.id, u.code, u.name, u.name) for u in rows.scalars()}  # type: ignore[misc]


async def _officers(session: AsyncSession, ids: set[int]) -> dict[int, Score]:
    rows = await session.exec(
        select(Officer, Unit.name).join(Unit, Unit.id == Officer.unit_id).where(Officer.id.in_(ids))
    )
    return {o.id: Score(o.id, o.code, o.full_name, unit) for o, unit in rows.all()}  # type: ignore[misc]
