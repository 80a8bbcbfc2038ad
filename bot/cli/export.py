"""`taskbot export`: the compiled period report as XLSX or CSV, with a progress bar."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from bot.cli import _, app, console, open_db
from bot.i18n import translator
from bot.settings import get_settings
from handlers.export import status_charts
from reminders.periods import Period
from storage.export import count_rows, roots
from storage.export_files import compile_report

FORMATS = {".xlsx": "xlsx", ".csv": "csv"}
COLUMNS = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())


@app.command("export")
def export(
    period: Annotated[str, typer.Option("--period", help="2025-05 (a month) or 2025-Q2")],
    output: Annotated[Path, typer.Option("-o", "--output", help="FILE.xlsx or FILE.csv")],
    unit: Annotated[
        str | None, typer.Option("--unit", help="Only this unit and the units below it")
    ] = None,
) -> None:
    """Compile every task's report for a period: one sheet per unit level and a summary."""
    settings = get_settings()
    fmt = FORMATS.get(output.suffix.lower())
    try:
        wanted = Period.parse(period)
    except ValueError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from error
    if fmt is None:
        console.print(_("The output file must end in .xlsx or .csv."))
        raise typer.Exit(2)
    database = open_db()
    t = translator(settings.default_locale, settings.timezone)

    async def go(stream: IO[bytes]) -> int | None:
        try:
            async with database.session() as session:
                units = await roots(session, unit)
                if not units:
                    return None
                total = await count_rows(session, units, wanted)
                now = datetime.now(UTC)
                charts = await status_charts(session, t, units, now)
                with Progress(*COLUMNS, console=console) as bar:
                    job = bar.add_task(_("Tasks"), total=total)
                    return await compile_report(
                        session,
                        stream,
                        fmt=fmt,
                        units=units,
                        period=wanted,
                        now=now,
                        t=t,
                        images=charts,
                        progress=lambda n: bar.advance(job, n),
                    )
        finally:
            await database.dispose()

    with output.open("wb") as stream:
        written = asyncio.run(go(stream))
    if written is None:
        output.unlink()
        console.print(_("There is no unit with code {code}.").format(code=unit))
        raise typer.Exit(1)
    console.print(_("{n} tasks written to {file}.").format(n=written, file=output))
