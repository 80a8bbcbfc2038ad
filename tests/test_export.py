"""The compiled period report: the file matches the database, counts recomputed independently."""

from __future__ import annotations

import asyncio
import csv
import io
import tempfile
import tracemalloc
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.app import TaskBot
from bot.i18n import translator
from bot.settings import Settings
from reminders.periods import Period
from storage.db import Database
from storage.export import roots
from storage.export_files import compile_report
from storage.models import (
    Indicator,
    IndicatorValue,
    Milestone,
    Report,
    Task,
    TaskCoordinator,
    Unit,
)
from storage.status import CATEGORY_LABELS, task_category
from tests.chat import Chat, FrozenClock
from tests.org import invite, small_org
from tests.status_data import TODAY, make_plan, random_tasks

PERIOD = Period.parse("2026-11")
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
T = translator("vi")


async def seed(db: Database, count: int = 240) -> None:
    """Random tasks and reports, plus coordinators, an indicator and a milestone on a few."""
    await small_org(db)
    plan_id = await make_plan(db)
    await random_tasks(db, plan_id, count, seed=7)
    async with db.session() as s:
        units = {u.code: u for u in (await s.exec(select(Unit))).scalars()}
        tasks = (await s.exec(select(Task).order_by(Task.code).limit(10))).scalars().all()
        for task in tasks:
            s.add(TaskCoordinator(task_id=task.id, unit_id=units["B"].id))
            s.add(Milestone(task_id=task.id, period=PERIOD.key, expected="Hoàn thành dự thảo"))
            indicator = Indicator(
                task_id=task.id,
                code="1",
                name="Tỷ lệ hồ sơ số hoá",
                unit_of_measure="%",
                target=80,
            )
            s.add(indicator)
            await s.flush()
            report = (
                (
                    await s.exec(
                        select(Report).where(Report.task_id == task.id, Report.period == PERIOD.key)
                    )
                )
                .scalars()
                .first()
            )
            if report is not None:
                s.add(IndicatorValue(report_id=report.id, indicator_id=indicator.id, value=85))


async def export_bytes(db: Database, unit: str | None = None, fmt: str = "xlsx") -> bytes:
    buffer = io.BytesIO()
    async with db.session() as s:
        units = await roots(s, unit)
        await compile_report(s, buffer, fmt=fmt, units=units, period=PERIOD, now=NOW, t=T)
    return buffer.getvalue()


async def expected_rows(db: Database) -> dict[str, dict]:
    """Every task owing a November report, computed here without the export's queries."""
    async with db.session() as s:
        units = {u.id: u for u in (await s.exec(select(Unit))).scalars()}
        tasks = (await s.exec(select(Task))).scalars().all()
        reports = (await s.exec(select(Report))).scalars().all()
    latest: dict[int, Report] = {}
    for report in sorted(reports, key=lambda r: (r.submitted_at, r.id)):
        latest[report.task_id] = report
    this_period = {r.task_id: r for r in reports if r.period == PERIOD.key}
    rows = {}
    for task in tasks:
        if not (
            task.active
            and task.cadence in ("monthly", "both")
            and task.start_date <= PERIOD.end
            and task.due_date >= PERIOD.start
        ):
            continue
        unit = units[task.presiding_unit_id]
        rows[task.code] = {
            "level": unit.path.count("/") - 2,
            "unit": unit,
            "category": task_category(task, latest.get(task.id), TODAY),
            "report": this_period.get(task.id),
            "due": task.due_date,
        }
    return rows


async def test_xlsx_matches_the_database(db: Database) -> None:
    await seed(db)
    expected = await expected_rows(db)
    book = openpyxl.load_workbook(io.BytesIO(await export_bytes(db)))
    assert book.sheetnames == ["Tổng hợp", "Cấp 1", "Cấp 2", "Cấp 3"]

    seen = {}
    for level, name in enumerate(book.sheetnames[1:]):
        sheet = book[name]
        header = [cell.value for cell in sheet[1]]
        assert header[:4] == ["STT", "Mã nhiệm vụ", "Tên nhiệm vụ", "Đơn vị chủ trì"]
        assert "Khó khăn, vướng mắc" in header and "Đề xuất, kiến nghị" in header
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:R{sheet.max_row}"
        assert sheet.column_dimensions["C"].width == 50
        for number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), 1):
            row = dict(zip(header, values, strict=True))
            assert row["STT"] == number
            seen[row["Mã nhiệm vụ"]] = (level, row)
    assert seen.keys() == expected.keys()

    for code, (level, row) in seen.items():
        want = expected[code]
        report = want["report"]
        assert level == want["level"]
        assert row["Đơn vị chủ trì"] == want["unit"].name
        assert row["Phân loại"] == T(CATEGORY_LABELS[want["category"]])
        assert row["Thời hạn hoàn thành"].date() == want["due"]
        if report is None:
            assert row["Báo cáo"] == "chưa báo cáo" and row["Tiến độ (%)"] is None
            continue
        assert row["Tiến độ (%)"] == report.percent
        local = report.submitted_at.astimezone(T.tz).replace(tzinfo=None)
        assert row["Thời điểm gửi"] == local.replace(microsecond=0)
        assert row["Đúng hạn / trễ hạn"] == ("Đúng hạn" if report.on_time else "Trễ hạn")
        assert (row["Khó khăn, vướng mắc"] or None) == report.obstacles

    with_indicator = [
        row for _level, row in seen.values() if row["Chỉ tiêu (thực hiện / kế hoạch)"]
    ]
    assert with_indicator
    for row in with_indicator:
        assert row["Đơn vị phối hợp"] == "Sở Nội vụ"
        assert row["Mốc tiến độ kỳ này"] == "Hoàn thành dự thảo"
        if row["Báo cáo"] == "chưa báo cáo":
            assert row["Chỉ tiêu (thực hiện / kế hoạch)"] == "Tỷ lệ hồ sơ số hoá: — / 80 %"
            assert row["Đạt chỉ tiêu"] == "0/1"
        else:
            assert row["Chỉ tiêu (thực hiện / kế hoạch)"] == "Tỷ lệ hồ sơ số hoá: 85 / 80 %"
            assert row["Đạt chỉ tiêu"] == "1/1"

    # The summary's per-unit counts, recomputed from the rows expected above.
    summary = book["Tổng hợp"]
    header = [cell.value for cell in summary[1]]
    units = {}
    for values in summary.iter_rows(min_row=2, values_only=True):
        if not values or values[1] is None:
            break
        units[values[1]] = dict(zip(header, values, strict=False))
    by_unit: dict[str, Counter] = {}
    for want in expected.values():
        counts = by_unit.setdefault(want["unit"].name, Counter())
        counts["tasks"] += 1
        counts[want["category"]] += 1
        report = want["report"]
        counts["reports"] += report is not None
        counts["on_time"] += bool(report and report.on_time)
        counts["late"] += bool(report and not report.on_time)
    total = units.pop("Tổng cộng")
    assert units.keys() == by_unit.keys()
    for name, counts in by_unit.items():
        got = units[name]
        assert got["Số nhiệm vụ"] == counts["tasks"]
        assert got["Đã báo cáo"] == counts["reports"]
        assert got["Đúng hạn"] == counts["on_time"] and got["Trễ hạn"] == counts["late"]
        for category, label in CATEGORY_LABELS.items():
            assert got[T(label)] == counts[category], (name, category)
        assert got["Tỷ lệ báo cáo"] == pytest.approx(counts["reports"] / counts["tasks"])
    assert total["Số nhiệm vụ"] == len(expected)
    assert total["Đã báo cáo"] == sum(1 for w in expected.values() if w["report"])


async def test_csv_has_a_bom_and_the_same_rows(db: Database) -> None:
    await seed(db, count=120)
    expected = await expected_rows(db)
    data = await export_bytes(db, fmt="csv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Cấp", "STT", "Mã nhiệm vụ"]
    assert {row[2] for row in rows[1:]} == expected.keys()
    first = next(row for row in rows[1:] if row[2] in expected)
    due = expected[first[2]]["due"]
    assert first[7] == due.strftime("%d/%m/%Y")


async def test_export_of_one_unit_covers_its_subtree_only(db: Database) -> None:
    await seed(db, count=120)
    expected = await expected_rows(db)
    book = openpyxl.load_workbook(io.BytesIO(await export_bytes(db, "A")))
    codes = {
        row[1]
        for name in book.sheetnames[1:]
        for row in book[name].iter_rows(min_row=2, values_only=True)
    }
    assert codes == {c for c, w in expected.items() if w["unit"].code in ("A", "A1")}
    assert book.sheetnames == ["Tổng hợp", "Cấp 1", "Cấp 2"]


async def peak_memory(db: Database, chunk: int) -> int:
    """Python's peak traced memory while exporting every task to a file."""
    tracemalloc.start()
    with tempfile.TemporaryFile() as stream:
        async with db.session() as s:
            units = await roots(s, None)
            await compile_report(
                s, stream, fmt="xlsx", units=units, period=PERIOD, now=NOW, t=T, chunk=chunk
            )
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


async def test_memory_is_bounded_by_the_chunk_not_the_number_of_tasks(db: Database) -> None:
    await seed(db, count=300)
    await peak_memory(db, chunk=40)  # first use: imports, compiled SQL cache
    small = await peak_memory(db, chunk=40)
    await random_tasks(db, await make_plan(db, code="57-KH/UBND"), 1500, seed=8)
    large = await peak_memory(db, chunk=40)
    assert large < 1.5 * small, (small, large)


def make_bot(db: Database) -> TaskBot:
    return TaskBot(db, Settings(database_url=db.url), FrozenClock())


async def test_export_in_chat_for_heads_and_office_only(db: Database) -> None:
    await seed(db, count=60)
    bot = make_bot(db)
    chats = {}
    for code, user in (("VP", "9"), ("HA", "1"), ("OA", "2")):
        chats[code] = Chat(bot, user=user)
        await chats[code].say(f"/start {await invite(db, code)}")

    await chats["OA"].say("/export")
    assert "không dành cho vai trò của bạn" in chats["OA"].last.text
    await chats["HA"].say("/export 2026-11 B")
    assert "không thể xuất" in chats["HA"].last.text and chats["HA"].last.attachment is None

    await chats["HA"].say("/export")
    reply = chats["HA"].last
    assert reply.attachment is not None and reply.attachment.filename == "bao-cao-2026-11-A.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(reply.attachment.content))
    assert book.sheetnames[:2] == ["Tổng hợp", "Biểu đồ A"]
    assert len(book["Biểu đồ A"]._images) == 1
    presiding = {
        row[3]
        for name in book.sheetnames[1:]
        for row in book[name].iter_rows(min_row=2, values_only=True)
    }
    assert presiding <= {"Sở Khoa học", "Trung tâm Số"}

    await chats["VP"].say("/export 2026-11")
    whole = chats["VP"].last
    assert whole.attachment.filename == "bao-cao-2026-11-P.xlsx"
    assert "tháng 11/2026" in whole.text


async def test_cli_export(db: Database, cli_env: CliRunner, tmp_path: Path) -> None:
    from bot.cli import app

    await seed(db, count=50)
    target = tmp_path / "thang-11.xlsx"
    args = ["export", "--period", "2026-11", "-o", str(target)]
    result = await asyncio.to_thread(cli_env.invoke, app, args)
    assert result.exit_code == 0, result.output
    assert "nhiệm vụ" in result.output
    assert openpyxl.load_workbook(target).sheetnames[0] == "Tổng hợp"
    bad = await asyncio.to_thread(
        cli_env.invoke, app, ["export", "--period", "2026-13", "-o", "x.xlsx"]
    )
    assert bad.exit_code == 2
