"""The reporting calendar: periods, deadlines, reminder times, quiet hours, holidays, overrides."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from sqlalchemy import delete

from reminders.calendar import (
    CalendarConfig,
    SendKind,
    TaskPeriodState,
    WorkingCalendar,
    fixed_public_holidays,
    load_calendar,
    task_period_state,
)
from reminders.periods import Period
from storage.db import Database
from storage.holidays import list_holidays, put_holiday
from storage.models import Holiday, Plan, Report, Task
from tests.chat import FrozenClock

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT = WorkingCalendar(CalendarConfig())


def task(start: date, due: date, cadence: str = "monthly") -> Task:
    return Task(
        plan_id=1,
        code="T",
        title="t",
        presiding_unit_id=1,
        start_date=start,
        due_date=due,
        cadence=cadence,
    )


def keys(periods: list[Period]) -> list[str]:
    return [period.key for period in periods]


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=HCM)


def test_default_deadlines_are_the_20th_of_the_last_month() -> None:
    assert DEFAULT.deadline(Period.parse("2026-11")) == date(2026, 11, 20)  # a Friday
    assert DEFAULT.deadline(Period.parse("2026-Q4")) == date(2026, 12, 21)  # 20/12 is a Sunday
    assert DEFAULT.cutoff(Period.parse("2026-Q4")) == date(2026, 12, 14)


def test_due_on_a_sunday_moves_to_monday_unless_configured_not_to() -> None:
    july = Period.parse("2025-07")  # 20/07/2025 is a Sunday
    assert DEFAULT.deadline(july) == date(2025, 7, 21)
    fixed = WorkingCalendar(CalendarConfig(shift_to_working_day=False))
    assert fixed.deadline(july) == date(2025, 7, 20)


def test_due_on_a_configured_holiday_moves_past_it() -> None:
    calendar = WorkingCalendar(CalendarConfig(), {date(2026, 10, 20), date(2026, 10, 21)})
    assert calendar.deadline(Period.parse("2026-10")) == date(2026, 10, 22)
    assert DEFAULT.deadline(Period.parse("2026-10")) == date(2026, 10, 20)


def test_year_end_rolls_into_the_next_year() -> None:
    december = Period.parse("2026-12")
    assert december.next() == Period.parse("2027-01")
    after = WorkingCalendar(CalendarConfig(monthly_due_day=5, due_month_offset=1))
    assert after.deadline(december) == date(2027, 1, 5)
    # A short month clamps the due day.
    short = WorkingCalendar(CalendarConfig(monthly_due_day=31, shift_to_working_day=False))
    assert short.deadline(Period.parse("2026-02")) == date(2026, 2, 28)
    yearly = task(date(2026, 11, 1), date(2027, 2, 15), "quarterly")
    assert keys(DEFAULT.task_periods(yearly)) == ["2026-Q4", "2027-Q1"]


def test_both_cadence_orders_months_and_quarters_by_deadline() -> None:
    both = task(date(2026, 5, 10), date(2026, 8, 31), "both")
    assert keys(DEFAULT.task_periods(both)) == [
        "2026-05",
        "2026-06",
        "2026-Q2",  # same deadline as June (22/06, 20/06 being a Saturday): month first
        "2026-07",
        "2026-08",
        "2026-Q3",
    ]


def test_task_starting_mid_quarter_reports_that_quarter() -> None:
    quarterly = task(date(2026, 5, 10), date(2026, 12, 31), "quarterly")
    assert keys(DEFAULT.task_periods(quarterly)) == ["2026-Q2", "2026-Q3", "2026-Q4"]


def test_a_period_due_before_the_task_starts_is_skipped() -> None:
    late_start = task(date(2026, 6, 25), date(2026, 8, 10))
    # June's deadline (22/06) is before the start; the July report covers the end of June.
    assert keys(DEFAULT.task_periods(late_start)) == ["2026-07", "2026-08"]


def test_reporting_period_follows_the_clock_across_a_quarter_boundary() -> None:
    both = task(date(2026, 1, 1), date(2026, 12, 31), "both")
    clock = FrozenClock(datetime(2026, 9, 25, 2, 0, tzinfo=UTC))
    seen = []
    reported: set[str] = set()
    for _ in range(40):
        today = DEFAULT.local_date(clock.now)
        if today.day == 15:  # the officer reports mid-month on everything open
            reported |= {p.key for p in DEFAULT.open_periods(both, today)}
        period = DEFAULT.reporting_period(both, today, reported, closed={"2026-01", "2026-Q1"})
        assert period is not None
        if not seen or seen[-1][1] != period.key:
            seen.append((today, period.key))
        clock.advance(days=1)
    # Until the first report, the oldest unreported period comes first.
    assert seen[0] == (date(2026, 9, 25), "2026-02")
    assert seen[1:] == [
        (date(2026, 10, 15), "2026-10"),  # all reported: the one still due first (a revision)
        (date(2026, 10, 21), "2026-Q4"),  # October's deadline has passed
        (date(2026, 11, 1), "2026-11"),  # a new month is open and unreported
    ]


def test_open_periods_leave_out_closed_and_future_ones() -> None:
    quarterly = task(date(2026, 1, 1), date(2026, 12, 31), "quarterly")
    assert keys(DEFAULT.open_periods(quarterly, date(2026, 7, 1), {"2026-Q1"})) == [
        "2026-Q2",
        "2026-Q3",
    ]
    assert DEFAULT.reporting_period(quarterly, date(2025, 12, 31)) is None


def test_send_times_count_working_days_from_the_deadline() -> None:
    times = DEFAULT.send_times(Period.parse("2026-11"))  # deadline Friday 20/11
    assert [(t.kind, t.offset, t.at) for t in times] == [
        (SendKind.reminder, -3, local(2026, 11, 17, 8, 0)),
        (SendKind.reminder, 0, local(2026, 11, 20, 8, 0)),
        (SendKind.escalation, 1, local(2026, 11, 23, 8, 0)),  # Monday, not Saturday
        (SendKind.escalation, 3, local(2026, 11, 25, 8, 0)),
    ]
    assert times[0].at.astimezone(UTC) == datetime(2026, 11, 17, 1, 0, tzinfo=UTC)


def test_send_times_skip_holidays_and_a_deadline_kept_on_a_day_off() -> None:
    holiday = WorkingCalendar(CalendarConfig(), {date(2026, 11, 18)})
    assert holiday.send_times(Period.parse("2026-11"))[0].at == local(2026, 11, 16, 8, 0)
    unshifted = WorkingCalendar(CalendarConfig(shift_to_working_day=False))
    times = unshifted.send_times(Period.parse("2025-07"))  # due Sunday 20/07
    assert [t.at.date() for t in times] == [
        date(2025, 7, 15),
        date(2025, 7, 18),  # "on the day" becomes the Friday before
        date(2025, 7, 21),
        date(2025, 7, 23),
    ]


def test_quiet_hours_defer_to_seven_in_the_morning() -> None:
    assert DEFAULT.is_quiet(local(2026, 11, 23, 21, 0))
    assert DEFAULT.is_quiet(local(2026, 11, 24, 6, 59))
    assert not DEFAULT.is_quiet(local(2026, 11, 24, 7, 0))
    assert not DEFAULT.is_quiet(datetime(2026, 11, 23, 13, 59, tzinfo=UTC))  # 20:59 local
    late = datetime(2026, 11, 23, 16, 30, tzinfo=UTC)  # 23:30 local
    assert DEFAULT.next_allowed(late) == local(2026, 11, 24, 7, 0)
    assert DEFAULT.next_allowed(local(2026, 11, 24, 3, 0)) == local(2026, 11, 24, 7, 0)
    noon = local(2026, 11, 24, 12, 0)
    assert DEFAULT.next_allowed(noon) is noon
    lunch = WorkingCalendar(CalendarConfig(quiet_start=time(12), quiet_end=time(13, 30)))
    assert lunch.next_allowed(local(2026, 11, 24, 12, 5)) == local(2026, 11, 24, 13, 30)
    assert not lunch.is_quiet(local(2026, 11, 24, 23, 0))


def test_on_time_is_judged_on_the_local_deadline_day() -> None:
    november = Period.parse("2026-11")
    assert DEFAULT.is_on_time(datetime(2026, 11, 20, 16, 30, tzinfo=UTC), november)  # 23:30
    assert not DEFAULT.is_on_time(datetime(2026, 11, 20, 17, 30, tzinfo=UTC), november)


def test_task_period_states() -> None:
    deadline = date(2026, 11, 20)
    on_time = Report(on_time=True)
    late = Report(on_time=False)
    assert task_period_state(None, deadline, False, date(2026, 11, 20)) is TaskPeriodState.pending
    assert task_period_state(None, deadline, False, date(2026, 11, 21)) is TaskPeriodState.overdue
    assert task_period_state(None, deadline, True, date(2026, 12, 5)) is TaskPeriodState.missed
    assert task_period_state(on_time, deadline, True, date(2026, 12, 5)) is TaskPeriodState.on_time
    assert task_period_state(late, deadline, False, date(2026, 12, 5)) is TaskPeriodState.late


def test_plan_overrides_and_refuses_bad_ones() -> None:
    plan = Plan(
        code="X",
        title="x",
        calendar={
            "monthly_due_day": 5,
            "due_month_offset": 1,
            "reminder_offsets": [0, -1],
            "escalation_offsets": [2],
            "send_time": "09:30",
        },
    )
    config = CalendarConfig.from_plan(plan)
    assert config.reminder_offsets == (-1, 0)
    calendar = WorkingCalendar(config)
    times = calendar.send_times(Period.parse("2026-11"))  # due Saturday 05/12 → Monday 07/12
    assert [t.at for t in times] == [
        local(2026, 12, 4, 9, 30),
        local(2026, 12, 7, 9, 30),
        local(2026, 12, 9, 9, 30),
    ]
    assert CalendarConfig.from_plan(None) == CalendarConfig()
    for bad in (
        {"monthly_due": 5},
        {"reminder_offsets": [1]},
        {"escalation_offsets": [0]},
        {"send_time": "22:00"},
        {"timezone": "Mars/Olympus"},
        {"monthly_due_day": 32},
    ):
        with pytest.raises(ValidationError):
            CalendarConfig.from_plan(Plan(code="Y", title="y", calendar=bad))


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        # 30/4 and 1/5 on a weekend: made up on Monday and Tuesday.
        (2022, ["01-01", "01-03", "04-30", "05-01", "05-02", "05-03", "09-01", "09-02"]),
        # 2/9 on a Saturday: Friday 1/9 joins it, and it is made up on Monday 4/9.
        (2023, ["01-01", "01-02", "04-30", "05-01", "05-02", "09-01", "09-02", "09-04"]),
        (2024, ["01-01", "04-30", "05-01", "09-02", "09-03"]),  # 2/9 Monday: Tuesday 3/9
        (2025, ["01-01", "04-30", "05-01", "09-01", "09-02"]),  # 2/9 Tuesday: Monday 1/9
    ],
)
def test_fixed_public_holidays(year: int, expected: list[str]) -> None:
    assert [day.strftime("%m-%d") for day, _ in fixed_public_holidays(year)] == expected


async def test_load_calendar_seeds_fixed_holidays_once_and_keeps_edits(db: Database) -> None:
    async with db.session() as s:
        await put_holiday(s, date(2027, 2, 8), "Tết Nguyên đán")
        plan = Plan(code="386", title="Kế hoạch 386", calendar={"monthly_due_day": 30})
        s.add(plan)
        await s.flush()
        calendar = await load_calendar(s, plan, date(2026, 11, 23))
    assert calendar.config.monthly_due_day == 30
    # 2026 was seeded; 2027 already had a day entered, so it counts as set up by the office.
    assert date(2026, 9, 1) in calendar.holidays and date(2027, 2, 8) in calendar.holidays
    assert date(2027, 1, 1) not in calendar.holidays
    async with db.session() as s:
        await s.exec(delete(Holiday).where(Holiday.day == date(2026, 9, 1)))  # type: ignore[call-overload]
    async with db.session() as s:
        again = await load_calendar(s, None, date(2026, 11, 23))
        assert date(2026, 9, 1) not in again.holidays
        assert len(await list_holidays(s, 2026)) == 4


def test_overrides_written_in_a_spreadsheet_cell_are_understood() -> None:
    config = CalendarConfig.model_validate(
        {
            "reminder_offsets": "-5; -2, 0",
            "escalation_offsets": 2,
            "send_time": "7h",
            "quiet_start": "21h30",
            "quiet_end": "6:45",
            "shift_to_working_day": "false",
        }
    )
    assert config.reminder_offsets == (-5, -2, 0) and config.escalation_offsets == (2,)
    assert (config.send_time, config.quiet_start, config.quiet_end) == (
        time(7),
        time(21, 30),
        time(6, 45),
    )
    assert not config.shift_to_working_day
