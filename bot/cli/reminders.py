"""`taskbot remind --dry-run|--now` and `taskbot cycle --period 2025-05`."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.table import Table

from bot.app import TaskBot
from bot.channels.base import Channel
from bot.channels.configured import configured_channels
from bot.channels.console import CHAT_ID, ConsoleChannel
from bot.cli import _, app, console, open_db
from bot.i18n import translator
from bot.settings import get_settings
from reminders.cycle import CycleRow
from reminders.cycle import cycle as cycle_rows
from reminders.dispatcher import DispatchPolicy, OutboxDispatcher
from reminders.periods import Period
from reminders.planner import REMINDER, PlannerResult, plan_messages, run_planner
from storage.recipients import Address


@app.command()
def remind(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be sent now, and why")
    ] = False,
    now: Annotated[bool, typer.Option("--now", help="Run one planner and dispatcher pass")] = False,
) -> None:
    """Reminders due now: list them (--dry-run) or send them (--now)."""
    if dry_run == now:
        console.print(_("Choose --dry-run or --now."))
        raise typer.Exit(2)
    settings = get_settings()
    catch_up = timedelta(days=settings.reminder_catch_up_days)
    database = open_db()

    async def go() -> tuple[PlannerResult, str]:
        moment = datetime.now(UTC)
        try:
            if dry_run:
                async with database.session() as session:
                    return await plan_messages(session, moment, catch_up=catch_up), ""
            result = await run_planner(database, moment, catch_up=catch_up)
            bot = TaskBot(database, settings)
            senders: dict[str, Channel] = configured_channels(settings, bot)
            fallback = None
            if not senders:
                # No messenger configured: the console shows what each person would receive.
                console_channel = ConsoleChannel(
                    bot, locale=settings.default_locale, out=sys.stdout
                )
                senders = {console_channel.name: console_channel}
                fallback = Address(console_channel.name, CHAT_ID)
            try:
                stats = await OutboxDispatcher(
                    database,
                    senders,
                    policy=DispatchPolicy.from_settings(settings),
                    fallback=fallback,
                ).run_once()
            finally:
                for sender in senders.values():
                    await sender.stop()
            return result, _("Sent {sent}, to retry {retried}, failed {failed}.").format(
                sent=stats.sent, retried=stats.retried, failed=stats.failed
            )
        finally:
            await database.dispose()

    result, summary = asyncio.run(go())
    _print_plan(result)
    if summary:
        console.print(summary)


def _print_plan(result: PlannerResult) -> None:
    t = translator(get_settings().default_locale, get_settings().timezone)
    table = Table(_("Recipient"), _("Message type"), _("Send time"), _("Tasks"), _("Why"))
    for message in result.messages:
        why = [
            _("{period}: deadline {deadline}, {when}").format(
                period=item.period.key,
                deadline=t.date(item.deadline),
                when=_("late by {days} working days").format(days=item.offset)
                if item.late
                else _("{days} working days before").format(days=-item.offset),
            )
            for item in message.items
        ]
        table.add_row(
            f"{message.recipient.code} — {message.recipient.full_name}",
            _("reminder") if message.kind == REMINDER else _("overdue digest"),
            t.datetime(message.at),
            "\n".join(item.code for item in message.items),
            "\n".join(why),
        )
    console.print(table)
    for skipped in result.skipped:
        console.print(
            _("Not sent: {what} ({reason})").format(what=skipped.what, reason=_(skipped.reason))
        )
    console.print(_("{count} messages due now.").format(count=len(result.messages)))


@app.command("cycle")
def cycle(
    period: Annotated[str, typer.Option("--period", help="A month (2025-05) or quarter (2025-Q2)")],
) -> None:
    """Per unit, for one period: reminders sent, delivered, failed; tasks due, reports in, late."""
    try:
        wanted = Period.parse(period)
    except ValueError as error:
        console.print(_("Write the period as 2025-05 or 2025-Q2."))
        raise typer.Exit(2) from error
    settings = get_settings()
    database = open_db()

    async def go() -> list[CycleRow]:
        try:
            async with database.session() as session:
                return await cycle_rows(session, wanted, datetime.now(settings.tz).date())
        finally:
            await database.dispose()

    rows = asyncio.run(go())
    table = Table(
        _("Unit"),
        _("Reminders"),
        _("Delivered"),
        _("Failed"),
        _("Tasks due"),
        _("Reports in"),
        _("Late"),
        title=_("Reporting cycle {period}").format(period=wanted.key),
    )
    for row in rows:
        table.add_row(
            "  " * row.depth + f"{row.unit_code} — {row.unit_name}",
            str(row.reminders),
            str(row.delivered),
            str(row.failed),
            str(row.tasks_due),
            str(row.reports),
            str(row.late),
        )
    console.print(table)
