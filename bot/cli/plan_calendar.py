"""`taskbot calendar show|set|unset`: a plan's reporting calendar and its overrides."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.table import Table
from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli import _, app, console, open_db
from bot.i18n import translator
from bot.settings import get_settings
from reminders.calendar import CalendarConfig, WorkingCalendar, load_calendar
from reminders.periods import Period
from storage.models import AuditEvent, Plan

calendar_app = typer.Typer(
    help="A plan's reporting calendar: due days, reminder times.", no_args_is_help=True
)
app.add_typer(calendar_app, name="calendar")


def _value(text: str) -> Any:
    """'5' → 5, 'false' → False, '[-3, 0]' → a list; anything else stays text ('-3,0', '08:00')."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _assignments(pairs: list[str]) -> dict[str, Any]:
    changes = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            console.print(_("Write each setting as name=value, e.g. monthly_due_day=25."))
            raise typer.Exit(2)
        changes[key.strip()] = _value(value.strip())
    return changes


async def _plan(session: AsyncSession, code: str) -> Plan | None:
    return (await session.exec(select(Plan).where(Plan.code == code))).scalars().first()


@calendar_app.command("show")
def show(
    plan: Annotated[str | None, typer.Option("--plan", help="Plan code")] = None,
    period: Annotated[
        str | None, typer.Option("--period", help="Also its deadline and send times")
    ] = None,
) -> None:
    """The settings in force (the plan's overrides marked), and optionally one period's dates."""
    try:
        wanted = Period.parse(period) if period else None
    except ValueError as error:
        console.print(_("Not a period: {text}. Write 2025-05 or 2025-Q2.").format(text=period))
        raise typer.Exit(2) from error
    database = open_db()

    async def go() -> tuple[dict[str, Any], WorkingCalendar] | None:
        try:
            async with database.session() as session:
                found = await _plan(session, plan) if plan else None
                if plan and found is None:
                    return None
                overrides = found.calendar if found else {}
                return overrides, await load_calendar(session, found)
        finally:
            await database.dispose()

    loaded = asyncio.run(go())
    if loaded is None:
        console.print(_("No plan matches."))
        raise typer.Exit(1)
    overrides, calendar = loaded
    table = Table(_("Setting"), _("Value"), _("Source"))
    for name, value in calendar.config.model_dump(mode="json").items():
        source = _("plan") if name in overrides else _("default")
        table.add_row(name, json.dumps(value, ensure_ascii=False), source)
    console.print(table)
    if wanted is not None:
        settings = get_settings()
        t = translator(settings.default_locale, settings.timezone)
        lines = [
            _("{period}: data as of {cutoff}, due {due}, deadline {deadline}.").format(
                period=wanted.key,
                cutoff=t.date(calendar.cutoff(wanted)),
                due=t.date(calendar.due_date(wanted)),
                deadline=t.date(calendar.deadline(wanted)),
            )
        ]
        for send in calendar.send_times(wanted):
            lines.append(f"  {send.kind.value} {send.offset:+d}: {t.datetime(send.at)}")
        console.print("\n".join(lines), markup=False)


def _update(code: str, changes: dict[str, Any], removed: list[str]) -> dict[str, Any]:
    database = open_db()

    async def go() -> dict[str, Any] | None:
        try:
            async with database.session() as session:
                found = await _plan(session, code)
                if found is None:
                    return None
                found.calendar = CalendarConfig.overridden(found.calendar, changes, removed)
                session.add(found)
                session.add(
                    AuditEvent(
                        at=datetime.now(UTC),
                        actor="cli",
                        action="plan.calendar",
                        entity="plan",
                        entity_id=code,
                        detail={"set": changes, "unset": removed},
                    )
                )
                return found.calendar
        finally:
            await database.dispose()

    try:
        result = asyncio.run(go())
    except ValidationError as error:
        console.print(_("Not a valid calendar, nothing changed:"), markup=False)
        for problem in error.errors():
            where = ".".join(str(part) for part in problem["loc"])
            console.print(f"  {where}: {problem['msg']}", markup=False)
        raise typer.Exit(2) from error
    if result is None:
        console.print(_("No plan matches."))
        raise typer.Exit(1)
    return result


@calendar_app.command("set")
def set_(
    plan: Annotated[str, typer.Argument(help="Plan code")],
    settings: Annotated[list[str], typer.Argument(help="name=value, e.g. monthly_due_day=25")],
) -> None:
    """Override calendar settings for one plan (checked before anything is stored)."""
    result = _update(plan, _assignments(settings), [])
    console.print(
        _("Calendar of {plan}: {overrides}").format(
            plan=plan, overrides=json.dumps(result, ensure_ascii=False)
        ),
        markup=False,
    )


@calendar_app.command("unset")
def unset(
    plan: Annotated[str, typer.Argument(help="Plan code")],
    names: Annotated[list[str], typer.Argument(help="Settings to return to the default")],
) -> None:
    """Drop a plan's overrides: those settings return to the defaults."""
    result = _update(plan, {}, names)
    console.print(
        _("Calendar of {plan}: {overrides}").format(
            plan=plan, overrides=json.dumps(result, ensure_ascii=False)
        ),
        markup=False,
    )
