"""`/status` on a large generated organisation, against the bare minimum in the same run.

Baseline: one `SELECT count(*)` over the same rows (the subtree's tasks joined to their
reports). Measured: `unit_status` (the numbers), and the whole `/status` update through
`TaskBot.handle` (numbers, chart, text), for the province and for one department, at two org
sizes. The number of SQL statements must not grow with the org: it is printed per size.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, insert, select

from bench.scratch_db import scratch_postgres
from bot.app import TaskBot
from bot.settings import Settings
from handlers.types import Incoming
from reminders.periods import Period
from storage.db import Database
from storage.migrate import upgrade
from storage.models import ChatIdentity, Officer, Report, Task, Unit
from storage.status import unit_status
from storage.units import subtree_filter, unit_by_code
from tests.status_data import TODAY, make_plan, random_tasks

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
DEPARTMENTS, SUBUNITS = 20, 4
SIZES = ((1_000, 5.5), (10_000, 5.5))  # tasks, mean reports per task (≈ 5 → 50k reports)
RUNS = 10


async def _org(db: Database) -> None:
    """A province, 20 departments with 4 units each, a head and two officers per unit."""
    async with db.session() as s:
        root = Unit(code="P", name="Tỉnh", kind="province", path="/")
        s.add(root)
        await s.flush()
        root.path = f"/{root.id}/"
        units = [root]
        for d in range(DEPARTMENTS):
            dept = Unit(code=f"D{d}", name=f"Sở {d}", parent_id=root.id)
            s.add(dept)
            await s.flush()
            dept.path = f"{root.path}{dept.id}/"
            units.append(dept)
            for u in range(SUBUNITS):
                sub = Unit(code=f"D{d}U{u}", name=f"Phòng {d}.{u}", parent_id=dept.id)
                s.add(sub)
                await s.flush()
                sub.path = f"{dept.path}{sub.id}/"
                units.append(sub)
        people = [
            {"code": f"{unit.code}-{role}{i}", "full_name": f"Cán bộ {unit.code} {i}",
             "unit_id": unit.id, "role": role, "created_at": NOW}
            for unit in units
            for i, role in enumerate(("head", "officer", "officer"))
        ]  # fmt: skip
        people.append(
            {"code": "VP", "full_name": "Văn phòng", "unit_id": root.id, "role": "office",
             "created_at": NOW}
        )  # fmt: skip
        await s.execute(insert(Officer), people)
        office = (await s.exec(select(Officer).where(Officer.code == "VP"))).scalar_one()
        s.add(ChatIdentity(officer_id=office.id, channel="bench", external_user_id="vp",
                           chat_id="vp", created_at=NOW, last_seen_at=NOW))  # fmt: skip


async def _analyze(db: Database) -> None:
    """Fresh planner statistics after a bulk load (autovacuum would do it, later)."""
    async with db.engine.connect() as connection:
        connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.exec_driver_sql("ANALYZE")


async def _timed(fn: Callable[[], Awaitable[Any]]) -> tuple[float, float]:
    """p50 and p95 of `fn` in milliseconds, after one warm-up call."""
    await fn()
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        await fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), statistics.quantiles(times, n=20)[-1]


class _Statements:
    """Counts the SQL statements the engine executes."""

    def __init__(self, db: Database) -> None:
        self.n = 0
        event.listen(db.engine.sync_engine, "before_cursor_execute", self._count)

    def _count(self, *_args: Any) -> None:
        self.n += 1

    async def of(self, fn: Callable[[], Awaitable[Any]]) -> int:
        before = self.n
        await fn()
        return self.n - before


async def _measure(url: str, label: str) -> None:
    db = Database(url)
    await upgrade(db.engine)
    await _org(db)
    statements = _Statements(db)
    bot = TaskBot(db, Settings(database_url=url), clock=lambda: NOW)
    updates = iter(range(10**9))
    loaded = 0
    for tasks, per_task in SIZES:
        plan = await make_plan(db, f"plan-{tasks}")
        await random_tasks(db, plan, tasks - loaded, seed=tasks, reports_per_task=per_task)
        loaded = tasks
        await _analyze(db)
        async with db.session() as s:
            reports = (await s.exec(select(func.count()).select_from(Report))).scalar_one()
        print(f"   {label}: {tasks:,} tasks, {reports:,} reports, "
              f"{1 + DEPARTMENTS * (1 + SUBUNITS)} units")  # fmt: skip
        for code in ("P", "D0"):
            async with db.session() as s:
                unit = await unit_by_code(s, code)
            assert unit is not None

            async def baseline(unit: Unit = unit) -> None:
                async with db.session() as s:
                    query = (
                        select(func.count(Report.id))
                        .select_from(Task)
                        .join(Unit, Unit.id == Task.presiding_unit_id)
                        .outerjoin(Report, Report.task_id == Task.id)
                        .where(subtree_filter(unit))
                    )
                    (await s.exec(query)).scalar_one()

            async def numbers(unit: Unit = unit) -> None:
                async with db.session() as s:
                    await unit_status(s, unit, TODAY, Period.month_of(TODAY))

            async def command(code: str = code) -> None:
                text = "/status" if code == "P" else f"/status {code}"
                await bot.handle(Incoming(channel="bench", chat_id="vp", sender_id="vp",
                                          update_key=f"u{next(updates)}", received_at=NOW,
                                          text=text))  # fmt: skip

            base, _ = await _timed(baseline)
            p50, p95 = await _timed(numbers)
            c50, c95 = await _timed(command)
            print(
                f"     {code:<3} count(*) {base:7.1f} ms | unit_status p50 {p50:7.1f} p95 "
                f"{p95:7.1f} ms ({p50 / base:4.1f}x, {await statements.of(numbers)} statements)"
                f" | /status with chart p50 {c50:7.1f} p95 {c95:7.1f} ms "
                f"({await statements.of(command)} statements)"
            )
    await db.dispose()


async def _run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        await _measure(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", "SQLite")
    async with scratch_postgres() as url:
        if url is None:
            print("   PostgreSQL unreachable: skipped")
        else:
            await _measure(url, "PostgreSQL")


def main() -> None:
    asyncio.run(_run())
