"""The reminder planner: what to send now, queued in the outbox exactly once.

A pass at `now`, for every active task with an officer and every period it reports on, takes the
period's latest send time that has come (`reminders.calendar`: reminders before the deadline,
escalations after it), unless the period is reported or closed. Only the latest counts, so after
downtime one message per period is caught up, never the whole backlog; a send time older than the
catch-up window is dropped. Then:

- the officer — or, while they are on leave, their delegate — gets **one** message per send
  time listing every task due then (firmer wording for late ones), with a button per task;
- at an escalation, the head(s) of the presiding unit get one digest of their unit's late tasks.

Plans whose local time is in quiet hours or on a day off are left for a later pass. Dedupe keys
are `reminder:<officer>:<send time>` and `overdue:<head>:<unit>:<send time>`: a second pass, or
a second worker, inserts nothing new (`ON CONFLICT DO NOTHING`).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TypeVar

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import N_, Translator, translator
from reminders.calendar import CalendarConfig, SendKind, SendTime, WorkingCalendar, load_calendar
from reminders.compose import Item, digest_text, reminder_choices, reminder_text
from reminders.periods import Period
from storage.closing import closed_periods
from storage.db import Database
from storage.models import (
    Leave,
    Milestone,
    Officer,
    Outbox,
    OutboxStatus,
    Plan,
    Report,
    Role,
    Task,
    Unit,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

REMINDER = "reminder"
DIGEST = "overdue_digest"
_CHUNK = 500


@dataclass
class Message:
    """One outbox row to be: who, which send time, and the tasks it lists."""

    key: str
    kind: str
    recipient: Officer
    at: datetime
    items: list[Item] = field(default_factory=list)
    unit_name: str = ""
    text: str = ""
    choices: list[list[str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A due reminder that is not sent, and why (a msgid, for `remind --dry-run`)."""

    what: str
    reason: str


@dataclass
class PlannerResult:
    messages: list[Message] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


@dataclass
class _People:
    """Everyone a pass may address, the heads per unit, unit names and recent leave."""

    officers: dict[int, Officer]
    heads: dict[int, list[Officer]]
    units: dict[int, str]
    leave: dict[int, list[Leave]]

    def away(self, officer_id: int, day: date) -> Leave | None:
        return next(
            (
                row
                for row in self.leave.get(officer_id, [])
                if row.start_date <= day <= row.end_date
            ),
            None,
        )

    def reach(self, officer_id: int, day: date) -> tuple[Officer | None, str | None, str]:
        """Who receives what was meant for `officer_id` on `day` (a send time's day):
        (recipient, on behalf of whom, why nobody).

        An officer on leave that day is replaced by their delegate, unless the delegate is away
        too; judging by the send time's day (not today) means a reminder already delivered is
        never re-sent to a delegate, and one skipped for leave is not sent after it.
        """
        officer = self.officers.get(officer_id)
        if officer is None:
            return None, None, N_("inactive")
        leave = self.away(officer_id, day)
        if leave is None:
            return officer, None, ""
        delegate = self.officers.get(leave.delegate_id) if leave.delegate_id else None
        if delegate is None or self.away(delegate.id, day) is not None:  # type: ignore[arg-type]
            return None, None, N_("on leave, no delegate available")
        return delegate, officer.full_name, ""


async def plan_messages(
    session: AsyncSession, now: datetime, *, catch_up: timedelta = timedelta(days=5)
) -> PlannerResult:
    """The messages due at `now` that are not in the outbox yet (nothing is written)."""
    result = PlannerResult()
    plans = (await session.exec(select(Plan).order_by(Plan.id))).scalars().all()
    people: _People | None = None
    found: dict[str, Message] = {}
    for plan in plans:
        try:
            calendar = await load_calendar(session, plan, _local(now, plan))
        except ValidationError as error:
            log.error("plan %s: invalid calendar, no reminders: %s", plan.code, error)
            result.skipped.append(Skipped(plan.code, N_("invalid calendar settings")))
            continue
        today = calendar.local_date(now)
        if not calendar.is_working_day(today) or calendar.is_quiet(now):
            continue  # nothing is sent on days off or at night; a later pass catches up
        due = await _due(session, plan, calendar, now, today, catch_up)
        if not due:
            continue
        people = people or await _people(session, today - catch_up, today)
        await _attach_milestones(session, due)
        _group(due, people, found, result)
    if found:
        existing = await _existing_keys(session, list(found))
        result.messages = [message for key, message in found.items() if key not in existing]
    for message in result.messages:
        _render(message)
    return result


async def run_planner(
    db: Database, now: datetime, *, catch_up: timedelta = timedelta(days=5)
) -> PlannerResult:
    """One planner pass: plan, then insert the messages (a concurrent pass inserts nothing)."""
    async with db.session() as session:
        result = await plan_messages(session, now, catch_up=catch_up)
        await _insert(session, result.messages, now)
    return result


def _local(now: datetime, plan: Plan) -> date:
    return now.astimezone(CalendarConfig.from_plan(plan).tz).date()


@dataclass
class _Due:
    task: Task
    period: Period
    send: SendTime
    deadline: date
    expected: str | None = None


async def _due(
    session: AsyncSession,
    plan: Plan,
    calendar: WorkingCalendar,
    now: datetime,
    today: date,
    catch_up: timedelta,
) -> list[_Due]:
    tasks = (
        await session.exec(
            select(Task)
            .where(
                Task.plan_id == plan.id,
                col(Task.active).is_(True),
                col(Task.officer_id).is_not(None),
                Task.start_date <= today,  # type: ignore[operator]
            )
            .order_by(Task.code)
        )
    ).scalars()
    closed = await closed_periods(session, plan.id)  # type: ignore[arg-type]
    reported = set(
        (
            await session.exec(
                select(Report.task_id, Report.period)
                .join(Task, col(Task.id) == Report.task_id)
                .where(Task.plan_id == plan.id)
            )
        ).all()
    )
    periods: dict[tuple[date, date, str], list[Period]] = {}
    sends: dict[Period, SendTime | None] = {}
    due = []
    for task in tasks:
        shape = (task.start_date, task.due_date, task.cadence)
        if shape not in periods:
            periods[shape] = calendar.task_periods(task)
        for period in periods[shape]:
            if period.key in closed or (task.id, period.key) in reported:
                continue
            if period not in sends:
                sends[period] = _latest_send(calendar, period, now, catch_up)
            send = sends[period]
            if send is not None:
                due.append(_Due(task, period, send, calendar.deadline(period)))
    return due


def _latest_send(
    calendar: WorkingCalendar, period: Period, now: datetime, catch_up: timedelta
) -> SendTime | None:
    """The period's last send time that has come, if it is recent enough to still send."""
    passed = [send for send in calendar.send_times(period) if send.at <= now]
    if not passed:
        return None
    latest = max(passed, key=lambda send: send.at)
    return latest if now - latest.at <= catch_up else None


async def _people(session: AsyncSession, first: date, last: date) -> _People:
    officers = {
        officer.id: officer
        for officer in (
            await session.exec(select(Officer).where(col(Officer.active).is_(True)))
        ).scalars()
        if officer.id is not None
    }
    heads: dict[int, list[Officer]] = defaultdict(list)
    for officer in officers.values():
        if officer.role == Role.head:
            heads[officer.unit_id].append(officer)
    units = {
        unit_id: name for unit_id, name in (await session.exec(select(Unit.id, Unit.name))).all()
    }
    leave: dict[int, list[Leave]] = defaultdict(list)
    for row in (
        await session.exec(
            select(Leave).where(
                Leave.start_date <= last,  # type: ignore[operator]
                Leave.end_date >= first,  # type: ignore[operator]
            )
        )
    ).scalars():
        leave[row.officer_id].append(row)
    return _People(officers, heads, units, leave)


async def _attach_milestones(session: AsyncSession, due: list[_Due]) -> None:
    """The roadmap's expected outcome for each due task and period."""
    keys = {item.period.key for item in due}
    task_ids = {item.task.id for item in due}
    expected: dict[tuple[int, str], str] = {}
    for chunk in _chunks(sorted(task_ids)):  # type: ignore[type-var]
        rows = await session.exec(
            select(Milestone.task_id, Milestone.period, Milestone.expected).where(
                col(Milestone.task_id).in_(chunk), col(Milestone.period).in_(keys)
            )
        )
        expected |= {(task_id, period): text for task_id, period, text in rows.all()}
    for item in due:
        item.expected = expected.get((item.task.id, item.period.key))  # type: ignore[arg-type]


def _group(
    due: list[_Due], people: _People, found: dict[str, Message], result: PlannerResult
) -> None:
    """Bundle due tasks into one message per recipient and send time, plus heads' digests."""
    for entry in due:
        task = entry.task
        assert task.officer_id is not None and task.id is not None
        what = f"{task.code} {entry.period.key}"
        day = entry.send.at.date()
        recipient, on_behalf, why_not = people.reach(task.officer_id, day)
        owner = people.officers.get(task.officer_id)
        item = Item(
            task_id=task.id,
            code=task.code,
            title=task.title,
            period=entry.period,
            deadline=entry.deadline,
            kind=entry.send.kind,
            offset=entry.send.offset,
            expected=entry.expected,
            officer_name=owner.full_name if owner else "",
            on_behalf_of=on_behalf,
        )
        stamp = f"{entry.send.at:%Y-%m-%dT%H:%M}"
        if recipient is None:
            result.skipped.append(Skipped(what, why_not))
        else:
            _add(found, f"{REMINDER}:{recipient.id}:{stamp}", REMINDER, recipient, entry, item)
        # The head hears of a late task even when its officer cannot be reached.
        if entry.send.kind is not SendKind.escalation:
            continue
        unit = task.presiding_unit_id
        for head in people.heads.get(unit, []):
            if head.id == task.officer_id:
                continue  # a head who is the task's officer is reminded, not told about it
            reader, _, why_not = people.reach(head.id, day)  # type: ignore[arg-type]
            if reader is None:
                result.skipped.append(Skipped(f"{what} → {head.code}", why_not))
                continue
            key = f"{DIGEST}:{reader.id}:{unit}:{stamp}"
            _add(found, key, DIGEST, reader, entry, item, people.units.get(unit, ""))


def _add(
    found: dict[str, Message],
    key: str,
    kind: str,
    recipient: Officer,
    entry: _Due,
    item: Item,
    unit_name: str = "",
) -> None:
    message = found.setdefault(key, Message(key, kind, recipient, entry.send.at, [], unit_name))
    message.items.append(item)


async def _existing_keys(session: AsyncSession, keys: list[str]) -> set[str]:
    existing: set[str] = set()
    for chunk in _chunks(keys):
        query = select(Outbox.dedupe_key).where(col(Outbox.dedupe_key).in_(chunk))
        rows = await session.exec(query)
        existing |= set(rows.scalars())
    return existing


def _render(message: Message) -> None:
    t = _translator(message.recipient.locale)
    message.items.sort(key=lambda item: (item.deadline, item.code, item.period.key))
    if message.kind == REMINDER:
        message.text = reminder_text(t, message.items)
        message.choices = reminder_choices(t, message.items)
    else:
        message.text = digest_text(t, message.unit_name, message.items)


_translators: dict[str, Translator] = {}


def _translator(locale: str) -> Translator:
    if locale not in _translators:
        _translators[locale] = translator(locale)
    return _translators[locale]


async def _insert(session: AsyncSession, messages: list[Message], now: datetime) -> None:
    if not messages:
        return
    rows = [
        {
            "dedupe_key": message.key,
            "kind": message.kind,
            "officer_id": message.recipient.id,
            "text": message.text,
            "choices": message.choices,
            "status": OutboxStatus.pending.value,
            "attempts": 0,
            "not_before": now,
            "created_at": now,
            # A bundle is filed under its most urgent task and period (for `taskbot cycle`).
            "task_id": message.items[0].task_id if len(message.items) == 1 else None,
            "period": message.items[0].period.key,
        }
        for message in messages
    ]
    dialect = session.bind.dialect.name  # type: ignore[union-attr]
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for chunk in _chunks(rows):
        statement = insert(Outbox).values(chunk).on_conflict_do_nothing()
        await session.exec(statement)  # type: ignore[call-overload]


def _chunks(values: Iterable[T]) -> Iterable[list[T]]:
    values = list(values)
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]
