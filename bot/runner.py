"""`taskbot run`: open the database, make sure it is current, start the channels."""

from __future__ import annotations

import logging

from sqlalchemy import func, select

from bot.app import TaskBot
from bot.channels.console import ConsoleChannel
from bot.settings import Settings
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
