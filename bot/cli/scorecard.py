"""`taskbot scorecard`: units and officers over a range of months, ranked; a table or a file."""

from __future__ import annotations

import asyncio
import csv
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from openpyxl import Workbook
from rich.table import Table

from bot.cli import _, app, console, open_db
from bot.i18n import N_, Translator, translator
from bot.settings import get_settings
from reminders.periods import Period
from storage.scorecard import Score, Scorecard, scorecard
from storage.units import unit_by_code

HEADERS = (
    N_("Rank"),
    N_("Code"),
    N_("Unit or person"),
    N_("Unit"),
    N_("Reports owed"),
    N_("Reports received"),
    N_("Reporting rate"),
    N_("On-time rate"),
    N_("Completed on time"),
    N_("Completed late"),
    N_("Overdue"),
    N_("Indicators reaching target"),
)


def _rate(t: Translator, value: float | None) -> str:
    return t.percent(value) if value is not None else "—"


def values(t: Translator, score: Score) -> list[Any]:
    reached = f"{score.indicators_reached}/{score.indicators}" if score.indicators else "—"
    return [
        score.rank if score.rank is not None else "—",
        score.code,
        score.name,
        score.unit,
        score.owed,
        score.received,
        _rate(t, score.reporting_rate),
        _rate(t, score.on_time_rate),
        score.completed_on_time,
        score.completed_late,
        score.overdue,
        reached,
    ]


def _sections(t: Translator, card: Scorecard) -> list[tuple[str, list[Score]]]:
    return [(t("Units"), card.units), (t("Officers"), card.officers)]


def _write(path: Path, t: Translator, card: Scorecard) -> None:
    headers = [t(h) for h in HEADERS]
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow([t("Scorecard"), *headers])
            for title, scores in _sections(t, card):
                for score in scores:
                    writer.writerow([title, *values(t, score)])
        return
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, scores in _sections(t, card):
        sheet = workbook.create_sheet(title)
        sheet.append(headers)
        for score in scores:
            sheet.append(values(t, score))
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    workbook.save(path)


@app.command("scorecard")
def scorecard_command(
    first: Annotated[str, typer.Option("--from", help="First month, e.g. 2025-01")],
    last: Annotated[str, typer.Option("--to", help="Last month, e.g. 2025-12")],
    unit: Annotated[str | None, typer.Option("--unit", help="Only this unit's subtree")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="FILE.xlsx or .csv")] = None,
) -> None:
    """Reporting and on-time rates, completions and indicators per unit and officer, ranked."""
    settings = get_settings()
    try:
        start, end = Period.parse(first), Period.parse(last)
    except ValueError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from error
    if output is not None and output.suffix.lower() not in (".xlsx", ".csv"):
        console.print(_("The output file must end in .xlsx or .csv."))
        raise typer.Exit(2)
    database = open_db()
    t = translator(settings.default_locale, settings.timezone)

    async def go() -> Scorecard | None:
        try:
            async with database.session() as session:
                root = await unit_by_code(session, unit) if unit else None
                if unit and root is None:
                    return None
                today = datetime.now(UTC).astimezone(settings.tz).date()
                return await scorecard(session, start, end, today, root=root, tz=settings.timezone)
        finally:
            await database.dispose()

    card = asyncio.run(go())
    if card is None:
        console.print(_("There is no unit with code {code}.").format(code=unit))
        raise typer.Exit(1)
    if output is not None:
        _write(output, t, card)
        console.print(_("Scorecard written to {file}.").format(file=output))
        return
    for title, scores in _sections(t, card):
        table = Table(*(t(h) for h in HEADERS), title=f"{title}: {start.key} – {end.key}")
        for score in scores:
            table.add_row(*(str(v) for v in values(t, score)))
        console.print(table)
