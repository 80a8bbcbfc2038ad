"""Ticks the planner and the dispatcher on APScheduler 3 interval jobs; it holds no state.

Both jobs coalesce missed runs into one and never overlap themselves, and the planner's first
run is at start-up, so a restart catches up on what was due during the downtime at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.channels.base import Sender
from bot.settings import Settings
from reminders.dispatcher import Clock, DispatchPolicy, OutboxDispatcher, system_clock
from reminders.planner import run_planner
from storage.db import Database
from storage.recipients import Address


def build_scheduler(
    db: Database,
    settings: Settings,
    senders: Mapping[str, Sender],
    clock: Clock = system_clock,
    *,
    fallback: Address | None = None,
) -> AsyncIOScheduler:
    """A scheduler (not started) with the planner and dispatcher jobs; `start()` it in a loop."""
    dispatcher = OutboxDispatcher(
        db,
        senders,
        clock=clock,
        policy=DispatchPolicy.from_settings(settings),
        fallback=fallback,
    )
    catch_up = timedelta(days=settings.reminder_catch_up_days)

    async def plan() -> None:
        await run_planner(db, clock(), catch_up=catch_up)

    async def dispatch() -> None:
        await dispatcher.run_once()

    scheduler = AsyncIOScheduler(timezone=settings.tz)
    now = datetime.now(UTC)
    for job, interval in (
        (plan, settings.planner_interval_seconds),
        (dispatch, settings.dispatch_interval_seconds),
    ):
        scheduler.add_job(
            job,
            IntervalTrigger(seconds=interval, timezone=settings.tz),
            id=job.__name__,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
            next_run_time=now,
        )
    return scheduler
