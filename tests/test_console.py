"""The console channel: numbered choices answered by number, the same handlers as every channel."""

from __future__ import annotations

import io

from bot.app import TaskBot
from bot.channels.console import ConsoleChannel
from bot.settings import Settings
from storage.db import Database
from tests.chat import FrozenClock
from tests.org import small_org


def scripted(lines: list[str]):
    feed = iter(lines)

    def read_line() -> str:
        try:
            return next(feed)
        except StopIteration:
            raise EOFError from None

    return read_line


async def test_pick_a_person_by_number_then_help(db: Database, tmp_path) -> None:
    await small_org(db)
    out = io.StringIO()
    bot = TaskBot(db, Settings(database_url=db.url), FrozenClock())
    # The menu lists people ordered by unit then code: P's "VP" comes first.
    channel = ConsoleChannel(
        bot, read_line=scripted(["1", "/help", "/quit"]), out=out, files_dir=tmp_path
    )
    await channel.run()
    text = out.getvalue()
    assert "  1. VP — Đỗ Minh Quân" in text
    assert "Bạn đang là Đỗ Minh Quân" in text
    assert "/lang" in text
    assert text.rstrip().endswith("Tạm biệt.")


async def test_unknown_person_and_end_of_input(db: Database, tmp_path) -> None:
    await small_org(db)
    out = io.StringIO()
    bot = TaskBot(db, Settings(database_url=db.url), FrozenClock())
    channel = ConsoleChannel(
        bot, read_line=scripted(["/as NOBODY", "/tasks"]), out=out, files_dir=tmp_path
    )
    await channel.run()
    text = out.getvalue()
    assert "Không có ai có mã NOBODY." in text
    assert "/start" in text  # still nobody: only the enrollment hint
