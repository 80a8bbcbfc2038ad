"""`taskbot notice send|status`: the standing office's broadcasts from the command line."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from bot.cli import _, app, console, open_db
from bot.i18n import translator
from bot.settings import get_settings
from handlers.notice import (
    MAX_TEXT,
    ack_token,
    parse_local_datetime,
    queued_lines,
    status_lines,
)
from storage.notices import Audience, AudienceError, Queued, create_notice, notice_status

notice_app = typer.Typer(help="Notices to officers and units.", no_args_is_help=True)
app.add_typer(notice_app, name="notice")


@notice_app.command("send")
def send(
    to: Annotated[
        str, typer.Option("--to", help="UNIT, UNIT+ (with the units below), role:head, all")
    ],
    text: Annotated[str | None, typer.Option("--text", help="The notice's text")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Read the text from this UTF-8 file")
    ] = None,
    at: Annotated[
        str | None, typer.Option("--at", help='Send later: "dd/mm/yyyy HH:MM" (local time)')
    ] = None,
) -> None:
    """Queue a notice for every member of the audience (each gets a "Received" button)."""
    settings = get_settings()
    body = (file.read_text(encoding="utf-8") if file else text or "").strip()
    if not body or len(body) > MAX_TEXT:
        console.print(_("Give the text with --text or --file (at most 2,000 characters)."))
        raise typer.Exit(2)
    try:
        audience = Audience.parse(to)
        send_at = parse_local_datetime(at, settings.tz) if at else None
    except (AudienceError, ValueError) as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from error
    database = open_db()

    async def go() -> Queued:
        try:
            async with database.session() as session:
                return await create_notice(
                    session,
                    body,
                    audience,
                    now=datetime.now(UTC),
                    send_at=send_at,
                    ack_token=ack_token,
                    created_by="cli",
                    timezone=settings.timezone,
                )
        finally:
            await database.dispose()

    try:
        queued = asyncio.run(go())
    except AudienceError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from error
    t = translator(settings.default_locale, settings.timezone)
    console.print("\n".join(queued_lines(queued, t)), markup=False)


@notice_app.command("status")
def status(notice_id: Annotated[int, typer.Argument(help="The notice's number")]) -> None:
    """Who received, acknowledged, is still waiting for or could not be reached by a notice."""
    settings = get_settings()
    database = open_db()

    async def go() -> list[str] | None:
        try:
            async with database.session() as session:
                found = await notice_status(session, notice_id)
                t = translator(settings.default_locale, settings.timezone)
                return status_lines(found, t, limit=10_000) if found else None
        finally:
            await database.dispose()

    lines = asyncio.run(go())
    if lines is None:
        console.print(_("There is no notice #{id}.").format(id=notice_id))
        raise typer.Exit(1)
    console.print("\n".join(lines), markup=False)
