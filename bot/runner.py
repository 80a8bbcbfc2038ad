"""`taskbot run`: open the database, make sure it is current, start the channels.

With no channel token it is the terminal chat (on the embedded SQLite default it migrates and
loads the sample plan). With a Telegram and/or Zalo token it starts those channels (polling, or
webhook behind one web server when `TASKBOT_WEBHOOK_URL` is set) and the reminder scheduler,
and runs until SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

import uvicorn
from sqlalchemy import func, select

from bot.app import TaskBot
from bot.channels.base import Channel
from bot.channels.configured import configured_channels
from bot.channels.console import ConsoleChannel
from bot.settings import Settings
from bot.web import build_app
from storage.db import Database
from storage.migrate import ensure_current
from storage.models import Plan

log = logging.getLogger(__name__)


def is_embedded_default(settings: Settings) -> bool:
    """No channel token and a SQLite database: the self-contained demo of `make run`."""
    return not settings.has_channel_token and settings.database_url.startswith("sqlite")


async def load_sample_if_empty(db: Database, settings: Settings) -> bool:
    """Import the sample plan into a database that has no plan yet; True when it did."""
    from storage.plan_import import import_plan

    async with db.session() as session:
        plans = (await session.exec(select(func.count()).select_from(Plan))).scalar_one()
    if plans:
        return False
    result = await import_plan(db, settings.sample_plan, actor="sample")
    if result.errors:
        raise RuntimeError(f"the sample plan does not import: {result.errors[:3]}")
    return True


async def run_console(settings: Settings) -> None:
    """The terminal chat on the configured database (migrated and seeded when embedded)."""
    db = Database(settings.database_url)
    try:
        embedded = is_embedded_default(settings)
        await ensure_current(db.engine, migrate=settings.auto_migrate or embedded)
        if embedded and await load_sample_if_empty(db, settings):
            log.info("sample plan loaded from %s", settings.sample_plan)
        bot = TaskBot(db, settings)
        await ConsoleChannel(bot, locale=settings.default_locale).run()
    finally:
        await db.dispose()


async def run_channels(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Serve every configured channel and send reminders until `stop` is set (or a signal)."""
    from reminders.scheduler import build_scheduler

    stop = stop or _stop_on_signals()
    db = Database(settings.database_url)
    await ensure_current(db.engine, migrate=settings.auto_migrate)
    bot = TaskBot(db, settings)
    senders = configured_channels(settings, bot)
    channels = list(senders.values())
    webhook = settings.webhook_url is not None
    scheduler = build_scheduler(db, settings, senders)
    started: list[Channel] = []
    server: uvicorn.Server | None = None
    try:
        for channel in channels:
            await channel.start(webhook=webhook)
            started.append(channel)
        if webhook:
            host, _sep, port = settings.webhook_listen.rpartition(":")
            routes = [route for channel in channels for route in channel.webhook_routes()]
            config = uvicorn.Config(
                build_app(routes), host=host or "127.0.0.1", port=int(port), log_config=None
            )
            server = uvicorn.Server(config)
            # The runner owns the signals: uvicorn must not install its own handlers.
            server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
            serving = asyncio.create_task(server.serve(), name="webhook-server")
        scheduler.start()
        log.info("taskbot running: %s", ", ".join(channel.name for channel in channels))
        await stop.wait()
    finally:
        log.info("taskbot stopping")
        if scheduler.running:
            scheduler.shutdown(wait=False)
        if server is not None:
            server.should_exit = True
            with contextlib.suppress(Exception):
                await serving
        for channel in reversed(started):
            await channel.stop()
        await db.dispose()


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return stop
