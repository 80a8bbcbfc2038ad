"""Scorecards on a hand-built case, checked against a hand computation written out below."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
from sqlalchemy import select
from typer.testing import CliRunner

from reminders.periods import Period
from storage.db import Database
from storage.models import Indicator, IndicatorValue, Report, Task, Unit
from storage.scorecard import Score, periods_in, rank, scorecard
from tests.org import small_org
from tests.status_data import make_plan

TODAY = date(2026, 11, 23)


def local(day: str) -> datetime:
    """Noon in Hanoi on `day` (05:00 UTC)."""
    return datetime.fromisoformat(day).replace(hour=5, tzinfo=UTC)


async def build(db: Database) -> None:
    """The range is 2026-01 … 2026-03 (so also 2026-Q1). What each task owes, by hand:

    A  · T1 monthly 01-01…03-31, officer OA: owes 01, 02, 03; reports 01 (on time), 02 (late,
         completed and confirmed on 20/02 ≤ due) → completed on time; indicator 120 ≥ 100 met.
    A  · T2 quarterly 01-01…02-15, officer OA: owes Q1; no report → overdue; indicator (target
         50) has no value → not met.
    A1 · T3 both 02-01…06-30, officer OA1: owes 02, 03 (not 01: not started yet) and Q1; all
         three in on time; due after the range, so not counted in completions.
    B  · T4 monthly 2025-10-01…2026-01-31, officer HB: owes 01; in late, completed, confirmed on
         10/02 > due → completed late.
    B  · T5 monthly 04-01…12-31: runs after the range → owes nothing.
    B  · T6 monthly, inactive: ignored.
    """
    people = await small_org(db)
    plan_id = await make_plan(db)
    async with db.session() as s:
        units = {u.code: u.id for u in (await s.exec(select(Unit))).scalars()}

        async def task(code, unit, cadence, start, due, officer, active=True):
            row = Task(
                plan_id=plan_id,
                code=code,
                title=f"Nhiệm vụ {code}",
                presiding_unit_id=units[unit],
                officer_id=people[officer].id if officer else None,
                start_date=date.fromisoformat(start),
                due_date=date.fromisoformat(due),
                cadence=cadence,
                active=active,
            )
            s.add(row)
            await s.flush()
            return row

        async def report(task, period, day, on_time, status="in_progress", confirmed=False):
            row = Report(
                task_id=task.id,
                period=period,
                status=status,
                percent=100 if status == "completed" else 50,
                submitted_by_id=task.officer_id or people["HB"].id,
                submitted_at=local(day),
                on_time=on_time,
                review_state="confirmed" if confirmed else "none",
            )
            s.add(row)
            await s.flush()
            return row

        t1 = await task("T1", "A", "monthly", "2026-01-01", "2026-03-31", "OA")
        await report(t1, "2026-01", "2026-01-14", True)
        feb = await report(t1, "2026-02", "2026-02-20", False, "completed", True)
        ind1 = Indicator(task_id=t1.id, code="1", name="Hồ sơ số hoá", target=100)
        t2 = await task("T2", "A", "quarterly", "2026-01-01", "2026-02-15", "OA")
        ind2 = Indicator(task_id=t2.id, code="1", name="Dịch vụ công", target=50)
        s.add_all([ind1, ind2])
        await s.flush()
        s.add(IndicatorValue(report_id=feb.id, indicator_id=ind1.id, value=120))
        t3 = await task("T3", "A1", "both", "2026-02-01", "2026-06-30", "OA1")
        await report(t3, "2026-02", "2026-02-10", True)
        await report(t3, "2026-03", "2026-03-10", True)
        await report(t3, "2026-Q1", "2026-03-12", True)
        t4 = await task("T4", "B", "monthly", "2025-10-01", "2026-01-31", "HB")
        await report(t4, "2026-01", "2026-02-10", False, "completed", True)
        await task("T5", "B", "monthly", "2026-04-01", "2026-12-31", "HB")
        t6 = await task("T6", "B", "monthly", "2026-01-01", "2026-03-31", "HB", active=False)
        await report(t6, "2026-01", "2026-01-10", True)


def numbers(score: Score) -> tuple:
    return (
        score.rank,
        score.owed,
        score.received,
        score.on_time,
        score.completed_on_time,
        score.completed_late,
        score.overdue,
        score.indicators,
        score.indicators_reached,
    )


async def test_scorecard_matches_the_hand_computation(db: Database) -> None:
    await build(db)
    async with db.session() as s:
        card = await scorecard(s, Period.parse("2026-01"), Period.parse("2026-03"), TODAY)
    # rank, owed, received, on time, completed on time, late, overdue, indicators, reached
    # A1: 3/3 reports, all on time → 100 %, 100 % → first.
    # B:  1/1 report, late → 100 %, 0 % → second.
    # A:  owes 3 (T1) + 1 (T2) = 4, received 2, on time 1 → 50 %, 50 % → third.
    assert [(s.code, numbers(s)) for s in card.units] == [
        ("A1", (1, 3, 3, 3, 0, 0, 0, 0, 0)),
        ("B", (2, 1, 1, 0, 0, 1, 0, 0, 0)),
        ("A", (3, 4, 2, 1, 1, 0, 1, 2, 1)),
    ]
    assert [(s.code, numbers(s)) for s in card.officers] == [
        ("OA1", (1, 3, 3, 3, 0, 0, 0, 0, 0)),
        ("HB", (2, 1, 1, 0, 0, 1, 0, 0, 0)),
        ("OA", (3, 4, 2, 1, 1, 0, 1, 2, 1)),
    ]
    a = card.units[2]
    assert (a.reporting_rate, a.on_time_rate) == (0.5, 0.5)


async def test_periods_not_over_are_not_applicable_and_subtree_scope(db: Database) -> None:
    await build(db)
    async with db.session() as s:
        unit_a = (await s.exec(select(Unit).where(Unit.code == "A"))).scalar_one()
        # On 15/02 only January has ended: T1 owes 01 (in), T4 owes 01 (in late); Q1 not yet.
        early = await scorecard(
            s, Period.parse("2026-01"), Period.parse("2026-03"), date(2026, 2, 15), root=unit_a
        )
    assert [(s.code, s.owed, s.received) for s in early.units] == [("A", 1, 1)]
    assert [s.code for s in early.units + early.officers] == ["A", "OA"]


def test_ties_share_a_rank_and_rows_with_nothing_owed_are_not_ranked() -> None:
    def score(code: str, owed: int, received: int, on_time: int) -> Score:
        return Score(0, code, code, "", owed=owed, received=received, on_time=on_time)

    ordered = rank(
        [score("D", 0, 0, 0), score("C", 4, 2, 2), score("B", 2, 2, 1), score("A", 4, 4, 2)]
    )
    assert [(s.code, s.rank) for s in ordered] == [("A", 1), ("B", 1), ("C", 3), ("D", None)]


def test_periods_in_a_range() -> None:
    keys = [p.key for p in periods_in(Period.parse("2026-02"), Period.parse("2026-06"))]
    assert keys == ["2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-Q2"]


async def test_cli_scorecard(db: Database, cli_env: CliRunner, tmp_path: Path) -> None:
    from bot.cli import app

    await build(db)
    args = ["scorecard", "--from", "2026-01", "--to", "2026-03"]
    shown = await asyncio.to_thread(cli_env.invoke, app, args)
    assert shown.exit_code == 0, shown.output
    assert "OA1" in shown.output and "Hạng" in shown.output
    target = tmp_path / "xep-hang.xlsx"
    written = await asyncio.to_thread(cli_env.invoke, app, [*args, "-o", str(target)])
    assert written.exit_code == 0, written.output
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Đơn vị", "Cán bộ"]
    rows = list(book["Đơn vị"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Hạng", "Mã", "Tên đơn vị / cán bộ")
    assert [row[1] for row in rows[1:]] == ["A1", "B", "A"]
