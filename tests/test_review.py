"""/review: heads confirm or return completions, within their own subtree only."""

from __future__ import annotations

from sqlalchemy import select

from handlers.router import action_token
from storage.db import Database
from storage.models import AuditEvent, Outbox, Report
from tests.chat import Chat
from tests.reporting import enrolled, make_bot, org_with_tasks
from tests.test_report import run_script


async def complete(chat: Chat, code: str) -> None:
    """Report task `code` completed through the dialog."""
    await chat.say(f"/report {code}")
    await run_script(chat, [("3", "Kết quả"), ("Đã xong", "khó khăn"), ("/skip", "đề xuất")])
    await run_script(chat, [("/skip", "kiểm tra lại"), ("1", "sẽ xác nhận")])


async def test_head_confirms(db: Database) -> None:
    people, _tasks = await org_with_tasks(db)
    bot = make_bot(db)
    officer = await enrolled(bot, db, "OA", "1")
    await complete(officer, "386.II.2")
    head = await enrolled(bot, db, "HA", "2")
    await head.say("/review")
    assert "1 nhiệm vụ hoàn thành đang chờ đồng chí xác nhận" in head.last.text
    assert "386.II.2" in head.last.text and "Trần Thị Hoà" in head.last.text
    assert head.labels() == ["✓ Xác nhận 386.II.2", "↩ Trả lại 386.II.2"]
    await head.press("Xác nhận")
    assert head.last.text == "Đã xác nhận: 386.II.2, quý IV/2026."
    await head.press("Xác nhận")  # pressed twice: already reviewed
    assert "đã được xem xét" in head.last.text
    await head.say("/review")
    assert "Không có báo cáo nào chờ" in head.last.text
    async with db.session() as s:
        report = (await s.exec(select(Report))).scalar_one()
        told = (await s.exec(select(Outbox).where(Outbox.kind == "review_result"))).scalar_one()
        audit = (await s.exec(select(AuditEvent.action).where(AuditEvent.entity == "report"))).all()
    assert (report.review_state, report.reviewed_by_id) == ("confirmed", people["HA"].id)
    assert told.officer_id == people["OA"].id and "đã xác nhận hoàn thành" in told.text
    assert [a for (a,) in audit] == ["report.submit", "report.confirmed"]


async def test_head_returns_with_a_comment(db: Database) -> None:
    people, tasks = await org_with_tasks(db)
    bot = make_bot(db)
    officer = await enrolled(bot, db, "OA", "1")
    await complete(officer, "386.II.2")
    head = await enrolled(bot, db, "HA", "2")
    await head.say("/review")
    await head.press("Trả lại")
    await run_script(head, [("ok", "ghi ý kiến ngắn"), ("Thiếu biên bản nghiệm thu", "Đã trả lại")])
    async with db.session() as s:
        report = (await s.exec(select(Report))).scalar_one()
        told = (await s.exec(select(Outbox).where(Outbox.kind == "review_result"))).scalar_one()
    assert (report.review_state, report.status) == ("returned", "in_progress")
    assert report.review_comment == "Thiếu biên bản nghiệm thu"
    assert "Thiếu biên bản nghiệm thu" in told.text and told.officer_id == people["OA"].id
    assert told.choices == [
        [action_token("rp", tasks["386.II.2"].id, "2026-Q4"), "Sửa báo cáo 386.II.2 · quý IV/2026"]
    ]
    # The officer revises: a new revision, awaiting confirmation again.
    await complete(officer, "386.II.2")
    async with db.session() as s:
        report = (await s.exec(select(Report))).scalar_one()
    assert (report.revision, report.review_state, report.review_comment) == (2, "pending", None)


async def test_officer_cannot_review(db: Database) -> None:
    _people, _tasks = await org_with_tasks(db)
    bot = make_bot(db)
    officer = await enrolled(bot, db, "OA", "1")
    await complete(officer, "386.II.2")
    await officer.say("/review")
    assert "không dành cho vai trò" in officer.last.text
    async with db.session() as s:
        report = (await s.exec(select(Report))).scalar_one()
    await officer.press_token(action_token("rvc", report.id, report.revision))
    assert "không còn hiệu lực" in officer.last.text
    head = await enrolled(bot, db, "HA", "2")
    for forged in (action_token("rvc", 10**15, 1), action_token("rvr", report.id, "x"), "a:rvc"):
        await head.press_token(forged)
        assert "không còn hiệu lực" in head.last.text
    async with db.session() as s:
        assert (await s.get(Report, report.id)).review_state == "pending"  # type: ignore[union-attr]


async def test_head_cannot_review_a_sibling_unit(db: Database) -> None:
    _people, _tasks = await org_with_tasks(db)
    bot = make_bot(db)
    await complete(await enrolled(bot, db, "OA1", "1"), "386.II.3")  # unit A1, below A
    head_b = await enrolled(bot, db, "HB", "2")
    await head_b.say("/review")
    assert "Không có báo cáo nào chờ" in head_b.last.text
    async with db.session() as s:
        report = (await s.exec(select(Report))).scalar_one()
        asked = (await s.exec(select(Outbox.officer_id).where(Outbox.kind == "review"))).all()
    for token in (
        action_token("rvc", report.id, report.revision),
        action_token("rvr", report.id, report.revision),
    ):
        await head_b.press_token(token)
        assert "không còn hiệu lực" in head_b.last.text
    # A1 has no head of its own: the head of A, its parent, is asked, and may confirm.
    assert [officer_id for (officer_id,) in asked] == [_people["HA"].id]
    head_a = await enrolled(bot, db, "HA", "3")
    await head_a.press_token(action_token("rvc", report.id, report.revision))
    assert "Đã xác nhận: 386.II.3" in head_a.last.text
