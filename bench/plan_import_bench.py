"""Plan import at province scale: a generated plan of 10,000 tasks into a fresh SQLite file.

Baseline, measured in the same run on the same file: openpyxl merely reading every cell in
read-only mode. The ratio says how much validation and writing cost on top of reading.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from storage.db import Database
from storage.migrate import upgrade
from storage.plan_import import import_plan
from storage.plan_template import write_plan_workbook

TASKS = 10_000
UNITS = 100
QUARTERS = ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4")


def generate(path: Path) -> int:
    """Write the plan; returns its number of data rows."""
    units = [{"code": "T", "name": "Tỉnh Thử", "kind": "province"}] + [
        {"code": f"U{n}", "name": f"Đơn vị số {n}", "parent": "T"} for n in range(UNITS)
    ]
    officers = [
        {
            "code": f"CB{n}",
            "full_name": f"Nguyễn Văn {n}",
            "unit": f"U{n % UNITS}",
            "role": "officer",
        }
        for n in range(UNITS * 3)
    ]
    tasks, indicators, milestones = [], [], []
    for n in range(TASKS):
        code = f"T.{n}"
        tasks.append(
            {
                "code": code,
                "title": f"Nhiệm vụ chuyển đổi số thứ {n}",
                "presiding_unit": f"U{n % UNITS}",
                "coordinators": [f"U{(n + 1) % UNITS}", f"U{(n + 2) % UNITS}"],
                "officer": f"CB{n % (UNITS * 3)}",
                "start_date": date(2026, 1, 1),
                "due_date": date(2026, 12, 31),
                "cadence": "quarterly",
            }
        )
        indicators.append({"task": code, "name": "Tỷ lệ hoàn thành", "baseline": 0, "target": 100})
        milestones += [
            {"task": code, "period": q, "expected": f"Đạt {25 * (i + 1)}%"}
            for i, q in enumerate(QUARTERS)
        ]
    write_plan_workbook(
        path,
        fields={"code": "BENCH", "title": "Kế hoạch thử tải"},
        sheets={
            "units": units,
            "officers": officers,
            "tasks": tasks,
            "indicators": indicators,
            "milestones": milestones,
        },
    )
    return len(units) + len(officers) + len(tasks) + len(indicators) + len(milestones)


def read_only(path: Path) -> int:
    """The baseline: openpyxl reading every cell of every sheet, nothing else."""
    workbook = load_workbook(path, read_only=True, data_only=True)
    cells = sum(len(row) for sheet in workbook for row in sheet.iter_rows(values_only=True))
    workbook.close()
    return cells


async def import_twice(path: Path, folder: Path) -> tuple[float, float]:
    database = Database(f"sqlite+aiosqlite:///{folder / 'bench.db'}")
    await upgrade(database.engine)
    started = time.perf_counter()
    first = await import_plan(database, path, actor="bench")
    created = time.perf_counter() - started
    assert not first.errors, first.errors[:3]
    started = time.perf_counter()
    again = await import_plan(database, path, actor="bench")
    unchanged = time.perf_counter() - started
    assert not again.errors and "tasks.created" not in again.counts
    await database.dispose()
    return created, unchanged


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "plan.xlsx"
        rows = generate(path)
        started = time.perf_counter()
        read_only(path)
        baseline = time.perf_counter() - started
        created, unchanged = asyncio.run(import_twice(path, folder))

    def line(label: str, seconds: float) -> str:
        return (
            f"   {label}: {seconds:.2f} s ({rows / seconds:,.0f} rows/s), {seconds / baseline:.1f}x"
        )

    print(f"   {TASKS} tasks, {rows} rows in all (SQLite); ratios against the bare read")
    print(line("openpyxl read-only, cells only (baseline)", baseline))
    print(line("first import", created))
    print(line("re-import, no changes", unchanged))


if __name__ == "__main__":
    main()
