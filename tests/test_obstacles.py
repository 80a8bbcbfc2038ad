"""The office's obstacles queue: what is open, paging, answering back, office-only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update

from bot.app import TaskBot
from bot.settings import Settings
from storage.db import Database
from storage.models import AuditEvent, Officer, Outbox, Report, Task, Unit
from tests.chat import Chat, FrozenClock
from tests.org import invite, small_org
from tests.status_data import make_plan

# (task code, unit, status, obstacles, proposals, already handled) — 8 open, 2 not.
REPORTS = [
    ("T1", "A", "in_progress", "Thiếu kinh phí", None, False),
    ("T2", "A1", "in_progress", "Chưa có hướng dẫn", "Đề nghị Sở TC hướng dẫn", False),
    ("T3", "B", "blocked", "Hạ tầng mạng yếu", None, False),
    ("T4", "B", "in_progress", "Thiếu nhân lực", None, False),
    ("T5", "A", "in_progress", "Phần mềm lỗi", None, False),
    ("T6", "A1", "in_progress", "Dữ liệu chưa đồng bộ", None, False),
    ("T7", "A", "in_progress", None, "Đề xuất bổ sung biên chế", False),
    ("T8", "B", "blocked", "  ", None, False),
    ("T9", "A", "in_progress", "Đã xử lý xong", None, True),
    ("T10", "B", "completed", None, "   ", False),
]


def make_bot(db: Database) -> TaskBot:
    return TaskBot(db, Settings(database_url=db.url), FrozenClock())


async def seed(db: Database) -> dict[str, int]:
    """The reports above, each by the officer `OA`; task code → report id."""
    people = await small_org(db)
    plan_id = await make_plan(db)
    ids = {}
    async with db.session() as s:
        units = {u.code: u.id for u in (await s.exec(select(Unit))).scalars()}
        for n, (code, unit, status, obstacles, proposals, handled) in enumerate(REPORTS):
            task = Task(
                plan_id=plan_id,
                code=code,
                title=f"Nhiệm vụ {code}: số hoá hồ sơ",
                presiding_unit_id=units[unit],
                officer_id=people["OA"].id,
                start_date=date(2026, 1, 1),
                due_date=date(2026, 12, 31),
            )
            s.add(task)
            await s.flush()
            submitted = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(hours=n)
            report = Report(
                task_id=task.id,
                period="2026-11",
                status=status,
                percent=40,
                obstacles=obstacles,
                proposals=proposals,
                submitted_by_id=people["OA"].id,
                submitted_at=submitted,
                on_time=True,
                obstacle_handled_at=submitted if handled else None,
            )
            s.add(report)
            await s.flush()
            ids[code] = report.id
    return ids


async def enroll(db: Database, bot: TaskBot, code: str, user: str) -> Chat:
    chat = Chat(bot, user=user)
    await chat.say(f"/start {await invite(db, code)}")
    return chat


async def test_queue_pages_oldest_first_and_answer_goes_back_to_the_officer(db: Database) -> None:
    ids = await seed(db)
    async with db.session() as s:
        await s.exec(update(Officer).where(Officer.code == "OA").values(locale="en"))
    bot = make_bot(db)
    office = await enroll(db, bot, "VP", "9")

    first = await office.say("/obstacles")
    assert "8 (đang hiện 1–5" in first[0].text
    assert [r.text.split(" · ")[0] for r in first[1:6]] == ["T1", "T2", "T3", "T4", "T5"]
    assert "Khó khăn: Chưa có hướng dẫn" in first[2].text
    assert "Đề xuất: Đề nghị Sở TC hướng dẫn" in first[2].text
    second = await office.press("Trang sau")
    assert "8 (đang hiện 6–8" in second[0].text
    assert [r.text.split(" · ")[0] for r in second[1:]] == ["T6", "T7", "T8"]

    await office.send(office._incoming(choice=first[3].choices[0].token))  # answer T3
    assert "Hạ tầng mạng yếu" in office.last.text
    await office.say("Sở TT&TT sẽ hỗ trợ nâng cấp đường truyền trong tháng 12.")
    assert "Trần Thị Hoà" in office.last.text

    async with db.session() as s:
        report = await s.get(Report, ids["T3"])
        sent = (await s.exec(select(Outbox))).scalars().all()
        audit = (await s.exec(select(AuditEvent).where(AuditEvent.entity == "report"))).scalars()
        audit = list(audit)
        oa = (await s.exec(select(Officer).where(Officer.code == "OA"))).scalar_one()
        vp = (await s.exec(select(Officer).where(Officer.code == "VP"))).scalar_one()
    assert report.obstacle_reply.startswith("Sở TT&TT sẽ hỗ trợ")
    assert report.obstacle_handled_by_id == vp.id and report.obstacle_handled_at is not None
    assert [(row.officer_id, row.kind, row.task_id, row.period) for row in sent] == [
        (oa.id, "obstacle_reply", report.task_id, "2026-11")
    ]
    assert sent[0].text.startswith("The standing office answered your report on T3 (2026-11):")
    assert "nâng cấp đường truyền" in sent[0].text
    assert [(a.action, a.entity_id) for a in audit] == [("report.obstacle_handled", str(ids["T3"]))]

    # Answered: it leaves the queue, and its old button does nothing.
    assert "7 (đang hiện 1–5" in (await office.say("/obstacles"))[0].text
    await office.send(office._incoming(choice=first[3].choices[0].token))
    assert "đã được trả lời" in office.last.text
    async with db.session() as s:
        assert len((await s.exec(select(Outbox))).scalars().all()) == 1


async def test_obstacles_refused_to_officers_and_heads(db: Database) -> None:
    ids = await seed(db)
    bot = make_bot(db)
    for code, user in (("OA", "2"), ("HA", "1")):
        chat = await enroll(db, bot, code, user)
        await chat.say("/obstacles")
        assert "không dành cho vai trò của bạn" in chat.last.text
        for token in (f"a:obst:{ids['T1']}", "a:obstp:5"):
            await chat.press_token(token)
            assert "không còn hiệu lực" in chat.last.text
    async with db.session() as s:
        assert (await s.exec(select(Report.obstacle_handled_at))).scalars().all().count(None) == 9


async def test_empty_queue(db: Database) -> None:
    await small_org(db)
    office = await enroll(db, make_bot(db), "VP", "9")
    await office.say("/obstacles")
    assert "Không có khó khăn" in office.last.text
