"""The reminder planner on the sample plan: a simulated November 2026, day by day, both DBs.

Defaults: monthly reports due on the 20th; reminders 3 working days before and on the deadline,
escalations 1 and 3 working days after it, at 08:00 Asia/Ho_Chi_Minh. In November 2026 the 20th
is a Friday; with 17/11 made a holiday the reminders fall on Mon 16/11 and Fri 20/11 and the
escalations on Mon 23/11 and Wed 25/11.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.i18n import translator
from reminders.dispatcher import OutboxDispatcher
from reminders.planner import DIGEST, REMINDER, run_planner
from storage.db import Database
from storage.models import Holiday, Leave, Milestone, Officer, Outbox, Report, Role, Task
from tests.chat import FrozenClock
from tests.outbox import RecordingSender, enroll
from tests.sample import load_sample

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
HOLIDAY = date(2026, 11, 17)
REMINDER_DAYS = [date(2026, 11, 16), date(2026, 11, 20)]
ESCALATION_DAYS = [date(2026, 11, 23), date(2026, 11, 25)]
# One officer reports early (stops their reminders); one is away with a delegate, one without.
REPORTER, REPORT_DAY = "CB-SGDDT-1", date(2026, 11, 18)
ON_LEAVE, DELEGATE = "CB-SKHCN-1", "CB-SKHCN-2"
AWAY = "CB-PPH-1"
LEAVE_DAYS = (date(2026, 11, 19), date(2026, 11, 20))


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ).astimezone(UTC)


async def people_by_code(db: Database) -> dict[str, Officer]:
    async with db.session() as s:
        return {o.code: o for o in (await s.exec(select(Officer))).scalars()}


async def november_tasks(db: Database) -> list[Task]:
    """Tasks owing a 2026-11 report: monthly or both, running in November."""
    async with db.session() as s:
        tasks = (await s.exec(select(Task).order_by(Task.code))).scalars().all()
    return [
        task
        for task in tasks
        if task.cadence in ("monthly", "both")
        and task.start_date <= date(2026, 11, 30)
        and task.due_date >= date(2026, 11, 1)
    ]


async def setup_sample(db: Database) -> dict[str, Officer]:
    await load_sample(db)
    people = await people_by_code(db)
    for code in people:
        await enroll(db, code, "telegram", code)
    async with db.session() as s:
        s.add(Holiday(day=HOLIDAY, name="Ngày nghỉ thử nghiệm"))
        s.add(
            Leave(
                officer_id=people[ON_LEAVE].id,
                start_date=LEAVE_DAYS[0],
                end_date=LEAVE_DAYS[1],
                delegate_id=people[DELEGATE].id,
                created_by="test",
            )
        )
        s.add(
            Leave(
                officer_id=people[AWAY].id,
                start_date=date(2026, 11, 23),
                end_date=date(2026, 11, 23),
                created_by="test",
            )
        )
    return people


async def report(db: Database, task: Task, officer: Officer, at: datetime) -> None:
    async with db.session() as s:
        s.add(
            Report(
                task_id=task.id,
                period="2026-11",
                status="in_progress",
                percent=60,
                submitted_by_id=officer.id,
                submitted_at=at,
                on_time=True,
            )
        )


async def test_a_simulated_month_on_the_sample_plan(db: Database) -> None:
    people = await setup_sample(db)
    by_id = {officer.id: officer for officer in people.values()}
    tasks = await november_tasks(db)
    assert len({task.officer_id for task in tasks}) >= 8
    telegram = RecordingSender("telegram")
    clock = FrozenClock(local(date(2026, 11, 1), 8, 30))
    dispatcher = OutboxDispatcher(db, {"telegram": telegram}, clock=clock)
    received: dict[date, list[tuple[str, str]]] = defaultdict(list)

    day = date(2026, 11, 1)
    while day <= date(2026, 11, 30):
        for hour, minute in ((6, 30), (8, 30), (14, 0), (22, 0)):
            clock.now = local(day, hour, minute)
            if day == REPORT_DAY and hour == 14:
                for task in tasks:
                    if by_id[task.officer_id].code == REPORTER:
                        await report(db, task, by_id[task.officer_id], clock.now)
            await run_planner(db, clock.now)
            before = len(telegram.sent)
            await dispatcher.run_once()
            for chat, reply in telegram.sent[before:]:
                received[day].append((chat, reply.text))
                assert (hour, minute) != (6, 30) and (hour, minute) != (22, 0), "quiet hours"
        day += timedelta(days=1)

    # Nothing on days without a send time: weekends, the holiday, or any other day.
    assert set(received) == set(REMINDER_DAYS + ESCALATION_DAYS)

    for send_day in REMINDER_DAYS + ESCALATION_DAYS:
        expected: dict[str, list[str]] = defaultdict(list)
        for task in tasks:
            owner = by_id[task.officer_id].code
            if owner == REPORTER and send_day > REPORT_DAY:
                continue  # reporting stops the reminders
            if owner == AWAY and send_day == date(2026, 11, 23):
                continue  # on leave, nobody to stand in
            if owner == ON_LEAVE and LEAVE_DAYS[0] <= send_day <= LEAVE_DAYS[1]:
                owner = DELEGATE
            expected[owner].append(task.code)
        officer_messages = [
            (chat, text) for chat, text in received[send_day] if is_officer(people, chat)
        ]
        got = Counter(chat for chat, _ in officer_messages)
        # Exactly one message per officer per send time, listing all their due tasks.
        assert got == Counter(dict.fromkeys(expected, 1)), send_day
        for chat, text in officer_messages:
            for code in expected[chat]:
                assert code in text
        if send_day in ESCALATION_DAYS:
            assert all("Quá hạn" in text for _, text in officer_messages)
        else:
            assert not any("Quá hạn" in text for _, text in officer_messages)

    # Each head of a unit with late tasks gets one digest per escalation offset, no more.
    digests = Counter(
        (chat, send_day)
        for send_day, messages in received.items()
        for chat, _ in messages
        if people[chat].role == Role.head
    )
    late_units = {
        task.presiding_unit_id for task in tasks if by_id[task.officer_id].code != REPORTER
    }
    heads = {o.code for o in people.values() if o.role == Role.head and o.unit_id in late_units}
    assert digests == Counter({(head, d): 1 for head in heads for d in ESCALATION_DAYS})
    reporter_head = next(
        o.code
        for o in people.values()
        if o.role == Role.head and o.unit_id == people[REPORTER].unit_id
    )
    assert reporter_head not in heads

    async with db.session() as s:
        rows = (await s.exec(select(Outbox))).scalars().all()
    assert {row.status for row in rows} == {"sent"}
    assert Counter(row.kind for row in rows)[DIGEST] == len(heads) * 2
    assert all(row.kind in (REMINDER, DIGEST) for row in rows)


def is_officer(people: dict[str, Officer], code: str) -> bool:
    return people[code].role == Role.officer


async def test_reminder_text_lists_tasks_with_milestone_deadline_and_buttons(db: Database) -> None:
    people = await setup_sample(db)
    officer = people["CB-TTCDS-1"]
    async with db.session() as s:
        stored = await s.get(Officer, officer.id)
        assert stored is not None
        stored.locale = "en"
    result = await run_planner(db, local(date(2026, 11, 20), 8, 5))
    [message] = [m for m in result.messages if m.recipient.code == "CB-TTCDS-1"]
    tasks = [t for t in await november_tasks(db) if t.officer_id == officer.id]
    assert len(tasks) >= 2
    async with db.session() as s:
        milestones = {
            m.task_id: m.expected
            for m in (
                await s.exec(select(Milestone).where(Milestone.period == "2026-11"))
            ).scalars()
        }
    assert message.text.startswith("Reminder: please report your progress on these")
    assert f"deadline {translator('en').date(date(2026, 11, 20))}" in message.text
    for task in tasks:
        assert task.code in message.text
        if task.id in milestones:
            assert milestones[task.id] in message.text
    tokens = [token for token, _ in message.choices]
    assert tokens == [f"a:rp:{task.id}:2026-11" for task in tasks]

    vi = next(m for m in result.messages if m.recipient.code == "CB-SNV-1")
    assert "Nhắc" in vi.text and "20/11/2026" in vi.text


async def test_after_downtime_one_message_per_period_not_a_flood(db: Database) -> None:
    people = await setup_sample(db)
    # The bot was down from 13/11 to 25/11 09:00: only the latest send time (+3) is caught up.
    first = await run_planner(db, local(date(2026, 11, 25), 9, 0))
    again = await run_planner(db, local(date(2026, 11, 25), 9, 30))
    next_day = await run_planner(db, local(date(2026, 11, 26), 8, 30))
    assert again.messages == [] and next_day.messages == []
    officers = Counter(m.recipient.code for m in first.messages if m.kind == REMINDER)
    assert officers and set(officers.values()) == {1}
    assert all("Quá hạn" in m.text for m in first.messages if m.kind == REMINDER)
    heads = Counter(m.recipient.code for m in first.messages if m.kind == DIGEST)
    assert heads and set(heads.values()) == {1}
    assert all(people[code].role == Role.head for code in heads)
    # Long after the last send time (beyond the catch-up window): nothing at all.
    assert (await run_planner(db, local(date(2026, 12, 7), 9, 0))).messages == []
