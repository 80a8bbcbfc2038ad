"""The `taskbot` command line: run the bot, migrate, enroll people, and the office's tools."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from telegram.helpers import create_deep_linked_url

from bot.channels.telegram import fetch_username
from bot.i18n import translator
from bot.logging import setup_logging
from bot.settings import get_settings
from storage.db import Database
from storage.enrollment import create_invite
from storage.migrate import SchemaOutOfDate, ensure_current, upgrade
from storage.models import Officer, Unit

app = typer.Typer(help="taskbot: progress reporting for Resolution 57 plans.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
console = Console()


def _(message: str) -> str:
    return translator(get_settings().default_locale)(message)


def open_db() -> Database:
    """The configured database, refusing to go on when its schema is not current."""
    settings = get_settings()
    database = Database(settings.database_url)

    async def check() -> None:
        try:
            await ensure_current(database.engine, migrate=settings.auto_migrate)
        finally:
            # The pool's connections belong to this event loop; commands run their own.
            await database.engine.dispose()

    try:
        asyncio.run(check())
    except SchemaOutOfDate as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from error
    return database


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply pending migrations to the configured database."""
    database = Database(get_settings().database_url)

    async def go() -> None:
        await upgrade(database.engine)
        await database.dispose()

    asyncio.run(go())
    console.print(_("Database is up to date."))


@app.command()
def run() -> None:
    """Run the bot: the terminal chat when no channel token is set, else Telegram/Zalo."""
    from bot.runner import run_channels, run_console

    settings = get_settings()
    setup_logging(settings)
    asyncio.run(run_channels(settings) if settings.has_channel_token else run_console(settings))


@app.command()
def invite(
    officer_code: str = typer.Argument(None, help="Officer code"),
    unit: str = typer.Option(None, "--unit", help="Invite every active officer of this unit"),
    days: int = typer.Option(None, "--days", help="Days before the codes expire"),
) -> None:
    """Print one-time enrollment codes (stored hashed; shown only now)."""
    if not officer_code and not unit:
        console.print(_("Give an officer code or --unit CODE."))
        raise typer.Exit(2)
    settings = get_settings()
    ttl = timedelta(days=days or settings.invite_ttl_days)
    database = open_db()

    async def go() -> list[tuple[Officer, str, datetime]]:
        now = datetime.now(UTC)
        async with database.session() as session:
            query = select(Officer).where(Officer.active.is_(True))  # type: ignore[attr-defined]
            if unit:
                query = query.join(Unit, Unit.id == Officer.unit_id).where(Unit.code == unit)
            else:
                query = query.where(Officer.code == officer_code)
            officers = (await session.exec(query.order_by(Officer.code))).scalars().all()
            rows = []
            for officer in officers:
                code = await create_invite(session, officer, now, ttl, actor="cli")
                rows.append((officer, code, now + ttl))
        await database.dispose()
        return rows

    rows = asyncio.run(go())
    if not rows:
        console.print(_("No active officer matches."))
        raise typer.Exit(1)
    t = translator(settings.default_locale, settings.timezone)
    username = asyncio.run(fetch_username(settings))
    table = Table(_("Officer"), _("Name"), _("Invite code"), _("Expires"), _("How to enroll"))
    for officer, code, expires in rows:
        table.add_row(
            officer.code,
            officer.full_name,
            code,
            t.datetime(expires),
            invite_instruction(code, username),
        )
    console.print(table)


def invite_instruction(code: str, telegram_username: str | None) -> str:
    """What to forward to the officer: the Telegram deep link, and the message for Zalo."""
    text = _("Send /start {code} to the bot on Zalo or Telegram").format(code=code)
    if telegram_username:
        text += "\n" + create_deep_linked_url(telegram_username, code)
    return text


def _load_subcommands() -> None:
    """Every module of `bot.cli` registers its own commands on `app` (no list to edit)."""
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")


_load_subcommands()
