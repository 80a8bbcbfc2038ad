"""Tasks and reports for status tests and the status benchmark: a plan on `small_org`, filled
with random tasks in random states (seeded, so a failure reproduces)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select

from storage.db import Database
from storage.models import Cadence, Officer, Plan, Report, ReportStatus, ReviewState, Task, Unit

TODAY = date(2026, 11, 23)
PERIODS = (*(f"2026-{m:02d}" for m in range(1, 13)), *(f"2026-Q{q}" for q in range(1, 5)))


def at(day: date, hour: int = 3) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


async def make_plan(db: Database, code: str = "386-KH/TU") -> int:
    async with db.session() as s:
        plan = Plan(code=code, title="Kế hoạch thực hiện Nghị quyết 57-NQ/TW")
        s.add(plan)
        await s.flush()
        assert plan.id is not None
        return plan.id


def _random_report(rng: random.Random, task_id: int, officer_id: int, period: str) -> dict:
    status = rng.choice(list(ReportStatus))
    review = ReviewState.none
    if status == ReportStatus.completed:
        review = rng.choice([ReviewState.pending, ReviewState.confirmed, ReviewState.returned])
    submitted = at(TODAY - timedelta(days=rng.randint(0, 150)), rng.randint(0, 23))
    blocked = status == ReportStatus.blocked
    return {
        "task_id": task_id,
        "period": period,
        "status": status.value,
        "percent": 100 if status == ReportStatus.completed else rng.randint(0, 90),
        "obstacles": "Thiếu kinh phí" if blocked or rng.random() < 0.2 else None,
        "submitted_by_id": officer_id,
        "submitted_at": submitted,
        "on_time": rng.random() < 0.7,
        "review_state": review.value,
        "obstacle_handled_at": submitted if rng.random() < 0.3 else None,
    }


async def random_tasks(
    db: Database, plan_id: int, count: int, *, seed: int = 57, reports_per_task: float = 1.5
) -> None:
    """`count` tasks spread over every unit, with `reports_per_task` reports on average in
    random states."""
    rng = random.Random(seed)
    async with db.session() as s:
        units = list((await s.exec(select(Unit.id))).scalars().all())
        officers = list((await s.exec(select(Officer.id))).scalars().all())
    tasks, plans = [], []
    for n in range(count):
        start = TODAY - timedelta(days=rng.randint(30, 400))
        due = TODAY + timedelta(days=rng.randint(-200, 300))
        officer = rng.choice([*officers, None])
        tasks.append(
            {
                "plan_id": plan_id,
                "code": f"T{n:06d}",
                "title": f"Nhiệm vụ số {n}",
                "presiding_unit_id": rng.choice(units),
                "officer_id": officer,
                "start_date": min(start, due),
                "due_date": due,
                "cadence": rng.choice(list(Cadence)).value,
                "active": rng.random() < 0.95,
            }
        )
        k = min(len(PERIODS), int(rng.expovariate(1 / reports_per_task)))
        plans.append((officer or officers[0], rng.sample(PERIODS, k)))
    async with db.session() as s:
        connection = await s.connection()
        for chunk in _chunks(tasks):
            await connection.execute(insert(Task), chunk)
        rows = await s.exec(select(Task.code, Task.id).where(Task.plan_id == plan_id))
        ids = dict(rows.all())
        reports = [
            _random_report(rng, ids[task["code"]], officer, period)
            for task, (officer, periods) in zip(tasks, plans, strict=True)
            for period in periods
        ]
        for chunk in _chunks(reports):
            await connection.execute(insert(Report), chunk)


def _chunks(rows: list[dict], size: int = 2000) -> list[list[dict]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


async def random_reports(db: Database, *, seed: int = 386, reports_per_task: float = 2.5) -> None:
    """Random reports on every task already in `db` (e.g. the sample plan's)."""
    rng = random.Random(seed)
    async with db.session() as s:
        officers = list((await s.exec(select(Officer.id))).scalars().all())
        tasks = (await s.exec(select(Task.id, Task.officer_id).order_by(Task.id))).all()
        reports = [
            _random_report(rng, task_id, officer_id or officers[0], period)
            for task_id, officer_id in tasks
            for period in rng.sample(
                PERIODS, min(len(PERIODS), int(rng.expovariate(1 / reports_per_task)))
            )
        ]
        connection = await s.connection()
        for chunk in _chunks(reports):
            await connection.execute(insert(Report), chunk)
