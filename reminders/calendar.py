"""The reporting calendar: the periods a task reports on, their deadlines and reminder times.

Defaults follow DOMAIN.md (Decree 09/2019 practice: data cut-off on the 14th; monthly reports
due "before the 20th" of the reporting month, quarterly ones before the 20th of the quarter's
last month), and every plan may override them in its `Plan.calendar` JSON. Everything here is a
pure function of a `CalendarConfig` and the set of days off, except `load_calendar`.
"""

from __future__ import annotations

import calendar as _calendar
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlmodel.ext.asyncio.session import AsyncSession

from reminders.periods import Period, PeriodKind
from storage.holidays import holiday_days, seed_holidays, year_has_holidays
from storage.models import Cadence, Plan, Report, Task

_DAY = timedelta(days=1)
_TIME = re.compile(r"^(\d{1,2})(?:[:h](\d{2})?)?$")


class CalendarConfig(BaseModel):
    """A plan's reporting calendar; `Plan.calendar` holds only the keys it overrides.

    Reminder offsets (≤ 0) and escalation offsets (≥ 1) count *working* days from the deadline,
    so a send never lands on a weekend or holiday and two offsets never fall on the same day.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    cutoff_day: int = Field(14, ge=1, le=28)
    monthly_due_day: int = Field(20, ge=1, le=31)
    quarterly_due_day: int = Field(20, ge=1, le=31)
    # 0: due in the period's last month; 1: in the month after it (e.g. "by the 5th").
    due_month_offset: int = Field(0, ge=0, le=3)
    reminder_offsets: tuple[int, ...] = (-3, 0)
    escalation_offsets: tuple[int, ...] = (1, 3)
    send_time: time = time(8, 0)
    quiet_start: time = time(21, 0)
    quiet_end: time = time(7, 0)
    shift_to_working_day: bool = True
    timezone: str = "Asia/Ho_Chi_Minh"

    @field_validator("reminder_offsets", "escalation_offsets", mode="before")
    @classmethod
    def _offsets_from_text(cls, value: Any) -> Any:
        """A spreadsheet cell gives '-3, 0' (or a lone number): split it."""
        if isinstance(value, str):
            return [part for part in re.split(r"[\s,;]+", value.strip()) if part]
        return [value] if isinstance(value, int | float) else value

    @field_validator("send_time", "quiet_start", "quiet_end", mode="before")
    @classmethod
    def _time_from_text(cls, value: Any) -> Any:
        """'8:00', '8h', '21h30' as people write times; anything else is left to pydantic."""
        if isinstance(value, str) and (match := _TIME.match(value.strip().lower())):
            return time(int(match[1]), int(match[2] or 0))
        return value

    @field_validator("reminder_offsets")
    @classmethod
    def _not_after_deadline(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(offset > 0 for offset in value):
            raise ValueError("reminder offsets are days before the deadline: 0 or negative")
        return tuple(sorted(set(value)))

    @field_validator("escalation_offsets")
    @classmethod
    def _after_deadline(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(offset < 1 for offset in value):
            raise ValueError("escalation offsets are days after the deadline: 1 or more")
        return tuple(sorted(set(value)))

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @model_validator(mode="after")
    def _send_time_not_quiet(self) -> CalendarConfig:
        if _in_quiet(self.send_time, self.quiet_start, self.quiet_end):
            raise ValueError("send_time falls within the quiet hours")
        return self

    @classmethod
    def overridden(
        cls, overrides: dict[str, Any], changes: dict[str, Any], removed: Iterable[str] = ()
    ) -> dict[str, Any]:
        """A plan's `calendar` JSON after setting `changes` and dropping `removed` keys;
        ValidationError (nothing changed) if the result is not a valid calendar."""
        result = {**overrides, **changes}
        for key in removed:
            result.pop(key, None)
        cls.model_validate(result)
        return result

    @classmethod
    def from_plan(cls, plan: Plan | None) -> CalendarConfig:
        """The defaults overridden by the plan's `calendar` JSON; ValidationError if malformed."""
        return cls.model_validate(plan.calendar if plan is not None else {})

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _in_quiet(moment: time, start: time, end: time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


class SendKind(StrEnum):
    reminder = "reminder"
    escalation = "escalation"


@dataclass(frozen=True, slots=True)
class SendTime:
    """When to prompt about one period: a reminder before/on the deadline, or an escalation."""

    kind: SendKind
    offset: int
    at: datetime


class TaskPeriodState(StrEnum):
    """Where one task's report for one period stands (DOMAIN.md: pending → overdue → missed)."""

    pending = "pending"
    overdue = "overdue"
    missed = "missed"
    on_time = "on_time"
    late = "late"


def fixed_public_holidays(year: int) -> list[tuple[date, str]]:
    """The fixed-date public holidays of `year` (Labour Code 2019, art. 112), with make-up days.

    1/1, 30/4, 1/5, 2/9 and one day adjacent to 2/9: the one that joins a weekend (Monday 1/9 or
    Friday 3/9), else 1/9 when it is a weekday, else 3/9. A holiday on a weekend is made up on the
    next working day. Tết and Hùng Kings' day follow the lunar calendar and are announced yearly:
    the office enters them.
    """
    before, after = date(year, 9, 1), date(year, 9, 2) + _DAY
    if before.weekday() == 0:
        adjacent = before
    elif after.weekday() == 4:
        adjacent = after
    else:
        adjacent = before if before.weekday() < 5 else after
    days = {
        date(year, 1, 1): "Tết Dương lịch",
        date(year, 4, 30): "Ngày Chiến thắng (30/4)",
        date(year, 5, 1): "Ngày Quốc tế Lao động (1/5)",
        date(year, 9, 2): "Quốc khánh (2/9)",
        adjacent: "Nghỉ Quốc khánh (liền kề 2/9)",
    }
    for day, name in sorted(days.items()):
        if day.weekday() >= 5:
            makeup = day + _DAY
            while makeup.weekday() >= 5 or makeup in days:
                makeup += _DAY
            days[makeup] = f"Nghỉ bù {name}"
    return sorted(days.items())


class _Slot(NamedTuple):
    """A period of a task with what the hot paths compare, in deadline order (month first)."""

    deadline: date
    kind: PeriodKind
    start: date
    key: str
    period: Period


_FIRST_PERIOD = {
    Cadence.monthly: (Period.month_of,),
    Cadence.quarterly: (Period.quarter_of,),
    Cadence.both: (Period.month_of, Period.quarter_of),
}


class WorkingCalendar:
    """Working days (Monday–Friday minus the days off) and a plan's reporting dates."""

    def __init__(self, config: CalendarConfig, holidays: Iterable[date] = ()) -> None:
        self.config = config
        self.holidays = frozenset(holidays)
        self.tz = config.tz
        # A planner pass asks about the same few dozen periods and date ranges for every task.
        self._deadlines: dict[Period, date] = {}
        self._slots: dict[tuple[date, date, str], tuple[_Slot, ...]] = {}

    # --- days -----------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def next_working_day(self, day: date) -> date:
        """`day` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += _DAY
        return day

    def previous_working_day(self, day: date) -> date:
        """`day` itself when it is a working day, else the last working day before it."""
        while not self.is_working_day(day):
            day -= _DAY
        return day

    def add_working_days(self, day: date, count: int) -> date:
        """Move `count` working days forward (or back when negative) from `day`."""
        step = _DAY if count > 0 else -_DAY
        for _ in range(abs(count)):
            day += step
            while not self.is_working_day(day):
                day += step
        return day

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    # --- periods --------------------------------------------------------------------------

    def due_date(self, period: Period) -> date:
        """The submission day the plan sets for `period`, before any shift to a working day."""
        month_index = period.year * 12 + period.last_month - 1 + self.config.due_month_offset
        year, month = divmod(month_index, 12)
        day = (
            self.config.monthly_due_day
            if period.kind is PeriodKind.month
            else self.config.quarterly_due_day
        )
        return date(year, month + 1, min(day, _calendar.monthrange(year, month + 1)[1]))

    def deadline(self, period: Period) -> date:
        """The due date, moved to the next working day when it is a day off (configurable)."""
        if (known := self._deadlines.get(period)) is not None:
            return known
        due = self.due_date(period)
        deadline = self.next_working_day(due) if self.config.shift_to_working_day else due
        self._deadlines[period] = deadline
        return deadline

    def cutoff(self, period: Period) -> date:
        """The data cut-off: figures are 'as of' this day (the 14th of the period's last month)."""
        return date(period.year, period.last_month, self.config.cutoff_day)

    def task_periods(self, task: Task) -> list[Period]:
        """The periods `task` reports on, in deadline order.

        Its cadence's months and/or quarters that overlap start..due, except a period whose
        deadline is before the task starts (it would be overdue on day one; the next period's
        report covers that stretch). A task starting mid-quarter reports on that quarter.
        """
        return [slot.period for slot in self._task_slots(task)]

    def _task_slots(self, task: Task) -> tuple[_Slot, ...]:
        key = (task.start_date, task.due_date, task.cadence)
        if (known := self._slots.get(key)) is None:
            known = self._slots[key] = self._compute_slots(*key)
        return known

    def _compute_slots(self, start: date, due: date, cadence: str) -> tuple[_Slot, ...]:
        slots = []
        for first in _FIRST_PERIOD[Cadence(cadence)]:
            period = first(start)
            while period.start <= due:
                deadline = self.deadline(period)
                if deadline >= start:
                    slots.append(_Slot(deadline, period.kind, period.start, period.key, period))
                period = period.next()
        return tuple(sorted(slots))

    def open_periods(self, task: Task, today: date, closed: Collection[str] = ()) -> list[Period]:
        """The task's periods that have begun by `today` and the office has not closed."""
        return [slot.period for slot in self._open_slots(task, today, closed)]

    def _open_slots(self, task: Task, today: date, closed: Collection[str]) -> list[_Slot]:
        return [
            slot
            for slot in self._task_slots(task)
            if slot.start <= today and slot.key not in closed
        ]

    def reporting_period(
        self,
        task: Task,
        today: date,
        reported: Collection[str] = (),
        closed: Collection[str] = (),
    ) -> Period | None:
        """The period an officer reporting on `task` today reports on unless they choose another.

        The most urgent open period not yet reported (an overdue one before the current one);
        when all are reported, the next one still due, else the latest (a revision); None
        before the task's first period.
        """
        slots = self._open_slots(task, today, closed)
        for slot in slots:
            if slot.key not in reported:
                return slot.period
        for slot in slots:
            if slot.deadline >= today:
                return slot.period
        return slots[-1].period if slots else None

    # --- times ----------------------------------------------------------------------------

    def send_times(self, period: Period) -> list[SendTime]:
        """Every reminder and escalation of `period`, at the send time on a working day.

        Reminders count working days back from the deadline (from the working day before it
        when the deadline itself is a day off); escalations count working days after it.
        """
        deadline = self.deadline(period)
        last_before = self.previous_working_day(deadline)
        return [
            self._send(SendKind.reminder, last_before, offset)
            for offset in self.config.reminder_offsets
        ] + [
            self._send(SendKind.escalation, deadline, offset)
            for offset in self.config.escalation_offsets
        ]

    def _send(self, kind: SendKind, base: date, offset: int) -> SendTime:
        day = self.add_working_days(base, offset)
        return SendTime(kind, offset, datetime.combine(day, self.config.send_time, tzinfo=self.tz))

    def is_quiet(self, moment: datetime) -> bool:
        """Whether `moment` falls in the quiet hours (local time), when nothing is sent."""
        local = moment.astimezone(self.tz).time()
        return _in_quiet(local, self.config.quiet_start, self.config.quiet_end)

    def next_allowed(self, moment: datetime) -> datetime:
        """`moment` itself outside quiet hours, else the end of the quiet hours (local time)."""
        if not self.is_quiet(moment):
            return moment
        local = moment.astimezone(self.tz)
        end = datetime.combine(local.date(), self.config.quiet_end, tzinfo=self.tz)
        return end if end > local else end + _DAY

    def is_on_time(self, submitted_at: datetime, period: Period) -> bool:
        """Submitted on or before the deadline day, in the plan's time zone."""
        return self.local_date(submitted_at) <= self.deadline(period)


def task_period_state(
    report: Report | None, deadline: date, closed: bool, today: date
) -> TaskPeriodState:
    """pending (not due yet) → overdue (past the deadline) → missed (period closed, never in);
    a report makes it on_time or late."""
    if report is not None:
        return TaskPeriodState.on_time if report.on_time else TaskPeriodState.late
    if closed:
        return TaskPeriodState.missed
    return TaskPeriodState.overdue if today > deadline else TaskPeriodState.pending


async def load_calendar(
    session: AsyncSession, plan: Plan | None, today: date | None = None
) -> WorkingCalendar:
    """The plan's calendar with the holiday table; seeds the fixed public holidays of this year
    and the next the first time either is used (`today` defaults to the plan's local date)."""
    config = CalendarConfig.from_plan(plan)
    today = today or datetime.now(config.tz).date()
    for year in (today.year, today.year + 1):
        await ensure_fixed_holidays(session, year)
    return WorkingCalendar(config, await holiday_days(session))


async def ensure_fixed_holidays(session: AsyncSession, year: int) -> None:
    """Seed `year`'s fixed public holidays unless the year already has days off in the table
    (then the office has set it up, and a day it removed stays removed)."""
    if not await year_has_holidays(session, year):
        await seed_holidays(session, fixed_public_holidays(year))


def parse_day(text: str, today: date) -> date:
    """A day as people type it: '08/02/2027', '8/2' (this year) or '2027-02-08'; else ValueError."""
    parts = text.strip().replace("-", "/").replace(".", "/").split("/")
    if not all(part.isdigit() for part in parts) or len(parts) not in (2, 3):
        raise ValueError(f"not a date: {text!r}")
    numbers = [int(part) for part in parts]
    if len(parts[0]) == 4 and len(parts) == 3:
        return date(numbers[0], numbers[1], numbers[2])
    year = numbers[2] if len(parts) == 3 else today.year
    year += 2000 if year < 100 else 0
    return date(year, numbers[1], numbers[0])
