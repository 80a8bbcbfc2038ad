"""Enrollment: codes are single-use, expiring, stored hashed; strangers learn only how to enroll."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.app import TaskBot
from bot.settings import Settings
from storage.db import Database
from storage.enrollment import hash_code
from storage.models import ChatIdentity, Invite
from tests.chat import Chat, FrozenClock
from tests.org import invite, small_org


def make_bot(db: Database, clock: FrozenClock | None = None) -> TaskBot:
    return TaskBot(db, Settings(database_url=db.url), clock or FrozenClock())


async def test_enroll_then_help_lists_role_commands(db: Database) -> None:
    await small_org(db)
    code = await invite(db, "OA")
    chat = Chat(make_bot(db))
    await chat.say(f"/start {code}")
    assert "Trần Thị Hoà" in chat.text
    assert "/lang" in chat.text
    async with db.session() as s:
        identity = (await s.exec(select(ChatIdentity))).scalar_one()
        stored = (await s.exec(select(Invite))).scalar_one()
    assert identity.external_user_id == "1001"
    assert stored.used_at is not None
    assert stored.code_hash == hash_code(code) and code not in stored.code_hash


async def test_code_is_single_use_and_expires(db: Database) -> None:
    await small_org(db)
    clock = FrozenClock()
    code = await invite(db, "OA", now=clock.now)
    bot = make_bot(db, clock)
    await Chat(bot, user="1").say(f"/start {code}")
    second = Chat(bot, user="2")
    await second.say(f"/start {code}")
    assert "đã được sử dụng" in second.text
    late_code = await invite(db, "HA", now=clock.now, ttl_days=1)
    clock.advance(days=2)
    late = Chat(bot, user="3")
    await late.say(f"/start {late_code}")
    assert "hết hạn" in late.text
    async with db.session() as s:
        assert (await s.exec(select(func.count()).select_from(ChatIdentity))).scalar_one() == 1


async def test_stranger_learns_only_how_to_enroll(db: Database) -> None:
    await small_org(db)
    chat = Chat(make_bot(db))
    for text in ("/tasks", "/status", "hello", "/help", "1"):
        replies = await chat.say(text)
        assert len(replies) == 1
        assert "/start" in replies[0].text and "mã mời" in replies[0].text


async def test_guessing_codes_is_throttled(db: Database) -> None:
    await small_org(db)
    code = await invite(db, "OA")
    chat = Chat(make_bot(db))
    for attempt in range(5):
        await chat.say(f"/start WRONG{attempt}")
    await chat.say(f"/start {code}")
    assert "Quá nhiều" in chat.last.text


async def test_lang_switches_to_english_and_back(db: Database) -> None:
    await small_org(db)
    code = await invite(db, "OA")
    chat = Chat(make_bot(db))
    await chat.say(f"/start {code}")
    await chat.say("/lang en")
    assert chat.last.text == "Language: English. Send /lang vi for Vietnamese."
    await chat.say("/help")
    assert "Commands you can use" in chat.last.text
    await chat.say("/lang vi")
    assert "Tiếng Việt" in chat.last.text


async def test_duplicate_update_changes_nothing(db: Database) -> None:
    await small_org(db)
    code = await invite(db, "OA")
    chat = Chat(make_bot(db))
    first = await chat.say(f"/start {code}", update_key="42")
    again = await chat.say(f"/start {code}", update_key="42")
    assert first and again == []


async def test_lang_without_argument_offers_buttons(db: Database) -> None:
    await small_org(db)
    code = await invite(db, "OA")
    chat = Chat(make_bot(db))
    await chat.say(f"/start {code}")
    await chat.say("/lang")
    assert chat.labels() == ["Tiếng Việt", "English"]
    await chat.press("English")
    assert chat.last.text == "Language: English. Send /lang vi for Vietnamese."
    # A forged language token changes nothing and offers the choice again.
    await chat.press_token("a:lang:fr")
    assert chat.labels() == ["Tiếng Việt", "English"]
    await chat.say("/help")
    assert "Commands you can use" in chat.last.text
