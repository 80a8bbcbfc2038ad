"""The compiled period report at scale: memory stays bounded as the number of tasks grows.

Baseline: exporting 2,500 tasks. Measured: 10,000 tasks (with their reports) to an XLSX file on
SQLite, in the same run. Printed: Python's peak traced memory (tracemalloc) and the time of
each, and their ratios: the peak should stay nearly flat (rows are streamed in chunks and
written by openpyxl's write-only mode), the time should grow about linearly.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

from bot.i18n import translator
from reminders.periods import Period
from storage.db import Database
from storage.export import roots
from storage.export_files import compile_report
from storage.migrate import upgrade
from tests.org import small_org
from tests.status_data import make_plan, random_tasks

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
PERIOD = Period.parse("2026-11")


async def measure(directory: Path, tasks: int) -> tuple[int, float, int]:
    """(peak traced bytes, seconds, rows written) for an export of `tasks` random tasks."""
    db = Database(f"sqlite+aiosqlite:///{directory / f'export-{tasks}.db'}")
    await upgrade(db.engine)
    await small_org(db)
    await random_tasks(db, await make_plan(db), tasks, seed=11)
    target = directory / f"export-{tasks}.xlsx"
    tracemalloc.start()
    started = time.perf_counter()
    with target.open("wb") as stream:
        async with db.session() as session:
            units = await roots(session, None)
            written = await compile_report(
                session, stream, fmt="xlsx", units=units, period=PERIOD, now=NOW,
                t=translator("vi"),
            )  # fmt: skip
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    await db.dispose()
    return peak, elapsed, written


async def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base_peak, base_time, base_rows = await measure(Path(tmp), 2_500)
        peak, elapsed, rows = await measure(Path(tmp), 10_000)
    mib = 1024 * 1024
    print(f"   baseline  2,500 tasks: {base_rows:>5} rows, peak {base_peak / mib:6.1f} MiB, "
          f"{base_time:5.2f} s")  # fmt: skip
    print(f"   measured 10,000 tasks: {rows:>5} rows, peak {peak / mib:6.1f} MiB, "
          f"{elapsed:5.2f} s")  # fmt: skip
    print(f"   peak memory ratio {peak / base_peak:.2f} for {rows / base_rows:.1f}× the rows; "
          f"time ratio {elapsed / base_time:.2f}")  # fmt: skip


def main() -> None:
    asyncio.run(run())
