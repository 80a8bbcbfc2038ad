"""`taskbot run` with tokens: Telegram and Zalo together, the scheduler, polling and webhook.

Runs the real runner (`bot.runner.run_channels`) against the fake Telegram and Zalo servers.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx

from bot.runner import run_channels
from bot.settings import Settings
from storage.db import Database
from storage.models import Outbox
from tests.fake_telegram import TOKEN as TELEGRAM_TOKEN
from tests.fake_telegram import FakeTelegram, TelegramUser, fake_telegram
from tests.fake_zalo import TOKEN as ZALO_TOKEN
from tests.fake_zalo import FakeZalo, serve, text_update
from tests.org import invite, small_org

SECRET = "s3cret-webhook-token"


async def until(check: Callable[[], Any], seconds: float = 15) -> Any:
    for _ in range(int(seconds * 50)):
        if value := check():
            return value
        await asyncio.sleep(0.02)
    raise AssertionError("timed out")


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(run_channels(settings, stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)


def both_channels(db: Database, telegram: FakeTelegram, zalo_url: str, **extra: Any) -> Settings:
    return Settings(
        database_url=db.url,
        telegram_token=TELEGRAM_TOKEN,
        telegram_api_base=telegram.api_base,
        telegram_file_base=telegram.file_base,
        telegram_poll_timeout=1,
        telegram_chat_rate_per_second=1000,
        telegram_retry_backoff=0.05,
        zalo_token=ZALO_TOKEN,
        zalo_api_base=f"{zalo_url}/bot",
        zalo_poll_timeout=1,
        planner_interval_seconds=3600,
        dispatch_interval_seconds=0.2,
        **extra,
    )


async def test_both_channels_and_messages_follow_the_channel_used_last(db: Database) -> None:
    people = await small_org(db)
    zalo = FakeZalo()
    async with fake_telegram() as telegram, serve(zalo.app) as zalo_url:
        async with running(both_channels(db, telegram, zalo_url)):
            user = TelegramUser(telegram, 5001)
            await user.say(f"/start {await invite(db, 'OA')}", expect="Trần Thị Hoà")
            # Later the same officer enrolls on Zalo: Zalo becomes the channel used last.
            await zalo.updates.put(text_update(f"/start {await invite(db, 'OA')}", user="z1"))
            await until(lambda: any("Trần Thị Hoà" in text for text in zalo.texts("z1")))
            now = datetime.now(UTC)
            async with db.session() as s:
                s.add(
                    Outbox(
                        dedupe_key="test:meeting",
                        kind="notice",
                        officer_id=people["OA"].id,
                        text="Họp giao ban lúc 8:00 thứ Hai",
                        not_before=now,
                        created_at=now,
                    )
                )
            # The scheduler's dispatcher sends it, on Zalo only.
            await until(lambda: any("Họp giao ban" in text for text in zalo.texts("z1")))
        assert not any("Họp giao ban" in text for text in telegram.texts(5001))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_webhook_mode_serves_healthz_and_the_channels_routes(db: Database) -> None:
    await small_org(db)
    port = free_port()
    zalo = FakeZalo()
    async with fake_telegram() as telegram, serve(zalo.app) as zalo_url:
        settings = both_channels(
            db,
            telegram,
            zalo_url,
            webhook_url=f"http://127.0.0.1:{port}",
            webhook_secret=SECRET,
            webhook_listen=f"127.0.0.1:{port}",
        )
        async with running(settings), httpx.AsyncClient() as client:

            async def healthy() -> bool:
                try:
                    return (await client.get(f"http://127.0.0.1:{port}/healthz")).is_success
                except httpx.TransportError:
                    return False

            for _ in range(500):
                if await healthy():
                    break
                await asyncio.sleep(0.02)
            assert zalo.webhook == (f"http://127.0.0.1:{port}/zalo", SECRET)
            assert any(call.method == "setWebhook" for call in telegram.calls)
            assert await zalo.deliver(text_update("/help", user="z2"), secret="wrong") == 403
            assert zalo.texts("z2") == []
            assert await zalo.deliver(text_update("/help", user="z2")) == 200
            await until(lambda: any("/start" in text for text in zalo.texts("z2")))
            tg = TelegramUser(telegram, 6001, deliver=lambda update: client.post(
                f"http://127.0.0.1:{port}/telegram",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            ))  # fmt: skip
            await tg.say("/help", expect="/start")
