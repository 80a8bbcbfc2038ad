"""The outbox dispatcher: exactly once, retries, 429 pauses, leases, recipients (both DBs)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from bot.channels.base import PermanentSendError, RetryAfter, TransientSendError
from reminders.dispatcher import DispatchPolicy, OutboxDispatcher
from storage.db import Database
from storage.models import Delivery, Officer, Outbox
from storage.recipients import Address
from tests.chat import FrozenClock
from tests.org import small_org
from tests.outbox import T0, RecordingSender, enroll, queue


async def outbox_rows(db: Database) -> dict[int, Outbox]:
    async with db.session() as s:
        return {row.id: row for row in (await s.exec(select(Outbox))).scalars()}


async def deliveries(db: Database) -> list[Delivery]:
    async with db.session() as s:
        return list((await s.exec(select(Delivery).order_by(Delivery.id))).scalars())


async def test_each_row_sent_exactly_once_in_batches(db: Database) -> None:
    await small_org(db)
    await enroll(db, "OA", "telegram", "t-oa")
    await enroll(db, "OA1", "telegram", "t-oa1")
    ids = await queue(db, "OA", 25) + await queue(db, "OA1", 12)
    telegram = RecordingSender("telegram")
    clock = FrozenClock()
    policy = DispatchPolicy(batch_size=10, concurrency=3)
    dispatcher = OutboxDispatcher(db, {"telegram": telegram}, clock=clock, policy=policy)

    stats = await dispatcher.run_once()
    again = await OutboxDispatcher(db, {"telegram": telegram}, clock=clock).run_once()

    assert (stats.claimed, stats.sent, stats.failed) == (37, 37, 0)
    assert again.claimed == 0
    assert Counter(telegram.texts) == Counter({f"m-OA-{n}": 1 for n in range(25)}) + Counter(
        {f"m-OA1-{n}": 1 for n in range(12)}
    )
    assert {chat for chat, _ in telegram.sent} == {"t-oa", "t-oa1"}
    assert telegram.sent[0][1].choices[0].token == "a:rp:1:2026-11"
    assert telegram.max_in_flight <= 3
    rows = await outbox_rows(db)
    assert {row.status for row in rows.values()} == {"sent"}
    assert all(row.channel == "telegram" and row.sent_at == clock.now for row in rows.values())
    recorded = await deliveries(db)
    assert sorted(d.outbox_id for d in recorded) == sorted(ids)
    assert all(d.ok and d.provider_message_id for d in recorded)


async def test_not_due_rows_wait(db: Database) -> None:
    await small_org(db)
    await enroll(db, "OA", "telegram", "t-oa")
    await queue(db, "OA", 2, at=T0 + timedelta(hours=1))
    telegram = RecordingSender("telegram")
    clock = FrozenClock()
    dispatcher = OutboxDispatcher(db, {"telegram": telegram}, clock=clock)
    assert (await dispatcher.run_once()).claimed == 0
    clock.advance(hours=1)
    assert (await dispatcher.run_once()).sent == 2


async def test_reminders_wait_out_the_quiet_hours_other_messages_do_not(db: Database) -> None:
    await small_org(db)
    await enroll(db, "OA", "telegram", "t-oa")
    night = T0 + timedelta(hours=13)  # 22:00 in Hà Nội: a late reminder and a notice are due
    await queue(db, "OA", 1, at=night, prefix="reminder", kind="reminder")
    await queue(db, "OA", 1, at=night, prefix="digest", kind="overdue_digest")
    await queue(db, "OA", 1, at=night, prefix="notice", kind="notice")
    telegram = RecordingSender("telegram")
    clock = FrozenClock(night)
    dispatcher = OutboxDispatcher(db, {"telegram": telegram}, clock=clock)
    await dispatcher.run_once()
    assert telegram.texts == ["notice-OA-0"]
    clock.advance(hours=8, minutes=59)  # 06:59
    assert (await dispatcher.run_once()).claimed == 0
    clock.advance(minutes=1)  # 07:00, the end of the quiet hours
    await dispatcher.run_once()
    assert sorted(telegram.texts) == ["digest-OA-0", "notice-OA-0", "reminder-OA-0"]


async def test_transient_errors_back_off_then_fail_after_max_attempts(db: Database) -> None:
    await small_org(db)
    await enroll(db, "OA", "telegram", "t-oa")
    [flaky, broken] = await queue(db, "OA", 2)
    failures = Counter[str]()

    def fail(chat: str, text: str) -> TransientSendError | None:
        failures[text] += 1
        if text == "m-OA-1" or failures[text] <= 2:
            return TransientSendError("502 Bad Gateway")
        return None

    telegram = RecordingSender("telegram", fail=fail)
    clock = FrozenClock()
    policy = DispatchPolicy(max_attempts=4, backoff=timedelta(seconds=30))
    dispatcher = OutboxDispatcher(db, {"telegram": telegram}, clock=clock, policy=policy)

    stats = await dispatcher.run_once()
    assert (stats.sent, stats.retried) == (0, 2)
    rows = await outbox_rows(db)
    assert rows[flaky].status == "pending" and rows[flaky].attempts == 1
    assert rows[flaky].not_before == clock.now + timedelta(seconds=30)
    assert "502" in (rows[flaky].last_error or "")

    clock.advance(seconds=29)
    assert (await dispatcher.run_once()).claimed == 0
    clock.advance(seconds=1)
    await dispatcher.run_once()
    rows = await outbox_rows(db)
    assert rows[flaky].not_before == clock.now + timedelta(seconds=60)
    clock.advance(seconds=60)
    await dispatcher.run_once()
    clock.advance(seconds=120)
    await dispatcher.run_once()

    rows = await outbox_rows(db)
    assert rows[flaky].status == "sent" and rows[flaky].attempts == 3
    assert rows[broken].status == "failed" and rows[broken].attempts == 4
    assert telegram.texts == ["m-OA-0"]
    attempts = [(d.outbox_id, d.attempt, d.ok) for d in await deliveries(db)]
    assert attempts.count((flaky, 3, True)) == 1
    assert [a for o, a, _ in attempts if o == broken] == [1, 2, 3, 4]
    clock.advance(hours=5)
    assert (await dispatcher.run_once()).claimed == 0


async def test_retry_after_pauses_the_channel_and_keeps_the_attempts(db: Database) -> None:
    await small_org(db)
    await enroll(db, "OA", "telegram", "t-oa")
    await enroll(db, "OA1", "zalo", "z-oa1")
    await queue(db, "OA", 5)
    await queue(db, "OA1", 2)
    limited = {"done": False}

    def fail(chat: str, text: str) -> RetryAfter | None:
        if not limited["done"]:
            limited["done"] = True
            return RetryAfter(7)
        return None

    telegram = RecordingSender("telegram", fail=fail)
    zalo = RecordingSender("zalo")
    clock = FrozenClock()
    policy = DispatchPolicy(concurrency=1)
    dispatcher = OutboxDispatcher(
        db, {"telegram": telegram, "zalo": zalo}, clock=clock, policy=policy
    )

    await dispatcher.run_once()
    assert telegram.calls == 1 and not telegram.sent
    assert len(zalo.sent) == 2
    rows = await outbox_rows(db)
    waiting = [row for row in rows.values() if row.status == "pending"]
    assert len(waiting) == 5
    assert {row.not_before for row in waiting} == {clock.now + timedelta(seconds=7)}
    assert {row.attempts for row in waiting} == {0}

    clock.advance(seconds=7)
    await dispatcher.run_once()
    assert sorted(telegram.texts) == [f"m-OA-{n}" for n in range(5)]


async def test_permanent_error_and_unreachable_fail_at_once(db: Database) -> None:
    people = await small_org(db)
    await enroll(db, "OA", "telegram", "blocked")
    await enroll(db, "OA1", "zalo", "z-oa1")
    [blocked] = await queue(db, "OA", 1)
    [nobody] = await queue(db, "HB", 1)
    [off_channel] = await queue(db, "OA1", 1)

    def fail(chat: str, text: str) -> PermanentSendError | None:
        return PermanentSendError("Forbidden: bot was blocked by the user")

    telegram = RecordingSender("telegram", fail=fail)
    stats = await OutboxDispatcher(db, {"telegram": telegram}, clock=FrozenClock()).run_once()

    assert (stats.claimed, stats.failed, stats.sent) == (3, 3, 0)
    assert telegram.calls == 1
    rows = await outbox_rows(db)
    assert rows[blocked].status == "failed" and "blocked" in (rows[blocked].last_error or "")
    assert rows[nobody].status == "failed" and rows[nobody].last_error == "not enrolled"
    # Enrolled only on a channel that is not running: unreachable too.
    assert rows[off_channel].status == "failed"
    assert rows[nobody].officer_id == people["HB"].id
    [delivery] = await deliveries(db)
    assert delivery.outbox_id == blocked and not delivery.ok


async def test_fallback_reaches_officers_without_identity(db: Database) -> None:
    await small_org(db)
    await queue(db, "HB", 2)
    console = RecordingSender("console")
    stats = await OutboxDispatcher(
        db, {"console": console}, clock=FrozenClock(), fallback=Address("console", "console")
    ).run_once()
    assert stats.sent == 2 and {chat for chat, _ in console.sent} == {"console"}


async def test_a_crashed_claim_is_sent_again_after_the_lease_only(db: Database) -> None:
    await small_org(db)
    await enroll(db, "OA", "telegram", "t-oa")
    await queue(db, "OA", 3)
    started = asyncio.Event()

    class Hanging(RecordingSender):
        async def send(self, chat_id: str, reply: object) -> str:
            started.set()
            await asyncio.Event().wait()
            raise AssertionError("unreachable")

    clock = FrozenClock()
    policy = DispatchPolicy(lease=timedelta(minutes=5))
    crashed = asyncio.create_task(
        OutboxDispatcher(
            db, {"telegram": Hanging("telegram")}, clock=clock, policy=policy
        ).run_once()
    )
    await started.wait()
    crashed.cancel()
    rows = await outbox_rows(db)
    assert {row.status for row in rows.values()} == {"sending"}

    telegram = RecordingSender("telegram")
    survivor = OutboxDispatcher(db, {"telegram": telegram}, clock=clock, policy=policy)
    clock.advance(minutes=4)
    assert (await survivor.run_once()).claimed == 0
    clock.advance(minutes=1)
    assert (await survivor.run_once()).sent == 3
    assert sorted(telegram.texts) == ["m-OA-0", "m-OA-1", "m-OA-2"]


async def test_messages_follow_preference_then_last_used_channel(db: Database) -> None:
    people = await small_org(db)
    await enroll(db, "OA", "telegram", "t-oa", seen=T0 - timedelta(days=2))
    await enroll(db, "OA", "zalo", "z-oa", seen=T0 - timedelta(days=1))
    await enroll(db, "OA1", "telegram", "t-oa1", seen=T0 - timedelta(days=1))
    await enroll(db, "OA1", "zalo", "z-oa1", seen=T0 - timedelta(days=2))
    async with db.session() as s:
        oa1 = await s.get(Officer, people["OA1"].id)
        assert oa1 is not None
        oa1.preferred_channel = "zalo"
    await queue(db, "OA", 1)
    await queue(db, "OA1", 1)
    telegram, zalo = RecordingSender("telegram"), RecordingSender("zalo")
    clock = FrozenClock()
    senders = {"telegram": telegram, "zalo": zalo}
    await OutboxDispatcher(db, senders, clock=clock).run_once()
    assert sorted(chat for chat, _ in zalo.sent) == ["z-oa", "z-oa1"]
    assert telegram.sent == []

    # Zalo not running: both are reached on Telegram.
    await queue(db, "OA", 1, prefix="n")
    await queue(db, "OA1", 1, prefix="n")
    await OutboxDispatcher(db, {"telegram": telegram}, clock=clock).run_once()
    assert sorted(chat for chat, _ in telegram.sent) == ["t-oa", "t-oa1"]
