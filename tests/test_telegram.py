"""The Telegram channel end to end: real python-telegram-bot against a fake Bot API over HTTP."""

from __future__ import annotations

import asyncio
import io
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.app import TaskBot
from bot.channels.base import PermanentSendError, TransientSendError
from bot.channels.telegram import SECRET_HEADER, TelegramChannel
from bot.i18n import translator
from bot.logging import REDACTED, setup_logging
from bot.settings import Settings
from bot.web import build_app
from handlers.context import Answer, Context, Question
from handlers.dispatch import Dispatcher
from handlers.registry import build_router
from handlers.router import Router
from handlers.types import Attachment, Reply
from reminders.dispatcher import OutboxDispatcher
from storage.db import Database
from storage.models import ChatIdentity, Outbox, Report
from tests.chat import FrozenClock
from tests.cli import taskbot
from tests.fake_telegram import TOKEN, FakeTelegram, TelegramUser, fake_telegram
from tests.org import invite, small_org
from tests.outbox import enroll, queue
from tests.reporting import org_with_tasks

vi = translator("vi")
SECRET = "webhook-secret-for-tests"


def survey_router() -> Router:
    """The core's router plus a two-step dialog (a button, then typing), for the channel tests."""
    router = Router()
    router.include(build_router())
    survey = Router()
    dialog = survey.dialog("survey", "colour")

    async def ask_colour(ctx: Context) -> Question:
        return Question("Pick a colour", options=(("red", "Red"), ("blue", "Blue")))

    async def take_colour(ctx: Context, answer: Answer) -> str:
        ctx.state.data = {**ctx.state.data, "colour": answer.value}
        return "name"

    async def ask_name(ctx: Context) -> Question:
        return Question("Your name?", free_text=True)

    async def take_name(ctx: Context, answer: Answer) -> list[Reply]:
        return [Reply(f"Thanks <{answer.text}>, {ctx.state.data['colour']}")]

    Router.step(dialog, "colour", ask=ask_colour, answer=take_colour)
    Router.step(dialog, "name", ask=ask_name, answer=take_name)

    @survey.command("survey", "A test dialog")
    async def start_survey(ctx: Context, args: str) -> list[Reply]:
        return await ctx.start_dialog("survey")

    router.include(survey)
    return router


def enroll_hint_texts() -> list[str]:
    hint = (
        "You are not enrolled in taskbot yet. Ask the standing office of the Steering "
        "Committee for your invite code, then send: /start YOUR-CODE"
    )
    return [vi(hint)]


def settings_for(db: Database, fake: FakeTelegram, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": db.url,
        "telegram_token": TOKEN,
        "telegram_api_base": fake.api_base,
        "telegram_file_base": fake.file_base,
        "telegram_poll_timeout": 5,
        "telegram_chat_rate_per_second": 1000,
        "telegram_retry_backoff": 0.05,
        "webhook_url": "https://taskbot.example.org/",
        "webhook_secret": SECRET,
        **overrides,
    }
    return Settings(**values)


@asynccontextmanager
async def running(
    db: Database, fake: FakeTelegram, *, webhook: bool = False, **overrides: Any
) -> AsyncIterator[TelegramChannel]:
    bot = TaskBot(db, settings_for(db, fake, **overrides), FrozenClock())
    bot.dispatcher = Dispatcher(survey_router())
    channel = TelegramChannel(bot.settings, bot)
    await channel.start(webhook=webhook)
    try:
        yield channel
    finally:
        await channel.stop()


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with fake_telegram() as server:
        yield server


async def test_enroll_help_and_language_over_polling(db: Database, fake: FakeTelegram) -> None:
    await small_org(db)
    code = await invite(db, "OA")
    async with running(db, fake) as channel:
        assert channel.username == "taskbot_test_bot"
        user = TelegramUser(fake, 5001)
        texts = await user.say(f"/start {code}", expect=vi("Commands you can use:"))
        assert any("Trần Thị Hoà" in text for text in texts)
        choose = "Choose a language: /lang vi (Tiếng Việt) or /lang en (English)."
        await user.say("/lang", expect=vi(choose))
        await user.press("English", expect="Language: English")
        await user.say("/help", expect="Commands you can use:")
    async with db.session() as s:
        identity = (await s.exec(select(ChatIdentity))).scalar_one()
    assert (identity.channel, identity.external_user_id) == ("telegram", "5001")
    assert all(call.params["parse_mode"] == "HTML" for call in fake.sent())
    assert fake.sent("deleteWebhook"), "polling starts by removing any webhook"
    menus = {
        call.params.get("language_code"): call.params["commands"]
        for call in fake.sent("setMyCommands")
    }
    assert {"vi", "en", None} <= menus.keys()
    assert {"command": "help", "description": "What you can do here"} in menus["en"]
    assert {"command": "help", "description": vi("What you can do here")} in menus["vi"]


async def test_buttons_edit_the_question_and_stale_ones_expire(
    db: Database, fake: FakeTelegram
) -> None:
    await small_org(db)
    code = await invite(db, "OA")
    async with running(db, fake):
        user = TelegramUser(fake, 5002)
        await user.say(f"/start {code}", expect=vi("Commands you can use:"))
        await user.say("/survey", expect="Pick a colour")
        question, _ = await fake.wait_for(lambda: user.last_keyboard_message("Blue"))
        markup = fake.sent(chat_id=5002)[-1].params["reply_markup"]["inline_keyboard"]
        labels = [[button["text"] for button in row] for row in markup]
        assert labels == [["Red", "Blue", vi("✖ Cancel")]]

        await user.press("Blue", expect="Your name?")
        assert len(fake.sent("answerCallbackQuery")) == 1
        edit = fake.sent("editMessageText")[-1]
        assert edit.params["message_id"] == str(question["message_id"])
        assert edit.params["text"] == "Pick a colour\n✓ Blue"
        assert "reply_markup" not in edit.params, "the answered question loses its buttons"

        await user.say("Lan <3", expect="Thanks")
        assert fake.texts(5002)[-1] == "Thanks &lt;Lan &lt;3&gt;, blue"

        # The old question's button again: the dialog is over, the press is answered anyway.
        await user.press(
            "Red", expect=vi("This question has expired. Send /help to see what you can do.")
        )
        assert len(fake.sent("answerCallbackQuery")) == 2
        removed = await fake.wait_for(lambda: fake.sent("editMessageReplyMarkup"))
        assert removed[-1].params["message_id"] == str(question["message_id"])


async def test_stickers_groups_and_strangers(db: Database, fake: FakeTelegram) -> None:
    await small_org(db)
    code = await invite(db, "OA")
    async with running(db, fake):
        user = TelegramUser(fake, 5003)
        texts = await user.say("hello")
        assert texts == enroll_hint_texts()
        await user.say(f"/start {code}", expect=vi("Commands you can use:"))
        sticker = {
            "sticker": {
                "file_id": "s1",
                "file_unique_id": "s1",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        }
        update = fake.message_update(5003, None, extra=sticker)
        await fake.push(update)
        cannot_read = "I can only read text messages and buttons. Send /help to see what I can do."
        await fake.wait_for(lambda: vi(cannot_read) in fake.texts(5003))
        group = fake.message_update(5003, "/help@taskbot_test_bot", chat_id=-100, chat_type="group")
        await fake.push(group)
        await fake.wait_for(lambda: fake.texts(-100))
        private_only = "Please talk to me in a private chat: reports are personal."
        assert fake.texts(-100) == [vi(private_only)]


async def test_one_chats_updates_are_answered_in_order(db: Database, fake: FakeTelegram) -> None:
    await small_org(db)
    code = await invite(db, "OA")
    async with running(db, fake):
        user = TelegramUser(fake, 5007)
        await user.say(f"/start {code}", expect=vi("Commands you can use:"))
        before = len(fake.texts(5007))
        for text in ("/lang en", "/help", "/lang vi", "/help"):
            await fake.push(fake.message_update(5007, text))
        texts = await fake.wait_for(lambda: fake.texts(5007)[before:][3:] and fake.texts(5007))
    assert [text.split("\n")[0] for text in texts[before:]] == [
        "Language: English. Send /lang vi for Vietnamese.",
        "Commands you can use:",
        vi("Language: English. Send /lang vi for Vietnamese."),
        vi("Commands you can use:"),
    ]


async def test_send_escapes_splits_and_attaches(db: Database, fake: FakeTelegram) -> None:
    channel = TelegramChannel(settings_for(db, fake), TaskBot(db, settings_for(db, fake)))
    try:
        await channel.send("7", Reply("a <b> & c"))
        assert fake.texts(7) == ["a &lt;b&gt; &amp; c"]

        long_text = "\n".join(f"line {n:04d} " + "x" * 90 for n in range(100))  # ~10,000 chars
        message_id = await channel.send("7", Reply(long_text))
        pieces = fake.texts(7)[1:]
        assert len(pieces) == 3 and all(len(piece) <= 4096 for piece in pieces)
        assert "\n".join(pieces) == long_text
        assert message_id == str(fake.sent(chat_id=7)[-1].result["message_id"])

        chart = Attachment("chart.png", b"\x89PNG fake", "image/png")
        await channel.send("7", Reply("Tiến độ", attachment=chart))
        assert fake.sent("sendPhoto", 7)[-1].params["caption"] == "Tiến độ"
        export = Attachment("report.xlsx", b"PK fake", "application/vnd.ms-excel")
        await channel.send("7", Reply("", attachment=export))
        assert fake.sent("sendDocument", 7)[-1].params["document"] == "report.xlsx"
    finally:
        await channel.stop()


async def test_429_waits_retry_after_and_loses_nothing(db: Database, fake: FakeTelegram) -> None:
    channel = TelegramChannel(settings_for(db, fake), TaskBot(db, settings_for(db, fake)))
    try:
        fake.fail("sendMessage", times=1, status=429, retry_after=1)
        await channel.send("8", Reply("one"))
        attempts = fake.attempts(chat_id=8)
        assert [call.params["text"] for call in attempts] == ["one", "one"]
        assert attempts[1].at - attempts[0].at >= 1.0

        fake.fail("sendMessage", times=2, status=502)
        await channel.send("8", Reply("two"))
        assert [call.params["text"] for call in fake.sent(chat_id=8)] == ["one", "two"]
        assert len(fake.attempts(chat_id=8)) == 5
    finally:
        await channel.stop()


async def test_final_failures_are_classified(db: Database, fake: FakeTelegram) -> None:
    settings = settings_for(db, fake, telegram_max_retries=1)
    channel = TelegramChannel(settings, TaskBot(db, settings))
    try:
        fake.fail("sendMessage", times=2, status=500)
        with pytest.raises(TransientSendError):
            await channel.send("9", Reply("lost?"))
        fake.fail("sendMessage", times=1, status=403)
        with pytest.raises(PermanentSendError):
            await channel.send("9", Reply("blocked"))
        assert len(fake.attempts(chat_id=9)) == 3, "403 is not retried"
    finally:
        await channel.stop()


async def test_per_chat_rate_limit(db: Database, fake: FakeTelegram) -> None:
    settings = settings_for(db, fake, telegram_chat_rate_per_second=10)
    channel = TelegramChannel(settings, TaskBot(db, settings))
    try:
        started = time.monotonic()
        await asyncio.gather(*(channel.send("10", Reply(f"m{n}")) for n in range(6)))
        assert time.monotonic() - started >= 0.45
        assert sorted(fake.texts(10)) == [f"m{n}" for n in range(6)]
    finally:
        await channel.stop()


def poster(client: httpx.AsyncClient, secret: str = SECRET):
    async def post(update: dict[str, Any]) -> None:
        response = await client.post("/telegram", json=update, headers={SECRET_HEADER: secret})
        assert response.status_code == 200

    return post


@asynccontextmanager
async def webhook_client(channel: TelegramChannel) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_app(channel.webhook_routes()))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def test_webhook_checks_secret_and_body_and_answers_once(
    db: Database, fake: FakeTelegram
) -> None:
    await small_org(db)
    code = await invite(db, "OA")
    async with running(db, fake, webhook=True) as channel, webhook_client(channel) as client:
        webhook = fake.sent("setWebhook")[-1].params
        assert webhook["url"] == "https://taskbot.example.org/telegram"
        assert webhook["secret_token"] == SECRET
        assert not fake.attempts("getUpdates"), "no polling in webhook mode"

        update = fake.message_update(5004, f"/start {code}")
        for headers in ({}, {SECRET_HEADER: "wrong"}):
            response = await client.post("/telegram", json=update, headers=headers)
            assert response.status_code == 403
        for body in (b"not json", b'{"message": {}}', b'{"update_id": 7, "message": "x"}'):
            response = await client.post("/telegram", content=body, headers={SECRET_HEADER: SECRET})
            assert response.status_code == 400
        huge = b'{"update_id": 8, "message": {"text": "' + b"x" * (2 << 20) + b'"}}'
        response = await client.post("/telegram", content=huge, headers={SECRET_HEADER: SECRET})
        assert response.status_code == 413
        assert (await client.get("/healthz")).status_code == 200
        await asyncio.sleep(0.1)
        assert not fake.sent(), "rejected posts are not processed"

        user = TelegramUser(fake, 5004, deliver=poster(client))
        await user._send(update, expect=vi("Commands you can use:"))
        await poster(client)(update)  # Telegram delivers it again
        await user.say("/lang en", expect="Language: English")
        welcomes = [text for text in fake.texts(5004) if "Trần Thị Hoà" in text]
        assert len(welcomes) == 1


@pytest.mark.pg
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_two_webhook_workers_share_one_dialog(db_url: str, fake: FakeTelegram) -> None:
    databases = [Database(db_url), Database(db_url)]
    await small_org(databases[0])
    code = await invite(databases[0], "OA")
    try:
        async with (
            running(databases[0], fake, webhook=True) as first,
            running(databases[1], fake, webhook=True) as second,
            webhook_client(first) as one,
            webhook_client(second) as two,
        ):
            user = TelegramUser(fake, 5005, deliver=poster(one))
            await user.say(f"/start {code}", expect=vi("Commands you can use:"))
            user.deliver = poster(two)
            await user.say("/survey", expect="Pick a colour")
            user.deliver = poster(one)
            await user.press("Red", expect="Your name?")
            user.deliver = poster(two)
            await user.say("Mai", expect="Thanks")
            assert fake.texts(5005)[-1] == "Thanks &lt;Mai&gt;, red"
    finally:
        for database in databases:
            await database.dispose()


async def test_report_and_status_with_buttons(db: Database, fake: FakeTelegram) -> None:
    await org_with_tasks(db)
    officer_code, head_code = await invite(db, "OA"), await invite(db, "HA")
    async with running(db, fake):
        officer = TelegramUser(fake, 6001)
        await officer.say(f"/start {officer_code}", expect=vi("Commands you can use:"))
        await officer.say("/tasks", expect="386.II.2")
        await officer.press("Báo cáo 386.II.2", expect="Tình trạng thực hiện")
        await officer.press(vi("in progress"), expect="phần trăm")
        await officer.say("60", expect="Kết quả")
        await officer.say("Xong bước 1", expect="khó khăn")
        await officer.say("/skip", expect="đề xuất")
        await officer.say("/skip", expect="kiểm tra lại")
        await officer.press("Gửi báo cáo", expect="Đã nhận báo cáo: 386.II.2")
        edits = [call.params["text"] for call in fake.sent("editMessageText", 6001)]
        assert any(edit.endswith("✓ " + vi("in progress")) for edit in edits)

        head = TelegramUser(fake, 6002)
        await head.say(f"/start {head_code}", expect=vi("Commands you can use:"))
        await head.say("/status", expect="Sở Khoa học")
        chart = await fake.wait_for(lambda: fake.sent("sendPhoto", 6002))
        assert chart[-1].params["photo"].endswith(".png")
        await head.press("Trung tâm Số", expect="của Trung tâm Số đến ngày")
    async with db.session() as s:
        report = (await s.exec(select(Report))).scalar_one()
    assert (report.period, report.percent, report.status) == ("2026-Q4", 60, "in_progress")


async def test_token_and_secrets_never_reach_the_log(db: Database, fake: FakeTelegram) -> None:
    await small_org(db)
    code = await invite(db, "OA")
    out = io.StringIO()
    settings = settings_for(db, fake, log_level="DEBUG")
    handler = setup_logging(settings, out)
    try:
        async with running(db, fake, log_level="DEBUG"):
            user = TelegramUser(fake, 5006)
            await user.say(f"/start {code}", expect=vi("Commands you can use:"))
            fake.fail("sendMessage", times=1, status=502)
            await user.say("/help", expect=vi("Commands you can use:"))
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(logging.WARNING)
    log = out.getvalue()
    assert "/getUpdates" in log and "Bad Gateway" in log, "the run was logged"
    assert f"/bot{REDACTED}/sendMessage" in log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
    assert SECRET not in log
    assert code not in log


async def test_invite_prints_the_deep_link(
    cli_env: Any, db: Database, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    await small_org(db)
    monkeypatch.setenv("TASKBOT_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("TASKBOT_TELEGRAM_API_BASE", fake.api_base)
    monkeypatch.setenv("COLUMNS", "250")
    output = await taskbot(cli_env, "invite", "OA")
    assert "https://t.me/taskbot_test_bot?start=" in output
    assert fake.sent("getMe")


async def test_outbox_through_telegram_retries_then_records_failures(
    db: Database, fake: FakeTelegram
) -> None:
    await small_org(db)
    await enroll(db, "OA", "telegram", "7001")
    await enroll(db, "HB", "telegram", "7002")
    settings = settings_for(db, fake, telegram_max_retries=2)
    channel = TelegramChannel(settings, TaskBot(db, settings))
    try:
        await queue(db, "OA", 3)
        fake.fail("sendMessage", times=1, status=429, retry_after=1)
        stats = await OutboxDispatcher(db, {"telegram": channel}, clock=FrozenClock()).run_once()
        assert (stats.sent, stats.failed) == (3, 0)
        assert sorted(fake.texts(7001)) == ["m-OA-0", "m-OA-1", "m-OA-2"]
        buttons = fake.sent(chat_id=7001)[0].params["reply_markup"]["inline_keyboard"]
        assert buttons == [[{"text": "Report", "callback_data": "a:rp:1:2026-11"}]]

        await queue(db, "HB", 1, prefix="blocked")
        fake.fail("sendMessage", times=1, status=403)
        stats = await OutboxDispatcher(db, {"telegram": channel}, clock=FrozenClock()).run_once()
        assert stats.failed == 1
    finally:
        await channel.stop()
    async with db.session() as s:
        rows = (await s.exec(select(Outbox).order_by(Outbox.id))).scalars().all()
    assert [row.status for row in rows] == ["sent", "sent", "sent", "failed"]
    assert "blocked by the user" in (rows[3].last_error or "")
