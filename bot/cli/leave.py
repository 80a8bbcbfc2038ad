"""`taskbot leave add|list|cancel`: the office records an officer's leave."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import aliased

from bot.cli import _, app, console, open_db
from bot.i18n import translator
from bot.settings import get_settings
from reminders.calendar import parse_day
from storage.leave import LeaveError, add_leave, cancel_leave, officer_by_code
from storage.models import Leave, Officer

leave_app = typer.Typer(
    help="Officers' leave (no reminders; a delegate gets them).", no_args_is_help=True
)
app.add_typer(leave_app, name="leave")


@leave_app.command("add")
def add(
    officer: Annotated[str, typer.Argument(help="Officer code")],
    start: Annotated[str, typer.Argument(help="First day, dd/mm/yyyy")],
    end: Annotated[str, typer.Argument(help="Last day, dd/mm/yyyy")],
    delegate: Annotated[
        str | None, typer.Option("--delegate", help="Code of the officer who stands in")
    ] = None,
) -> None:
    """Record leave: no reminders on those days; the delegate receives them and may report."""
    settings = get_settings()
    today = datetime.now(settings.tz).date()
    try:
        first, last = parse_day(start, today), parse_day(end, today)
    except ValueError as error:
        console.print(_("Write the dates as dd/mm/yyyy."))
        raise typer.Exit(2) from error
    database = open_db()

    async def go() -> str | None:
        try:
            async with database.session() as session:
                person = await officer_by_code(session, officer)
                if person is None:
                    return _("No person with code {code}.").format(code=officer)
                stand_in = None
                if delegate:
                    stand_in = await officer_by_code(session, delegate)
                    if stand_in is None:
                        return _("No person with code {code}.").format(code=delegate)
                await add_leave(
                    session,
                    person,
                    first,
                    last,
                    delegate=stand_in,
                    actor="cli",
                    actor_officer=None,
                    now=datetime.now(UTC),
                    today=today,
                )
                return None
        except LeaveError as error:
            return _(str(error))
        finally:
            await database.dispose()

    problem = asyncio.run(go())
    if problem:
        console.print(problem, markup=False)
        raise typer.Exit(1)
    t = translator(settings.default_locale, settings.timezone)
    console.print(
        _("Leave recorded for {code}: {start} – {end}.").format(
            code=officer, start=t.date(first), end=t.date(last)
        ),
        markup=False,
    )


@leave_app.command("list")
def list_(
    officer: Annotated[str | None, typer.Option("--officer", help="Only this officer")] = None,
) -> None:
    """Leave that has not ended yet."""
    settings = get_settings()
    today = datetime.now(settings.tz).date()
    database = open_db()
    stand_in = aliased(Officer)

    async def go() -> list[tuple[int, str, date, date, str]]:
        try:
            async with database.session() as session:
                query = (
                    select(Leave, Officer.code, stand_in.code)
                    .join(Officer, Officer.id == Leave.officer_id)
                    .outerjoin(stand_in, stand_in.id == Leave.delegate_id)
                    .where(Leave.end_date >= today)  # type: ignore[operator]
                    .order_by(Leave.start_date, Officer.code)
                )
                if officer:
                    query = query.where(Officer.code == officer)
                return [
                    (leave.id, code, leave.start_date, leave.end_date, delegate or "")
                    for leave, code, delegate in (await session.exec(query)).all()
                ]
        finally:
            await database.dispose()

    rows = asyncio.run(go())
    if not rows:
        console.print(_("No upcoming leave."))
        return
    t = translator(settings.default_locale, settings.timezone)
    table = Table("#", _("Officer"), _("From"), _("To"), _("Delegate"))
    for number, code, first, last, delegate in rows:
        table.add_row(str(number), code, t.date(first), t.date(last), delegate)
    console.print(table)


@leave_app.command("cancel")
def cancel(number: Annotated[int, typer.Argument(help="The leave's # from `leave list`")]) -> None:
    """Cancel recorded leave."""
    database = open_db()

    async def go() -> bool:
        try:
            async with database.session() as session:
                leave = await session.get(Leave, number)
                if leave is None:
                    return False
                await cancel_leave(
                    session,
                    leave,
                    actor="cli",
                    actor_officer=None,
                    now=datetime.now(UTC),
                    today=datetime.now(get_settings().tz).date(),
                )
                return True
        finally:
            await database.dispose()

    if not asyncio.run(go()):
        console.print(_("There is no leave #{id}.").format(id=number))
        raise typer.Exit(1)
    console.print(_("Leave #{id} cancelled.").format(id=number))
