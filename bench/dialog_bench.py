"""The cost of one chat update through the whole core, against the bare minimum in the same run.

Baseline: the one transaction any idempotent bot must make per update (record the update key).
Measured: `TaskBot.handle` for enrolled officers stepping through a dialog with buttons (`/lang`,
press a language) and asking `/help`, on SQLite and, when reachable, PostgreSQL. Also the
process's resident memory with 10,000 enrolled officers after every one of them has chatted:
the core keeps no per-user state in memory, so it must stay flat.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil
from sqlalchemy import insert

from bench.scratch_db import scratch_postgres
from bot.app import TaskBot
from bot.settings import Settings
from handlers.types import Incoming
from storage.db import Database
from storage.migrate import upgrade
from storage.models import ChatIdentity, Officer, ProcessedUpdate, Unit

OFFICERS = 10_000
UPDATES = 600
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


async def _populate(db: Database) -> None:
    async with db.session() as s:
        unit = Unit(code="U", name="Đơn vị thử", kind="department", path="/1/")
        s.add(unit)
        await s.flush()
        await s.execute(
            insert(Officer),
            [
                {
                    "code": f"O{i}",
                    "full_name": f"Cán bộ {i}",
                    "unit_id": unit.id,
                    "role": "officer",
                    "created_at": NOW,
                }
                for i in range(OFFICERS)
            ],
        )
        await s.execute(
            insert(ChatIdentity),
            [
                {
                    "officer_id": i + 1,
                    "channel": "bench",
                    "external_user_id": str(i),
                    "chat_id": str(i),
                    "created_at": NOW,
                    "last_seen_at": NOW,
                }
                for i in range(OFFICERS)
            ],
        )


def _incoming(user: int, key: str, **content: str) -> Incoming:
    return Incoming(
        channel="bench", chat_id=str(user), sender_id=str(user), update_key=key,
        received_at=NOW, **content,
    )  # fmt: skip


async def _baseline(db: Database, n: int) -> float:
    started = time.perf_counter()
    for i in range(n):
        async with db.session() as s:
            s.add(ProcessedUpdate(channel="base", update_key=str(i), processed_at=NOW))
    return (time.perf_counter() - started) / n


_rounds = iter(range(10**9))


async def _core(bot: TaskBot, n: int) -> float:
    """Each round is three updates: `/lang`, press the first language, `/help`."""
    started = time.perf_counter()
    for _ in range(n // 3):
        i = next(_rounds)
        user = (i * 7919) % OFFICERS
        replies = await bot.handle(_incoming(user, f"l{i}", text="/lang"))
        token = replies[-1].choices[0].token
        await bot.handle(_incoming(user, f"c{i}", choice=token))
        await bot.handle(_incoming(user, f"h{i}", text="/help"))
    return (time.perf_counter() - started) / (3 * (n // 3))


async def _measure(url: str, label: str) -> None:
    db = Database(url)
    await upgrade(db.engine)
    await _populate(db)
    bot = TaskBot(db, Settings(database_url=url), clock=lambda: NOW)
    await _core(bot, 30)  # warm up imports, catalogs and the connection pool
    base = await _baseline(db, UPDATES)
    core = await _core(bot, UPDATES)
    print(
        f"   {label:<10} bare update transaction {base * 1000:6.2f} ms | "
        f"core dialog update {core * 1000:6.2f} ms | ratio {core / base:4.1f}x"
    )
    await db.dispose()


async def _memory(url: str) -> None:
    db = Database(url)
    await upgrade(db.engine)
    await _populate(db)
    bot = TaskBot(db, Settings(database_url=url), clock=lambda: NOW)
    process = psutil.Process()
    await _core(bot, 300)
    before = process.memory_info().rss
    started = time.perf_counter()
    for user in range(OFFICERS):
        await bot.handle(_incoming(user, f"m{user}", text="/help"))
    elapsed = time.perf_counter() - started
    after = process.memory_info().rss
    print(
        f"   memory: {OFFICERS} officers each sent /help in {elapsed:.1f} s; RSS "
        f"{before / 2**20:.0f} MiB → {after / 2**20:.0f} MiB "
        f"(ratio {after / before:.2f}x, {(after - before) / OFFICERS:.0f} B per officer)"
    )
    await db.dispose()


async def _run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        await _measure(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", "SQLite")
        await _memory(f"sqlite+aiosqlite:///{Path(tmp) / 'memory.db'}")
    async with scratch_postgres() as url:
        if url is None:
            print("   PostgreSQL unreachable: skipped")
        else:
            await _measure(url, "PostgreSQL")


def main() -> None:
    asyncio.run(_run())
