"""/channel and the delivery rule: the chosen channel, else the one used last (both DBs)."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import TaskBot
from bot.settings import Settings
from reminders.dispatcher import OutboxDispatcher
from storage.db import Database
from storage.models import AuditEvent, Officer
from tests.chat import Chat, FrozenClock
from tests.org import invite, small_org
from tests.outbox import RecordingSender, queue


async def preferred(db: Database, code: str) -> str | None:
    async with db.session() as s:
        officer = (await s.exec(select(Officer).where(Officer.code == code))).scalar_one()
        return officer.preferred_channel


async def test_channel_choice_steers_reminders(db: Database) -> None:
    await small_org(db)
    clock = FrozenClock()
    bot = TaskBot(db, Settings(database_url=db.url), clock)
    telegram_chat = Chat(bot, user="t-1", channel="telegram")
    zalo_chat = Chat(bot, user="z-1", channel="zalo")
    await telegram_chat.say(f"/start {await invite(db, 'OA')}")
    clock.advance(minutes=1)
    await zalo_chat.say(f"/start {await invite(db, 'OA')}")
    senders = {"telegram": RecordingSender("telegram"), "zalo": RecordingSender("zalo")}

    async def deliver() -> tuple[int, int]:
        await queue(db, "OA", 1, prefix=str(clock.now.timestamp()))
        await OutboxDispatcher(db, senders, clock=clock).run_once()
        return len(senders["telegram"].sent), len(senders["zalo"].sent)

    # Automatic: the channel used last (Zalo, then Telegram after a message there).
    assert await deliver() == (0, 1)
    clock.advance(minutes=1)
    await telegram_chat.say("/channel")
    assert "tự động" in telegram_chat.last.text
    assert telegram_chat.labels() == ["Telegram", "Zalo", "tự động (kênh bạn dùng gần nhất)"]
    assert await deliver() == (1, 1)

    # Pinned to Zalo: reminders go there although Telegram was used last.
    await telegram_chat.press("Zalo")
    assert "Zalo" in telegram_chat.last.text
    assert await preferred(db, "OA") == "zalo"
    clock.advance(minutes=1)
    await telegram_chat.say("/help")
    assert await deliver() == (1, 2)

    # Typed, and refused when not enrolled there; back to automatic.
    await zalo_chat.say("/channel sms")
    assert "/channel telegram" in zalo_chat.last.text and "/channel auto" in zalo_chat.last.text
    assert await preferred(db, "OA") == "zalo"
    await zalo_chat.say("/channel auto")
    assert await preferred(db, "OA") is None
    async with db.session() as s:
        audit = (
            await s.exec(select(AuditEvent).where(AuditEvent.action == "officer.channel"))
        ).scalars()
        assert [event.detail["channel"] for event in audit] == ["zalo", "auto"]


async def test_a_forged_channel_button_changes_nothing(db: Database) -> None:
    await small_org(db)
    bot = TaskBot(db, Settings(database_url=db.url), FrozenClock())
    chat = Chat(bot, user="t-2", channel="telegram")
    await chat.say(f"/start {await invite(db, 'OA1')}")
    await chat.press_token("a:ch:zalo")
    assert "/channel telegram" in chat.last.text
    assert await preferred(db, "OA1") is None
