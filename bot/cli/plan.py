"""`taskbot template` and `taskbot import-plan`: the plan spreadsheet from the command line."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.cli import _, app, console, open_db
from bot.i18n import N_
from bot.settings import get_settings
from storage.plan_import import ImportResult, import_plan
from storage.plan_template import write_plan_workbook

NO_CHANGES = N_("no changes")
_ENTITIES = {
    "plans": N_("Plan"),
    "units": N_("Units"),
    "officers": N_("Officers"),
    "tasks": N_("Tasks"),
    "indicators": N_("Indicators"),
    "milestones": N_("Roadmap"),
}
_ACTIONS = {
    "created": N_("{n} new"),
    "updated": N_("{n} updated"),
    "moved": N_("{n} moved"),
    "deactivated": N_("{n} no longer in the plan (deactivated)"),
    "deleted": N_("{n} removed"),
}
_STAGES = {"read": N_("Reading"), "check": N_("Checking"), "write": N_("Writing")}


@app.command()
def template(
    path: Annotated[Path, typer.Argument(help="Where to write the .xlsx template")],
) -> None:
    """Write an empty plan workbook: every sheet, Vietnamese headers and an explanation row."""
    write_plan_workbook(path, locale=get_settings().default_locale)
    console.print(_("Template written to {path}").format(path=path))


@app.command("import-plan")
def import_plan_command(
    source: Annotated[Path, typer.Argument(help="An .xlsx workbook or a folder of .csv files")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and count, write nothing")
    ] = False,
) -> None:
    """Import (or re-import) a plan; nothing is written if any row is wrong."""
    database = open_db()

    async def go() -> ImportResult:
        try:
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            ) as bar:
                job = bar.add_task("", total=None)

                def progress(stage: str, done: int, total: int) -> None:
                    bar.update(job, description=_(_STAGES[stage]), completed=done, total=total)

                return await import_plan(
                    database, source, dry_run=dry_run, actor="cli", progress=progress
                )
        finally:
            await database.dispose()

    result = asyncio.run(go())
    for error in result.errors:
        console.print(str(error), markup=False, highlight=False)
    for warning in result.warnings:
        console.print(f"[yellow]{warning}[/yellow]")
    if result.errors:
        console.print(
            "[red]"
            + _("Errors: {count}. Nothing was imported.").format(count=len(result.errors))
            + "[/red]"
        )
        raise typer.Exit(1)
    done = _("Dry run, nothing written") if dry_run else _("Imported plan {code}")
    console.print(done.format(code=result.plan_code) + ":")
    lines = summary(result.counts)
    console.print("\n".join(lines) if lines else _(NO_CHANGES), markup=False)


def summary(counts: dict[str, int]) -> list[str]:
    """One line per kind of row that changed, e.g. `Nhiệm vụ: 30 mới, 2 cập nhật`."""
    lines = []
    for entity, label in _ENTITIES.items():
        parts = [
            _(text).format(n=counts[f"{entity}.{action}"])
            for action, text in _ACTIONS.items()
            if counts.get(f"{entity}.{action}")
        ]
        if parts:
            lines.append(f"  {_(label)}: {', '.join(parts)}")
    return lines
