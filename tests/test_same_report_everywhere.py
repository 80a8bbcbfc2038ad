"""One scripted conversation on the console, Telegram and Zalo gives the same stored report.

Each channel is driven the way its users answer: the console by typing option numbers,
Telegram by pressing buttons, Zalo by typing the option's text. The handlers are the same, so
the report, its indicator values and its revision must be identical.
"""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Protocol

import pytest
from sqlalchemy import select

from bot.app import TaskBot
from bot.channels.console import ConsoleChannel
from bot.channels.telegram import TelegramChannel
from bot.channels.zalo import ZaloChannel
from storage.db import Database
from storage.models import IndicatorValue, Report
from tests.chat import FrozenClock
from tests.fake_telegram import FakeTelegram, TelegramUser, fake_telegram
from tests.fake_zalo import FakeZalo, serve
from tests.org import invite
from tests.reporting import org_with_tasks
from tests.test_telegram import settings_for as telegram_settings
from tests.test_zalo import Rig, make_channel
from tests.test_zalo import make_settings as zalo_settings


class Driver(Protocol):
    """Sends a line or picks an option, and checks the bot answered with `expect`."""

    async def enroll(self, code: str) -> None: ...
    async def say(self, text: str, expect: str) -> None: ...
    async def choose(self, label: str, expect: str) -> None: ...


class ConsoleDriver:
    def __init__(self, bot: TaskBot, files: Path) -> None:
        self.out = io.StringIO()
        self.channel = ConsoleChannel(bot, out=self.out, files_dir=files)

    async def enroll(self, code: str) -> None:
        await self.say(f"/as {code}", "Trần Thị Hoà")

    async def say(self, text: str, expect: str) -> None:
        mark = len(self.out.getvalue())
        await self.channel.say(text)
        assert expect in self.out.getvalue()[mark:]

    async def choose(self, label: str, expect: str) -> None:
        options = re.findall(r"^  (\d+)\. (.*)$", self.out.getvalue(), re.MULTILINE)
        number = next(n for n, text in reversed(options) if label in text)
        await self.say(number, expect)


class TelegramDriver:
    def __init__(self, db: Database, fake: FakeTelegram) -> None:
        self.db = db
        self.user = TelegramUser(fake, 7001)

    async def enroll(self, code: str) -> None:
        await self.user.say(f"/start {await invite(self.db, code)}", expect="Trần Thị Hoà")

    async def say(self, text: str, expect: str) -> None:
        await self.user.say(text, expect=expect)

    async def choose(self, label: str, expect: str) -> None:
        await self.user.press(label, expect=expect)


class ZaloDriver:
    def __init__(self, rig: Rig) -> None:
        self.rig = rig

    async def enroll(self, code: str) -> None:
        await self.say(f"/start {await invite(self.rig.db, code)}", "Trần Thị Hoà")

    async def say(self, text: str, expect: str) -> None:
        assert expect in await self.rig.say(text)

    async def choose(self, label: str, expect: str) -> None:
        await self.say(label, expect)  # Zalo users answer a numbered question with its text


@asynccontextmanager
async def driver(channel: str, db: Database, files: Path) -> AsyncIterator[Driver]:
    if channel == "console":
        yield ConsoleDriver(TaskBot(db, zalo_settings(db, "http://unused"), FrozenClock()), files)
    elif channel == "telegram":
        async with fake_telegram() as fake:
            settings = telegram_settings(db, fake)
            bot = TaskBot(db, settings, FrozenClock())
            transport = TelegramChannel(settings, bot)
            await transport.start(webhook=False)
            try:
                yield TelegramDriver(db, fake)
            finally:
                await transport.stop()
    else:
        fake_zalo = FakeZalo()
        async with serve(fake_zalo.app) as url:
            settings = zalo_settings(db, url)
            bot = TaskBot(db, settings, FrozenClock())
            transport: ZaloChannel = make_channel(settings, bot)
            await transport.start(webhook=False)
            try:
                yield ZaloDriver(Rig(fake_zalo, transport, bot, db))
            finally:
                await transport.stop()


@pytest.mark.parametrize("channel", ["console", "telegram", "zalo"])
async def test_the_same_conversation_stores_the_same_report(
    db: Database, channel: str, tmp_path: Path
) -> None:
    people, tasks = await org_with_tasks(db)
    async with driver(channel, db, tmp_path) as chat:
        await chat.enroll("OA")
        await chat.say("/report 386.II.1", "Tình trạng thực hiện")
        await chat.choose("đang thực hiện", "phần trăm")
        await chat.say("120%", "từ 0 đến 100")  # re-asked on every channel
        await chat.say("45", "Chỉ tiêu 1/2")
        await chat.say("1.500", "Chỉ tiêu 2/2")
        await chat.say("62,5", "Kết quả đạt được")
        await chat.say("Đã số hoá 85 thủ tục hành chính", "khó khăn")
        await chat.say("Thiếu kinh phí, chưa có đường truyền", "đề xuất")
        await chat.say("/skip", "kiểm tra lại")
        await chat.choose("Gửi báo cáo", "Đã nhận báo cáo")
    async with db.session() as s:
        report = (await s.exec(select(Report))).scalar_one()
        values = (await s.exec(select(IndicatorValue).order_by(IndicatorValue.id))).scalars()
        stored = {
            "task": report.task_id,
            "period": report.period,
            "status": report.status,
            "percent": report.percent,
            "values": [value.value for value in values],
            "result": report.result,
            "obstacles": report.obstacles,
            "proposals": report.proposals,
            "revision": report.revision,
            "by": report.submitted_by_id,
        }
    assert stored == {
        "task": tasks["386.II.1"].id,
        "period": "2026-11",
        "status": "in_progress",
        "percent": 45,
        "values": [1500.0, 62.5],
        "result": "Đã số hoá 85 thủ tục hành chính",
        "obstacles": "Thiếu kinh phí, chưa có đường truyền",
        "proposals": None,
        "revision": 1,
        "by": people["OA"].id,
    }
