"""`taskbot holidays add|import|list|remove`: the table of days off the calendar skips."""

from __future__ import annotations

import asyncio
import csv
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from babel.dates import format_date
from rich.table import Table

from bot.cli import _, app, console, open_db
from bot.i18n import translator
from bot.settings import get_settings
from reminders.calendar import ensure_fixed_holidays, parse_day
from storage.db import Database
from storage.holidays import list_holidays, put_holiday, remove_holiday

holidays_app = typer.Typer(help="Public holidays and other days off.", no_args_is_help=True)
app.add_typer(holidays_app, name="holidays")


def _today() -> date:
    return datetime.now(get_settings().tz).date()


def _day(text: str) -> date:
    try:
        return parse_day(text, _today())
    except ValueError as error:
        console.print(_("Not a date: {text}. Write it as dd/mm/yyyy.").format(text=text))
        raise typer.Exit(2) from error


def read_csv(path: Path, today: date) -> list[tuple[date, str]]:
    """Rows `date,name` (a header row is allowed); ValueError names the first bad line."""
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for number, row in enumerate(csv.reader(handle), start=1):
            if not row or not "".join(row).strip():
                continue
            try:
                day = parse_day(row[0], today)
            except ValueError:
                if number == 1:
                    continue  # a header
                raise ValueError(number) from None
            name = ",".join(row[1:]).strip()
            if not name:
                raise ValueError(number)
            rows.append((day, name[:255]))
    return rows


def _store(rows: list[tuple[date, str]]) -> int:
    """Put the days in the table; the number that were new."""
    database = open_db()
    return asyncio.run(_put(database, rows))


async def _put(database: Database, rows: list[tuple[date, str]]) -> int:
    try:
        async with database.session() as session:
            for year in sorted({day.year for day, _name in rows}):
                await ensure_fixed_holidays(session, year)
            added = 0
            for day, name in rows:
                added += await put_holiday(session, day, name)
            return added
    finally:
        await database.dispose()


@holidays_app.command("add")
def add(
    day: Annotated[str, typer.Argument(help="dd/mm/yyyy")],
    name: Annotated[str, typer.Argument(help="e.g. Tết Nguyên đán")],
) -> None:
    """Add a day off (or rename one already in the table)."""
    when = _day(day)
    added = _store([(when, name.strip()[:255])])
    t = translator(get_settings().default_locale, get_settings().timezone)
    message = _("Added {day}: {name}.") if added else _("Renamed {day}: {name}.")
    console.print(message.format(day=t.date(when), name=name.strip()), markup=False)


@holidays_app.command("import")
def import_(file: Annotated[Path, typer.Argument(help="CSV: date,name per line")]) -> None:
    """Add every day of a CSV file (e.g. this year's Tết); nothing is stored if a line is bad."""
    try:
        rows = read_csv(file, _today())
    except ValueError as error:
        console.print(
            _("Line {line} is not 'date,name'; nothing was imported.").format(line=error.args[0])
        )
        raise typer.Exit(2) from error
    except OSError as error:
        console.print(_("Cannot read {file}.").format(file=file))
        raise typer.Exit(2) from error
    added = _store(rows)
    console.print(
        _("{total} days read, {added} new.").format(total=len(rows), added=added), markup=False
    )


@holidays_app.command("list")
def list_(
    year: Annotated[int | None, typer.Option("--year", help="Default: this year")] = None,
) -> None:
    """The days off of a year (the fixed public holidays are filled in on first use)."""
    year = year or _today().year
    database = open_db()

    async def go() -> list[tuple[date, str]]:
        try:
            async with database.session() as session:
                await ensure_fixed_holidays(session, year)
                return [(h.day, h.name) for h in await list_holidays(session, year)]
        finally:
            await database.dispose()

    settings = get_settings()
    t = translator(settings.default_locale, settings.timezone)
    table = Table(_("Date"), _("Day"), _("Name"), title=_("Days off in {year}").format(year=year))
    for day, name in asyncio.run(go()):
        table.add_row(t.date(day), format_date(day, "EEEE", locale=t.locale), name)
    console.print(table)


@holidays_app.command("remove")
def remove(day: Annotated[str, typer.Argument(help="dd/mm/yyyy")]) -> None:
    """Remove a day off (e.g. a make-up day the government moved)."""
    when = _day(day)
    database = open_db()

    async def go() -> bool:
        try:
            async with database.session() as session:
                await ensure_fixed_holidays(session, when.year)
                return await remove_holiday(session, when)
        finally:
            await database.dispose()

    t = translator(get_settings().default_locale, get_settings().timezone)
    if not asyncio.run(go()):
        console.print(_("{day} is not a day off in the table.").format(day=t.date(when)))
        raise typer.Exit(1)
    console.print(_("Removed {day}.").format(day=t.date(when)))
