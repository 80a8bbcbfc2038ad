"""`taskbot period close|reopen|list`: the office ends a reporting period."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from bot.cli import _, app, console, open_db
from bot.i18n import translator
from bot.settings import get_settings
from reminders.periods import Period
from storage.closing import close_period, list_closed, reopen_period
from storage.models import Plan

period_app = typer.Typer(
    help="Reporting periods: close them when the cycle ends.", no_args_is_help=True
)
app.add_typer(period_app, name="period")

PlanOption = Annotated[str | None, typer.Option("--plan", help="Plan code (default: every plan)")]


def _period(text: str) -> Period:
    try:
        period = Period.parse(text)
    except ValueError as error:
        console.print(_("Not a period: {text}. Write 2025-05 or 2025-Q2.").format(text=text))
        raise typer.Exit(2) from error
    if period.start > datetime.now(get_settings().tz).date():
        console.print(_("{period} has not begun yet.").format(period=period.key))
        raise typer.Exit(2)
    return period


def _change(period: Period, plan_code: str | None, reopen: bool) -> list[str]:
    database = open_db()
    change = reopen_period if reopen else close_period

    async def go() -> list[str] | None:
        try:
            async with database.session() as session:
                query = select(Plan).order_by(Plan.code)
                if plan_code:
                    query = query.where(Plan.code == plan_code)
                plans = list((await session.exec(query)).scalars().all())
                if not plans:
                    return None
                changed = await change(
                    session, plans, period.key, actor="cli", now=datetime.now(UTC)
                )
                return [plan.code for plan in changed]
        finally:
            await database.dispose()

    codes = asyncio.run(go())
    if codes is None:
        console.print(_("No plan matches."))
        raise typer.Exit(1)
    return codes


@period_app.command("close")
def close(
    period: Annotated[str, typer.Argument(help="2025-05 or 2025-Q2")], plan: PlanOption = None
) -> None:
    """Close a period: its reports are refused from now on; the missing ones count as missed."""
    closed = _change(_period(period), plan, reopen=False)
    if not closed:
        console.print(_("{period} was already closed.").format(period=period))
        return
    console.print(
        _("Closed {period} for: {plans}.").format(period=period, plans=", ".join(closed)),
        markup=False,
    )


@period_app.command("reopen")
def reopen(
    period: Annotated[str, typer.Argument(help="2025-05 or 2025-Q2")], plan: PlanOption = None
) -> None:
    """Reopen a closed period (reports are accepted again, marked late)."""
    reopened = _change(_period(period), plan, reopen=True)
    if not reopened:
        console.print(_("{period} is not closed.").format(period=period))
        raise typer.Exit(1)
    console.print(
        _("Reopened {period} for: {plans}.").format(period=period, plans=", ".join(reopened)),
        markup=False,
    )


@period_app.command("list")
def list_() -> None:
    """The closed periods, by plan, with who closed them and when."""
    database = open_db()

    async def go() -> list[tuple[str, str, datetime, str]]:
        try:
            async with database.session() as session:
                return [
                    (closed.period, plan.code, closed.closed_at, closed.closed_by)
                    for closed, plan in await list_closed(session)
                ]
        finally:
            await database.dispose()

    rows = asyncio.run(go())
    if not rows:
        console.print(_("No period is closed yet."))
        return
    settings = get_settings()
    t = translator(settings.default_locale, settings.timezone)
    table = Table(_("Period"), _("Plan"), _("Closed at"), _("By"))
    for period, plan, at, by in rows:
        table.add_row(period, plan, t.datetime(at), by)
    console.print(table)
