"""The Zalo channel end to end: the real bot, the real channel, a fake Zalo Bot API over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.app import TaskBot
from bot.channels.base import PermanentSendError, RetryAfter, TransientSendError
from bot.channels.zalo import ZaloChannel
from bot.channels.zalo_api import ZaloApi
from bot.settings import Settings, get_settings
from bot.web import build_app
from handlers.types import Attachment, Reply
from reminders.dispatcher import OutboxDispatcher
from storage.db import Database
from storage.models import ChatIdentity, Officer, Outbox, ProcessedUpdate, Report
from tests.chat import FrozenClock
from tests.fake_zalo import (
    TOKEN,
    FakeZalo,
    bind,
    image_update,
    serve,
    sticker_update,
    text_update,
)
from tests.org import invite, small_org
from tests.reporting import org_with_tasks
from tests.status_data import make_plan, random_tasks

SECRET = "s3cret-webhook-token"
PNG = b"\x89PNG\r\n\x1a\n" + b"chart" * 10


@dataclass
class Rig:
    fake: FakeZalo
    channel: ZaloChannel
    bot: TaskBot
    db: Database

    async def wait_for(self, condition: Callable[[], bool], seconds: float = 10) -> None:
        for _ in range(int(seconds * 100)):
            if condition():
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"still waiting after {seconds}s")

    async def put(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates and wait until the bot has handled it."""
        await self.fake.updates.put(update)
        await self.wait_for(lambda: self.fake.processed(update["message"]["message_id"]))

    async def say(self, text: str, *, user: str = "u1", message_id: str | None = None) -> str:
        """Send a text as `user`; return what the bot answered to that chat."""
        before = len(self.fake.texts(user))
        await self.put(text_update(text, user=user, message_id=message_id))
        return "\n".join(self.fake.texts(user)[before:])


def make_settings(db: Database, api_base: str, **extra: object) -> Settings:
    values: dict[str, object] = {
        "database_url": db.url,
        "zalo_token": TOKEN,
        "zalo_api_base": f"{api_base}/bot",
        "zalo_poll_timeout": 1,
        "webhook_secret": SECRET,
    }
    return Settings(**(values | extra))  # type: ignore[arg-type]


def make_channel(settings: Settings, bot: TaskBot, *, retries: int = 6) -> ZaloChannel:
    api = ZaloApi(
        TOKEN, base=settings.zalo_api_base, retries=retries, backoff=0.01, max_backoff=0.05
    )
    channel = ZaloChannel(settings, bot, api=api)
    channel.backoff = 0.01
    return channel


@pytest.fixture
async def fake() -> AsyncIterator[tuple[FakeZalo, str]]:
    zalo = FakeZalo()
    async with serve(zalo.app) as url:
        yield zalo, url


@pytest.fixture
async def polling(db: Database, fake: tuple[FakeZalo, str]) -> AsyncIterator[Rig]:
    """The bot polling the fake Zalo, with its web app serving `/files` for charts."""
    zalo, url = fake
    web = bind()
    settings = make_settings(db, url, public_url=web[1])
    bot = TaskBot(db, settings, FrozenClock())
    channel = make_channel(settings, bot)
    async with serve(build_app(channel.webhook_routes()), web):
        await channel.start(webhook=False)
        yield Rig(zalo, channel, bot, db)
        await channel.stop()


async def test_enroll_tasks_and_a_full_report_by_number_and_by_text(polling: Rig) -> None:
    await org_with_tasks(polling.db)
    answer = await polling.say(f"/start {await invite(polling.db, 'OA')}")
    assert "Trần Thị Hoà" in answer and "/report" in answer
    tasks = await polling.say("/tasks")
    assert "1. Báo cáo 386.II.1 · tháng 11/2026\n2. Báo cáo 386.II.2 · quý IV/2026" in tasks
    assert tasks.endswith("\n\nTrả lời 1, 2 hoặc gõ nội dung lựa chọn.")
    status = await polling.say("2")
    assert "Tình trạng thực hiện" in status and "2. đang thực hiện\n" in status
    assert "phần trăm" in await polling.say("dang thuc hien")  # the label, without accents
    assert "Kết quả" in await polling.say("60")
    assert "khó khăn" in await polling.say("Xong bước 1")
    assert "đề xuất" in await polling.say("/skip")
    review = await polling.say("/skip")
    assert "Tiến độ: 60%" in review and "1. ✓ Gửi báo cáo" in review
    assert "Đã nhận báo cáo: 386.II.2" in await polling.say("1")
    async with polling.db.session() as s:
        report = (await s.exec(select(Report))).scalar_one()
        identity = (await s.exec(select(ChatIdentity))).scalar_one()
    assert (report.period, report.percent, report.status) == ("2026-Q4", 60, "in_progress")
    assert (identity.channel, identity.external_user_id) == ("zalo", "u1")


async def test_lang_choices_answered_by_number_and_by_text(polling: Rig) -> None:
    await small_org(polling.db)
    await polling.say(f"/start {await invite(polling.db, 'OA')}")
    offer = await polling.say("/lang")
    assert "1. Tiếng Việt\n2. English" in offer and "Trả lời 1, 2 hoặc" in offer
    assert "English" in await polling.say("2")
    await polling.say("/lang")
    assert "Tiếng Việt" in await polling.say("tieng viet")


async def test_head_status_with_chart_and_numbered_drill_down(polling: Rig) -> None:
    await small_org(polling.db)
    await random_tasks(polling.db, await make_plan(polling.db), 40)
    await polling.say(f"/start {await invite(polling.db, 'HA')}", user="h1")
    status = await polling.say("/status", user="h1")
    assert "Tình hình thực hiện nhiệm vụ của Sở Khoa học" in status
    assert "1. Trung tâm Số" in status
    [photo] = [payload for method, payload in polling.fake.sent if method == "sendPhoto"]
    assert photo["chat_id"] == "h1" and "/files/" in photo["photo"]
    assert polling.fake.photos[0].startswith(b"\x89PNG")
    assert "của Trung tâm Số đến ngày" in await polling.say("1", user="h1")


async def test_stranger_and_unsupported_content(polling: Rig) -> None:
    await small_org(polling.db)
    assert "/start" in await polling.say("/help", user="u9")
    code = await invite(polling.db, "HA")
    await polling.say(f"/start {code}", user="u2")
    for update in (sticker_update(user="u2"), image_update(user="u2")):
        await polling.put(update)
        assert "chỉ đọc được tin nhắn văn bản" in polling.fake.texts("u2")[-1]
        assert "/help" in polling.fake.texts("u2")[-1]


async def test_duplicate_message_id_is_processed_once(polling: Rig) -> None:
    await small_org(polling.db)
    await polling.say("/help", message_id="dup-1")
    assert await polling.say("/help", message_id="dup-1") == ""
    await polling.say("/help", message_id="dup-2")
    assert len(polling.fake.texts("u1")) == 2
    async with polling.db.session() as s:
        keys = (await s.exec(select(ProcessedUpdate.update_key))).scalars().all()
    assert sorted(keys) == ["dup-1", "dup-2"]


async def test_group_chat_gets_only_a_pointer_to_a_private_chat(polling: Rig) -> None:
    await small_org(polling.db)
    await polling.put(text_update("/tasks", group=True))
    await polling.put(text_update("/help", group=True))
    [pointer] = polling.fake.texts("g1")  # /tasks: silence; /help: a pointer
    assert "nhắn riêng" in pointer


async def test_a_5xx_storm_is_survived_without_loss(polling: Rig) -> None:
    await small_org(polling.db)
    code = await invite(polling.db, "OA")
    # Longer than one call's retries (6): the poller backs off and polls again.
    polling.fake.storm = 15
    await polling.wait_for(lambda: polling.fake.storm == 0)
    assert "Trần Thị Hoà" in await polling.say(f"/start {code}")
    # Now the replies meet the storm: each is retried until it gets through.
    polling.fake.storm = 15
    assert "/lang" in await polling.say("/help")
    assert polling.fake.storm == 0
    async with polling.db.session() as s:
        assert (await s.exec(select(func.count()).select_from(ChatIdentity))).scalar_one() == 1


async def test_webhook_secret_bodies_and_files(db: Database, fake: tuple[FakeZalo, str]) -> None:
    zalo, api_url = fake
    await small_org(db)
    code = await invite(db, "OA")
    web = bind()
    settings = make_settings(db, api_url, webhook_url=web[1])
    channel = make_channel(settings, TaskBot(db, settings, FrozenClock()))
    async with serve(build_app(channel.webhook_routes()), web) as url:
        await channel.start(webhook=True)
        assert zalo.webhook == (f"{url}/zalo", SECRET)
        assert await zalo.deliver(text_update("/help"), secret="wrong-secret") == 403
        assert await zalo.deliver(text_update("/help"), secret="") == 403
        assert zalo.sent == []
        wrapped = {"ok": True, "result": text_update(f"/start {code}")}
        assert await zalo.deliver(wrapped) == 200
        assert "Trần Thị Hoà" in zalo.text
        assert await zalo.deliver({"event_name": "message.text.received"}) == 400
        # A chart: Zalo fetches it from our /files route; an export: a link to the same route.
        await channel.send("u1", Reply("Biểu đồ", attachment=Attachment("c.png", PNG, "image/png")))
        assert zalo.photos == [PNG]
        xlsx = Attachment("báo cáo.xlsx", b"PK..", "application/vnd.ms-excel")
        await channel.send("u1", Reply("Tệp xuất", attachment=xlsx))
        link = zalo.texts("u1")[-1]
        assert f"Tải báo cáo.xlsx: {url}/files/" in link and "dùng được đến" in link
        async with httpx.AsyncClient() as client:
            download = await client.get(link.split(": ", 1)[1].split()[0])
            missing = await client.get(f"{url}/files/not-a-token")
        assert download.content == b"PK.."
        assert download.headers["content-disposition"].startswith("attachment;")
        assert missing.status_code == 404
        await channel.stop()


async def test_send_splits_long_text_and_maps_errors(db: Database, fake) -> None:
    zalo, url = fake
    settings = make_settings(db, url)
    channel = make_channel(settings, TaskBot(db, settings, FrozenClock()), retries=2)
    lines = [f"Dòng {n:04d} " + "x" * 80 for n in range(60)]
    assert await channel.send("u1", Reply("\n".join(lines))) == "out3"
    pieces = zalo.texts("u1")
    assert len(pieces) == 3 and all(len(piece) <= 2000 for piece in pieces)
    assert "\n".join(pieces) == "\n".join(lines)
    assert await channel.send("u1", Reply("sửa", edit_previous=True)) == ""
    # Without a public URL a chart cannot be sent: a line says so.
    await channel.send("u1", Reply("Biểu đồ", attachment=Attachment("c.png", PNG, "image/png")))
    assert "c.png" in zalo.texts("u1")[-1] and zalo.photos == []
    zalo.errors.append((429, "Too Many Requests"))
    with pytest.raises(RetryAfter) as waited:
        await channel.send("u1", Reply("a"))
    assert waited.value.seconds == 3
    zalo.errors.append((403, "User blocked the bot"))
    with pytest.raises(PermanentSendError, match="blocked"):
        await channel.send("u1", Reply("a"))
    zalo.storm = 3
    with pytest.raises(TransientSendError):
        await channel.send("u1", Reply("a"))
    await channel.stop()


async def test_cli_check_shows_the_bot_and_its_webhook(
    fake: tuple[FakeZalo, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cli import app

    zalo, url = fake
    monkeypatch.setenv("TASKBOT_ZALO_API_BASE", f"{url}/bot")
    monkeypatch.setenv("TASKBOT_ZALO_TOKEN", TOKEN)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        polling = await asyncio.to_thread(runner.invoke, app, ["zalo", "check"])
        zalo.webhook = ("https://bot.example.vn/zalo", SECRET)
        hooked = await asyncio.to_thread(runner.invoke, app, ["zalo", "check"])
        monkeypatch.setenv("TASKBOT_ZALO_TOKEN", "1:wrong")
        get_settings.cache_clear()
        refused = await asyncio.to_thread(runner.invoke, app, ["zalo", "check"])
    finally:
        get_settings.cache_clear()
    assert polling.exit_code == 0 and "bot.taskbot" in polling.output
    assert "thăm dò" in polling.output
    assert "https://bot.example.vn/zalo" in hooked.output
    assert refused.exit_code == 1 and "401 Unauthorized" in refused.output
    assert "wrong" not in refused.output


async def test_a_reminders_numbered_buttons_can_be_answered(polling: Rig) -> None:
    """A message from the outbox offers its choices to the chat: "1" opens the report."""
    _people, tasks = await org_with_tasks(polling.db)
    await polling.say(f"/start {await invite(polling.db, 'OA')}")
    await polling.say("/help")  # a reply without choices: nothing is offered any more
    async with polling.db.session() as s:
        officer = (await s.exec(select(Officer).where(Officer.code == "OA"))).scalar_one()
        s.add(
            Outbox(
                dedupe_key="reminder:1",
                kind="reminder",
                officer_id=officer.id,
                text="Nhắc báo cáo quý IV/2026",
                choices=[[f"a:rp:{tasks['386.II.2'].id}:2026-Q4", "Báo cáo 386.II.2"]],
                not_before=polling.bot.clock(),
            )
        )
    dispatcher = OutboxDispatcher(polling.db, {"zalo": polling.channel}, clock=polling.bot.clock)
    assert (await dispatcher.run_once()).sent == 1
    reminder = polling.fake.texts("u1")[-1]
    assert reminder.startswith("Nhắc báo cáo quý IV/2026\n\n1. Báo cáo 386.II.2")
    assert "Tình trạng thực hiện" in await polling.say("1")


async def test_webhook_secret_derived_from_the_token_when_not_set(
    db: Database, fake: tuple[FakeZalo, str]
) -> None:
    zalo, api_url = fake
    await small_org(db)
    web = bind()
    settings = make_settings(db, api_url, webhook_url=web[1], webhook_secret=None)
    channel = make_channel(settings, TaskBot(db, settings, FrozenClock()))
    async with serve(build_app(channel.webhook_routes()), web):
        await channel.start(webhook=True)
        assert zalo.webhook is not None
        secret = zalo.webhook[1]
        assert len(secret) == 64 and TOKEN not in secret
        assert secret == Settings(zalo_token=TOKEN).zalo_webhook_secret()
        assert await zalo.deliver(text_update("/help"), secret=SECRET) == 403
        assert await zalo.deliver(text_update("/help")) == 200
        assert "/start" in zalo.text
        await channel.stop()
