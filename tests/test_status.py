"""Unit status: categories, rates and lists, checked against hand-built cases, the pure rule and
SQL written by hand; `/status` in chat, its drill-down and who may see what; the chart."""

from __future__ import annotations

import warnings
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Date, bindparam, select, text

from bot.app import TaskBot
from bot.charts import status_chart
from bot.i18n import translator
from bot.settings import Settings
from handlers.router import action_token
from reminders.periods import Period
from storage.db import Database
from storage.models import Officer, Report, Task, Unit
from storage.status import Category, Tally, task_categories, task_category, unit_status
from storage.units import unit_by_code
from tests.chat import Chat, FrozenClock
from tests.org import invite, small_org
from tests.sample import load_sample
from tests.status_data import TODAY, make_plan, random_reports, random_tasks

NOVEMBER = Period.parse("2026-11")


async def add_task(
    db: Database,
    plan_id: int,
    code: str,
    unit: str,
    due: date,
    reports: tuple[tuple[str, str, str, datetime], ...] = (),
    *,
    officer: str | None = None,
    cadence: str = "monthly",
    start: date = date(2026, 1, 1),
    active: bool = True,
    obstacles: str | None = None,
) -> None:
    """A task with reports given as (period, status, review_state, submitted_at)."""
    async with db.session() as s:
        unit_id = (await unit_by_code(s, unit)).id  # type: ignore[union-attr]
        officers = {o.code: o for o in (await s.exec(select(Officer))).scalars().all()}
        task = Task(
            plan_id=plan_id,
            code=code,
            title=f"Nhiệm vụ {code}",
            presiding_unit_id=unit_id,
            officer_id=officers[officer].id if officer else None,
            start_date=start,
            due_date=due,
            cadence=cadence,
            active=active,
        )
        s.add(task)
        await s.flush()
        for period, status, review, submitted in reports:
            s.add(
                Report(
                    task_id=task.id,
                    period=period,
                    status=status,
                    percent=100 if status == "completed" else 40,
                    submitted_by_id=officers[officer or "OA"].id,
                    submitted_at=submitted,
                    on_time=True,
                    review_state=review,
                    obstacles=obstacles,
                )
            )


def utc(y: int, m: int, d: int, h: int = 3, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=UTC)


async def hand_built(db: Database) -> None:
    """One task per rule (today is 23/11/2026), spread over P > A > A1 and P > B."""
    await small_org(db)
    plan = await make_plan(db)
    done, pending = ("completed", "confirmed"), ("completed", "pending")
    returned = ("completed", "returned")
    # Confirmed completion at 23:30 local on the due day: on time (16:30 UTC).
    await add_task(
        db,
        plan,
        "ON",
        "A",
        date(2026, 10, 31),
        (("2026-10", *done, utc(2026, 10, 31, 16, 30)),),
        officer="OA",
    )
    # 03:00 local on the day after: late, though still 31/10 in UTC.
    await add_task(
        db,
        plan,
        "LATE",
        "A",
        date(2026, 10, 31),
        (("2026-10", *done, utc(2026, 10, 31, 20)),),
        officer="OA",
    )
    await add_task(
        db,
        plan,
        "OVER",
        "A1",
        date(2026, 6, 30),
        (("2026-06", "in_progress", "none", utc(2026, 6, 10)),),
        officer="OA1",
        obstacles="Thiếu kinh phí",
    )
    await add_task(db, plan, "NEW", "A1", date(2027, 6, 30), officer="OA1")
    await add_task(
        db,
        plan,
        "WORK",
        "B",
        date(2027, 3, 31),
        (("2026-11", "in_progress", "none", utc(2026, 11, 10)),),
    )
    await add_task(
        db, plan, "WAIT", "B", date(2026, 12, 31), (("2026-11", *pending, utc(2026, 11, 12)),)
    )
    # Awaiting confirmation past the due date: overdue until the head confirms.
    await add_task(
        db,
        plan,
        "WAITLATE",
        "P",
        date(2026, 11, 1),
        (("2026-10", *pending, utc(2026, 10, 20)),),
        officer="OA",
    )
    # The latest report decides: an older completion returned, then "not started" again.
    await add_task(
        db,
        plan,
        "BACK",
        "A",
        date(2027, 12, 31),
        (
            ("2026-10", *returned, utc(2026, 10, 5)),
            ("2026-11", "not_started", "none", utc(2026, 11, 5)),
        ),
    )
    # Due today, not completed: within deadline, but already due for the completion rate.
    await add_task(
        db, plan, "TODAY", "A", TODAY, (("2026-11", "in_progress", "none", utc(2026, 11, 20)),)
    )
    await add_task(db, plan, "GONE", "A", date(2026, 1, 31), active=False)


async def status_of(db: Database, code: str, period: Period = NOVEMBER):
    async with db.session() as s:
        unit = await unit_by_code(s, code)
        assert unit is not None
        return await unit_status(s, unit, TODAY, period)


async def test_each_rule_on_hand_built_tasks(db: Database) -> None:
    await hand_built(db)
    status = await status_of(db, "P")
    tally = status.tally
    assert tally.counts == {
        Category.completed_on_time: 1,
        Category.completed_late: 1,
        Category.open_within_deadline: 3,
        Category.open_overdue: 2,
        Category.not_started: 2,
    }
    assert tally.total == 9  # the inactive task is not counted
    assert (tally.due, tally.completed_due, tally.completion_rate) == (5, 2, 0.4)
    assert (tally.reports_expected, tally.reports_in) == (6, 4)
    assert (tally.open_obstacles, tally.awaiting_confirmation) == (1, 2)
    assert [(t.code, t.officer_name, t.unit_name) for t in status.overdue] == [
        ("OVER", "Lê Đức Thắng", "Trung tâm Số"),
        ("WAITLATE", "Trần Thị Hoà", "Tỉnh Thử Nghiệm"),
    ]
    assert [r.task_code for r in status.obstacles] == ["OVER"]
    assert [r.task_code for r in status.awaiting] == ["WAITLATE", "WAIT"]


async def test_children_sum_their_subtrees(db: Database) -> None:
    await hand_built(db)
    status = await status_of(db, "P")
    rows = {row.unit.code: row.tally for row in status.children}
    assert list(rows) == ["A", "B"]  # by name: Sở Khoa học, Sở Nội vụ
    assert rows["A"].total == 6 and rows["A"].counts[Category.not_started] == 2
    assert rows["A"].counts[Category.open_overdue] == 1  # OVER, presided over by A1
    assert rows["B"].counts == {**dict.fromkeys(Category, 0), Category.open_within_deadline: 2}
    a = await status_of(db, "A")
    assert a.tally.counts == rows["A"].counts
    assert [row.unit.code for row in a.children] == ["A1"]
    assert [t.code for t in a.overdue] == ["OVER"]
    b = await status_of(db, "B")
    assert b.children == [] and b.overdue == [] and b.tally.awaiting_confirmation == 1


async def test_completion_rate_counts_only_tasks_already_due(db: Database) -> None:
    await small_org(db)
    plan = await make_plan(db)
    done = ("completed", "confirmed", utc(2026, 11, 2))
    # Completed early (not due yet) and in progress (not due): nothing due, no rate.
    await add_task(db, plan, "EARLY", "B", date(2027, 1, 31), (("2026-11", *done),))
    await add_task(db, plan, "LATER", "B", date(2027, 1, 31))
    status = await status_of(db, "B")
    assert status.tally.completed == 1 and status.tally.completion_rate is None
    # One due task, not completed: 0 of 1, not 1 of 3.
    await add_task(db, plan, "PAST", "B", date(2026, 11, 20))
    status = await status_of(db, "B")
    assert (status.tally.completed_due, status.tally.due, status.tally.completion_rate) == (0, 1, 0)


async def test_quarterly_reports_count_in_the_quarters_last_month(db: Database) -> None:
    await small_org(db)
    plan = await make_plan(db)
    ip = ("in_progress", "none", utc(2026, 12, 10))
    await add_task(db, plan, "M", "B", date(2027, 6, 30), (("2026-12", *ip),), cadence="monthly")
    await add_task(db, plan, "Q", "B", date(2027, 6, 30), (("2026-Q4", *ip),), cadence="quarterly")
    await add_task(db, plan, "MQ", "B", date(2027, 6, 30), (("2026-Q4", *ip),), cadence="both")
    november = (await status_of(db, "B")).tally
    assert (november.reports_expected, november.reports_in) == (2, 0)  # M and MQ, monthly
    december = (await status_of(db, "B", Period.parse("2026-12"))).tally
    # M, MQ monthly + Q, MQ quarterly owed; M's December and Q, MQ's Q4 are in.
    assert (december.reports_expected, december.reports_in) == (4, 3)
    q4 = (await status_of(db, "B", Period.parse("2026-Q4"))).tally
    assert (q4.reports_expected, q4.reports_in) == (2, 2)


# Written independently of storage.status: correlated subqueries instead of a window function.
LATEST = """
    LEFT JOIN report r ON r.id = (
        SELECT r2.id FROM report r2 WHERE r2.task_id = t.id
        ORDER BY r2.submitted_at DESC, r2.id DESC LIMIT 1)
"""
DONE = "r.status = 'completed' AND r.review_state = 'confirmed'"
OPEN = "(r.id IS NULL OR r.status <> 'completed' OR r.review_state <> 'confirmed')"
DIRECT_SQL = {
    "completed": DONE,
    Category.open_overdue: f"{OPEN} AND t.due_date < :today",
    Category.not_started: (
        f"{OPEN} AND t.due_date >= :today AND (r.id IS NULL OR r.status = 'not_started')"
    ),
    Category.open_within_deadline: (
        f"{OPEN} AND t.due_date >= :today AND r.id IS NOT NULL AND r.status <> 'not_started'"
    ),
}


DATES = {"today": TODAY, "start": NOVEMBER.start, "end": NOVEMBER.end}


async def direct_count(db: Database, root: Unit, where: str, joins: str = LATEST) -> int:
    """count(*) of a subtree's active tasks (joined to `joins`) matching `where`."""
    sql = f"""SELECT count(*) FROM task t JOIN unit u ON u.id = t.presiding_unit_id {joins}
        WHERE u.path LIKE :path AND t.active AND ({where})"""
    dates = {name: day for name, day in DATES.items() if f":{name}" in sql}
    query = text(sql).bindparams(*(bindparam(name, type_=Date) for name in dates))
    async with db.session() as s:
        connection = await s.connection()
        result = await connection.execute(query, {"path": root.path + "%", **dates})
        return result.scalar_one()


async def random_org(db: Database) -> None:
    await small_org(db)
    await random_tasks(db, await make_plan(db), 300)


async def test_counts_match_direct_sql(db: Database) -> None:
    await random_org(db)
    for code in ("P", "A", "B"):
        async with db.session() as s:
            unit = await unit_by_code(s, code)
        assert unit is not None
        tally = (await status_of(db, code)).tally
        assert tally.completed == await direct_count(db, unit, DIRECT_SQL["completed"])
        for category in (
            Category.open_overdue,
            Category.not_started,
            Category.open_within_deadline,
        ):
            assert tally.counts[category] == await direct_count(db, unit, DIRECT_SQL[category])
        assert tally.due == await direct_count(db, unit, "t.due_date <= :today", "")
        reports = "JOIN report r ON r.task_id = t.id"
        assert tally.awaiting_confirmation == await direct_count(
            db, unit, "r.review_state = 'pending'", reports
        )
        assert tally.open_obstacles == await direct_count(
            db,
            unit,
            "(r.obstacles <> '' OR r.status = 'blocked') AND r.obstacle_handled_at IS NULL",
            reports,
        )
        november = "LEFT JOIN report r ON r.task_id = t.id AND r.period = '2026-11'"
        owed = "t.cadence IN ('monthly', 'both') AND t.start_date <= :end AND t.due_date >= :start"
        assert tally.reports_expected == await direct_count(db, unit, owed, november)
        assert tally.reports_in == await direct_count(
            db, unit, f"{owed} AND r.id IS NOT NULL", november
        )
        assert tally.total > 0 and tally.completed > 0 and tally.open_obstacles > 0


async def test_sample_plan_counts_match_direct_sql_for_every_unit(db: Database) -> None:
    await load_sample(db)
    await random_reports(db)
    async with db.session() as s:
        units = (await s.exec(select(Unit))).scalars().all()
    totals = 0
    for unit in units:
        tally = (await status_of(db, unit.code)).tally
        assert tally.total == await direct_count(db, unit, "1 = 1", "")
        assert tally.completed == await direct_count(db, unit, DIRECT_SQL["completed"])
        for category in (Category.open_overdue, Category.not_started):
            assert tally.counts[category] == await direct_count(db, unit, DIRECT_SQL[category])
        totals += tally.total
    assert totals > 30  # the province counts every task again


async def test_sample_heads_see_their_own_department_only(db: Database) -> None:
    await load_sample(db)
    await random_reports(db)
    head = await enrolled(db, "GD-SKHCN", "21")
    await head.say("/status")
    assert "Sở Khoa học và Công nghệ đến ngày" in head.text
    assert head.labels()[0].startswith("Trung tâm Chuyển đổi số tỉnh — ")
    await head.say("/status SNV")
    assert "Không có đơn vị SNV" in head.last.text
    await head.press_token(action_token("status", await unit_id(db, "SNV")))
    assert "Sở Nội vụ" not in head.text


async def test_sql_rule_agrees_with_task_category(db: Database) -> None:
    await random_org(db)
    async with db.session() as s:
        province = await unit_by_code(s, "P")
        assert province is not None
        categorized = task_categories(province, TODAY)
        in_sql = dict((await s.exec(select(categorized.c.task_id, categorized.c.category))).all())
        tasks = (await s.exec(select(Task).where(Task.active))).scalars().all()
        reports = (
            (await s.exec(select(Report).order_by(Report.submitted_at, Report.id))).scalars().all()
        )
    latest = {report.task_id: report for report in reports}
    assert len(in_sql) == len(tasks) > 250
    seen = set()
    for task in tasks:
        expected = task_category(task, latest.get(task.id), TODAY)
        assert in_sql[task.id] == expected, task
        seen.add(expected)
    assert seen == set(Category)


# --- /status in chat ------------------------------------------------------------------------


async def enrolled(db: Database, code: str, user: str) -> Chat:
    chat = Chat(TaskBot(db, Settings(database_url=db.url), FrozenClock()), user=user)
    await chat.say(f"/start {await invite(db, code)}")
    chat.replies.clear()
    return chat


async def unit_id(db: Database, code: str) -> int:
    async with db.session() as s:
        unit = await unit_by_code(s, code)
    assert unit is not None and unit.id is not None
    return unit.id


async def test_head_sees_own_subtree_with_chart_and_drills_down(db: Database) -> None:
    await hand_built(db)
    head = await enrolled(db, "HA", "11")
    await head.say("/status")
    chart, numbers = head.replies
    assert chart.attachment is not None and chart.attachment.mime_type == "image/png"
    assert chart.attachment.content.startswith(b"\x89PNG\r\n\x1a\n")
    text = numbers.text
    assert "Tình hình thực hiện nhiệm vụ của Sở Khoa học đến ngày 23/11/2026" in text
    assert "6 nhiệm vụ" in text
    assert "• Chưa thực hiện: 2" in text and "• Đã hoàn thành quá hạn: 1" in text
    assert "Tỷ lệ hoàn thành: 50% (2/4 nhiệm vụ đã đến hạn)" in text
    assert "Tỷ lệ báo cáo tháng 11/2026: 66,7% (đã nhận 2/3 báo cáo)" in text
    assert "OVER Nhiệm vụ OVER — hạn 30/06/2026; Lê Đức Thắng, Trung tâm Số" in text
    assert "OVER, tháng 06/2026 — Lê Đức Thắng: Thiếu kinh phí" in text
    assert "WAIT" not in text  # unit B's task
    assert head.labels() == ["Trung tâm Số — 0%"]
    await head.press("Trung tâm Số")
    assert "của Trung tâm Số đến ngày" in head.last.text
    assert "• Chưa hoàn thành, quá hạn: 1" in head.last.text
    assert head.labels() == ["⬆ Sở Khoa học"]
    await head.press("Sở Khoa học")
    assert "của Sở Khoa học đến ngày" in head.last.text
    head.replies.clear()
    await head.say("/status A1")
    assert "của Trung tâm Số đến ngày" in head.text


async def test_head_cannot_see_a_sibling_unit(db: Database) -> None:
    await hand_built(db)
    head = await enrolled(db, "HA", "11")
    for attempt in ("/status B", "/status P", "/status NOPE"):
        await head.say(attempt)
        assert "Không có đơn vị" in head.last.text and head.last.attachment is None
    for target in ("B", "P"):
        await head.press_token(action_token("status", await unit_id(db, target)))
        assert head.last.text == "Bạn chỉ được xem đơn vị của mình và các đơn vị trực thuộc."
    for forged in ("a:status", "a:status:x", "a:status:1:2", "a:status:99999"):
        await head.press_token(forged)
        assert head.last.attachment is None and "Tình hình" not in head.last.text
    assert "Sở Nội vụ" not in head.text and "WAIT" not in head.text


async def test_officers_are_refused(db: Database) -> None:
    await hand_built(db)
    officer = await enrolled(db, "OA", "12")
    await officer.say("/status")
    assert officer.last.text == "Xin lỗi, lệnh /status không dành cho vai trò của bạn."
    await officer.press_token(action_token("status", await unit_id(db, "A")))
    assert officer.last.attachment is None and "Tình hình" not in officer.text
    await officer.say("/help")
    assert "/status" not in officer.last.text


async def test_office_sees_the_province_and_every_unit(db: Database) -> None:
    await hand_built(db)
    office = await enrolled(db, "VP", "13")
    await office.say("/status")
    assert "của Tỉnh Thử Nghiệm đến ngày" in office.text and "9 nhiệm vụ" in office.text
    assert "Báo cáo hoàn thành chờ xác nhận (2):" in office.text
    assert office.labels() == ["Sở Khoa học — 50%", "Sở Nội vụ — —"]
    await office.press("Sở Nội vụ")
    assert "của Sở Nội vụ đến ngày" in office.last.text
    assert "Tỷ lệ hoàn thành: chưa có nhiệm vụ nào đến hạn" in office.last.text
    await office.say("/status A1")
    assert "của Trung tâm Số đến ngày" in office.last.text


# --- the chart ------------------------------------------------------------------------------


def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png[12:16] == b"IHDR"
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def test_chart_is_a_phone_sized_png_with_every_vietnamese_glyph(caplog) -> None:
    tally = Tally()
    tally.counts.update(zip(Category, (12, 3, 25, 7, 9), strict=True))
    rates = [("06/2026", 0.5), ("07/2026", None), ("08/2026", 0.953)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a warning: fail on it
        png = status_chart(
            translator("vi"), "Ủy ban nhân dân xã Đồng Hỷ — 23/11/2026", tally, rates
        )
    assert not [r for r in caplog.records if "glyph" in r.getMessage().lower()]
    assert png_size(png) == (720, 900)
    assert 10_000 < len(png) < 200_000


def test_chart_glyph_check_can_fail() -> None:
    """The warning the chart test relies on exists: a character DejaVu Sans lacks raises it."""
    with warnings.catch_warnings(), pytest.raises(UserWarning, match=r"[Gg]lyph"):
        warnings.simplefilter("error")
        status_chart(translator("vi"), "漢字 \U0001f600", Tally(), [])
