"""/tasks and the /report dialog: every step, invalid answers, revisions, restarts, rights."""

from __future__ import annotations

import dataclasses
from datetime import date

from sqlalchemy import delete, func, select

from bot.app import TaskBot
from handlers.router import action_token
from handlers.taskview import OVERDUE_SHOWN
from storage.db import Database
from storage.models import (
    AuditEvent,
    ClosedPeriod,
    IndicatorValue,
    Leave,
    Outbox,
    Report,
    ReportRevision,
    Task,
)
from tests.chat import Chat, FrozenClock
from tests.reporting import REPORT_DAY, enrolled, make_bot, org_with_tasks
from tests.sample import load_sample

# The answers to the monthly task with two indicators, each step once wrong first.
SCRIPT = [
    ("7", "Vui lòng chọn một phương án"),  # task: no option 7
    ("1", "Tình trạng thực hiện nhiệm vụ?"),
    ("xyz", "Vui lòng chọn một phương án"),  # status: not an option
    ("đang thực hiện", "phần trăm"),  # status typed as its label, without asking for a number
    ("120%", "từ 0 đến 100"),  # percent out of range
    ("45,5", "Chỉ tiêu 1/2"),
    ("nhiều", "trả lời bằng một số"),  # indicator 1: not a number
    ("1.500", "Chỉ tiêu 2/2"),  # Vietnamese thousands
    ("abc", "trả lời bằng một số"),
    ("62,5", "Kết quả đạt được"),
    ("-", "mô tả ngắn gọn"),  # result: empty
    ("Đã số hoá 85 thủ tục", "khó khăn, vướng mắc"),
    ("x" * 2001, "dưới 2000 ký tự"),  # obstacles: too long
    ("Thiếu kinh phí", "đề xuất, kiến nghị"),
    ("y" * 2001, "dưới 2000 ký tự"),  # proposals: too long
    ("/skip", "kiểm tra lại báo cáo"),
    ("9", "Vui lòng chọn một phương án"),  # confirm: no option 9
]


async def run_script(chat: Chat, steps: list[tuple[str, str]]) -> None:
    for text, expected in steps:
        replies = await chat.say(text)
        shown = "\n".join(reply.text for reply in replies)
        assert expected in shown, f"after {text[:20]!r}: {shown!r}"


async def test_tasks_lists_due_dates_and_what_is_due(db: Database) -> None:
    await org_with_tasks(db)
    chat = await enrolled(make_bot(db), db, "OA", "1")
    await chat.say("/tasks")
    text = chat.last.text
    assert "386.II.1 — Số hoá thủ tục hành chính cấp tỉnh" in text
    assert "Thời hạn: 31/12/2026" in text
    assert "tháng 11/2026: chưa báo cáo, hạn 20/11/2026" in text
    assert "quý IV/2026: chưa báo cáo, hạn 21/12/2026" in text  # 20/12 is a Sunday
    assert "386.II.3" not in text  # OA1's task
    assert chat.labels() == ["Báo cáo 386.II.1 · tháng 11/2026", "Báo cáo 386.II.2 · quý IV/2026"]
    await chat.say("2")  # a typed number presses the second button
    assert "386.II.2" in chat.last.text and "Tình trạng thực hiện" in chat.last.text
    await chat.say("/cancel")
    chat.bot.clock.advance(days=16)  # 02/12: November was never reported
    await chat.say("/tasks")
    assert "tháng 11/2026: chưa báo cáo, quá hạn (hạn 20/11/2026)" in chat.last.text
    assert "tháng 12/2026: chưa báo cáo, hạn 21/12/2026" in chat.last.text
    assert chat.labels()[:2] == [
        "Báo cáo 386.II.1 · tháng 11/2026",
        "Báo cáo 386.II.1 · tháng 12/2026",
    ]


async def test_full_report_with_one_invalid_answer_per_step(db: Database) -> None:
    people, tasks = await org_with_tasks(db)
    chat = await enrolled(make_bot(db), db, "OA", "1")
    await chat.say("/tasks")
    await chat.say("/report")
    assert chat.labels()[:2] == [
        "386.II.1 · tháng 11/2026 — Số hoá thủ tục hành chính cấp tỉnh",
        "386.II.2 · quý IV/2026 — Xây dựng kho dữ liệu dùng chung của tỉnh",
    ]
    await run_script(chat, SCRIPT)
    summary = chat.last.text
    assert "Tiến độ: 46%" in summary  # 45,5 rounds half up
    assert "trực tuyến toàn trình: 1.500 thủ tục (chỉ tiêu 120 thủ tục)" in summary
    assert "Tỷ lệ hồ sơ được số hoá: 62,5% (chỉ tiêu 80%)" in summary
    assert "Đề xuất: —" in summary
    await chat.press("Gửi báo cáo")
    assert "Đã nhận báo cáo: 386.II.1, tháng 11/2026." in chat.text
    # Revising shows what was reported last time.
    await chat.say("/report 386.II.1")
    await run_script(chat, [("2", "Lần báo cáo trước: 46%"), ("50", "trước: 1.500 thủ tục")])
    await chat.say("/cancel")
    async with db.session() as s:
        report = (await s.exec(select(Report))).scalar_one()
        values = (await s.exec(select(IndicatorValue).order_by(IndicatorValue.id))).scalars().all()
        revisions = (await s.exec(select(ReportRevision))).scalars().all()
        audit = (await s.exec(select(AuditEvent).where(AuditEvent.entity == "report"))).scalars()
        actions = [event.action for event in audit]
    assert (report.task_id, report.period, report.status) == (
        tasks["386.II.1"].id,
        "2026-11",
        "in_progress",
    )
    assert (report.percent, report.revision, report.on_time) == (46, 1, True)
    assert report.obstacles == "Thiếu kinh phí" and report.proposals is None
    assert report.submitted_by_id == people["OA"].id and report.review_state == "none"
    assert [v.value for v in values] == [1500.0, 62.5]
    assert [r.revision for r in revisions] == [1] and revisions[0].snapshot["percent"] == 46
    assert actions == ["report.submit"]


async def test_second_report_same_period_is_a_revision(db: Database) -> None:
    await org_with_tasks(db)
    chat = await enrolled(make_bot(db), db, "OA", "1")
    for percent in ("30", "60"):
        await chat.say("/report 386.II.2")
        if percent == "60":
            assert "Đã báo cáo: đang thực hiện, 30%" in chat.last.text
        await run_script(
            chat,
            [("2", "phần trăm"), (percent, "Kết quả"), ("Xong bước 1", "khó khăn")],
        )
        await run_script(chat, [("/skip", "đề xuất"), ("/skip", "kiểm tra lại")])
        if percent == "60":
            assert "lần sửa 2" in chat.last.text
        await chat.press("Gửi báo cáo")
    assert "Đã cập nhật báo cáo: 386.II.2, quý IV/2026 — lần sửa 2." in chat.last.text
    async with db.session() as s:
        report = (await s.exec(select(Report))).scalar_one()
        revisions = (
            (await s.exec(select(ReportRevision).order_by(ReportRevision.revision))).scalars().all()
        )
    assert (report.percent, report.revision) == (60, 2)
    assert [(r.revision, r.snapshot["percent"]) for r in revisions] == [(1, 30), (2, 60)]


async def test_back_and_cancel(db: Database) -> None:
    await org_with_tasks(db)
    chat = await enrolled(make_bot(db), db, "OA", "1")
    await chat.say("/report")
    await run_script(chat, [("1", "Tình trạng"), ("2", "phần trăm"), ("/back", "Tình trạng")])
    await chat.press("Quay lại")
    assert "Đồng chí muốn báo cáo nhiệm vụ nào?" in chat.last.text
    await run_script(chat, [("1", "Tình trạng"), ("2", "phần trăm"), ("40", "Chỉ tiêu 1/2")])
    await run_script(chat, [("/back", "phần trăm"), ("/cancel", "Đã hủy")])
    async with db.session() as s:
        assert (await s.exec(select(func.count()).select_from(Report))).scalar_one() == 0


async def test_completed_means_100_and_asks_the_head(db: Database) -> None:
    people, tasks = await org_with_tasks(db)
    chat = await enrolled(make_bot(db), db, "OA", "1")
    await chat.say("/report 386.II.2")
    await run_script(
        chat,
        [("đã hoàn thành", "Kết quả"), ("Kho dữ liệu đã vận hành", "khó khăn")],
    )
    await run_script(chat, [("/skip", "đề xuất"), ("/skip", "Tiến độ: 100%")])
    await chat.press("Gửi báo cáo")
    assert "Lãnh đạo đơn vị chủ trì sẽ xác nhận" in chat.last.text
    async with db.session() as s:
        report = (await s.exec(select(Report))).scalar_one()
        outbox = (await s.exec(select(Outbox))).scalars().all()
    assert (report.percent, report.review_state) == (100, "pending")
    assert [row.officer_id for row in outbox] == [people["HA"].id]  # head of A, not of B
    message = outbox[0]
    assert "Trần Thị Hoà báo cáo đã hoàn thành nhiệm vụ 386.II.2 (quý IV/2026)" in message.text
    assert [label for _token, label in message.choices] == ["✓ Xác nhận", "↩ Trả lại"]
    assert message.choices[0][0] == action_token("rvc", report.id, 1)
    assert (message.task_id, message.period) == (tasks["386.II.2"].id, "2026-Q4")


async def test_blocked_needs_an_obstacle(db: Database) -> None:
    await org_with_tasks(db)
    chat = await enrolled(make_bot(db), db, "OA", "1")
    await chat.say("/report 386.II.2")
    await run_script(
        chat,
        [
            ("gặp vướng mắc", "phần trăm"),
            ("10%", "Kết quả"),
            ("Mới khảo sát", "khó khăn"),
            ("/skip", "đề nghị mô tả vướng mắc"),
            ("Chưa có máy chủ", "đề xuất"),
        ],
    )


async def test_dialog_survives_a_restart(db: Database) -> None:
    await org_with_tasks(db)
    clock = FrozenClock(REPORT_DAY)
    chat = await enrolled(make_bot(db, clock), db, "OA", "1")
    await chat.say("/report 386.II.1")
    await run_script(chat, [("2", "phần trăm"), ("50", "Chỉ tiêu 1/2")])
    restarted = Chat(TaskBot(db, make_bot(db).settings, clock), user="1")
    await run_script(
        restarted,
        [("90", "Chỉ tiêu 2/2"), ("70", "Kết quả"), ("Tốt", "khó khăn"), ("/skip", "đề xuất")],
    )
    await run_script(restarted, [("/skip", "kiểm tra lại"), ("1", "Đã nhận báo cáo")])
    async with db.session() as s:
        report = (await s.exec(select(Report))).scalar_one()
    assert report.percent == 50


async def test_same_update_twice_changes_nothing(db: Database) -> None:
    await org_with_tasks(db)
    chat = await enrolled(make_bot(db), db, "OA", "1")
    await chat.say("/report 386.II.2")
    await run_script(chat, [("2", "phần trăm"), ("20", "Kết quả"), ("Ok", "khó khăn")])
    await run_script(chat, [("/skip", "đề xuất"), ("/skip", "kiểm tra lại")])
    token = chat.last.choices[0].token
    press = dataclasses.replace(chat._incoming(choice=token), update_key="same")
    first = await chat.send(press)
    again = await chat.send(press)
    assert "Đã nhận báo cáo" in first[-1].text and again == []
    async with db.session() as s:
        assert (await s.exec(select(func.count()).select_from(ReportRevision))).scalar_one() == 1


async def test_report_button_is_checked(db: Database) -> None:
    _people, tasks = await org_with_tasks(db)
    chat = await enrolled(make_bot(db), db, "OA", "1")
    own, quarterly = tasks["386.II.1"].id, tasks["386.II.2"].id
    cases = [
        (action_token("rp", tasks["386.II.3"].id, "2026-11"), "không được giao cho đồng chí"),
        (action_token("rp", 99999, "2026-11"), "không được giao cho đồng chí"),
        (action_token("rp", 10**15, "2026-11"), "không còn hiệu lực"),  # beyond int32
        (action_token("rp", own, "2026-13"), "không còn hiệu lực"),
        (action_token("rp", own, "2027-01"), "không có kỳ báo cáo tháng 01/2027"),
        (action_token("rp", quarterly, "2026-11"), "không có kỳ báo cáo tháng 11/2026"),
        (action_token("rp", own, "2026-10"), "không có kỳ báo cáo tháng 10/2026"),  # not started
        (action_token("rp", "x", "2026-11"), "không còn hiệu lực"),
        ("a:rp:1", "không còn hiệu lực"),
    ]
    for token, expected in cases:
        replies = await chat.press_token(token)
        assert expected in replies[-1].text, (token, replies[-1].text)
        assert chat.labels() == [] or "Gửi" not in chat.last.text
    await chat.press_token(action_token("rp", own, "2026-11"))
    assert "tháng 11/2026" in chat.last.text and "Tình trạng thực hiện" in chat.last.text


async def test_late_report_and_closed_period(db: Database) -> None:
    _people, tasks = await org_with_tasks(db)
    clock = FrozenClock(REPORT_DAY)
    chat = await enrolled(make_bot(db, clock), db, "OA", "1")
    clock.advance(days=7)  # 23/11, after November's deadline (20/11)
    steps = [("2", "phần trăm"), ("20", "1/2"), ("1", "2/2"), ("2", "Kết quả"), ("Ok", "khó")]
    await chat.press_token(action_token("rp", tasks["386.II.1"].id, "2026-11"))
    await run_script(chat, [*steps, ("/skip", "đề xuất"), ("/skip", "kiểm tra lại")])
    async with db.session() as s:
        s.add(
            ClosedPeriod(
                plan_id=tasks["386.II.1"].plan_id,
                period="2026-11",
                closed_at=clock.now,
                closed_by="office:VP",
            )
        )
    await chat.press("Gửi báo cáo")
    assert "đã khoá sổ" in chat.text and "Chưa có gì được lưu" in chat.last.text
    await chat.press_token(action_token("rp", tasks["386.II.1"].id, "2026-11"))
    assert "đã khoá sổ" in chat.last.text
    await chat.say("/tasks")
    assert "tháng 11/2026" not in chat.last.text  # a closed period owes nothing any more
    async with db.session() as s:
        await s.exec(delete(ClosedPeriod))  # type: ignore[call-overload]
    await chat.press_token(action_token("rp", tasks["386.II.1"].id, "2026-11"))
    await run_script(chat, [*steps, ("/skip", "đề xuất"), ("/skip", "kiểm tra lại")])
    await run_script(chat, [("1", "trễ hạn")])
    async with db.session() as s:
        report = (await s.exec(select(Report))).scalar_one()
    assert (report.period, report.on_time) == ("2026-11", False)


async def test_delegate_reports_during_leave(db: Database) -> None:
    people, _tasks = await org_with_tasks(db)
    async with db.session() as s:
        s.add(
            Leave(
                officer_id=people["OA"].id,
                start_date=date(2026, 11, 10),
                end_date=date(2026, 11, 30),
                delegate_id=people["OA1"].id,
                created_by="test",
            )
        )
    chat = await enrolled(make_bot(db), db, "OA1", "2")
    await chat.say("/tasks")
    assert "Làm thay Trần Thị Hoà (đang nghỉ phép)" in chat.last.text
    assert "386.II.3" in chat.last.text
    await chat.press("386.II.2")
    await run_script(chat, [("2", "phần trăm"), ("35", "Kết quả"), ("Ok", "khó")])
    await run_script(chat, [("/skip", "đề xuất"), ("/skip", "kiểm tra lại"), ("1", "Đã nhận")])
    async with db.session() as s:
        report = (await s.exec(select(Report))).scalar_one()
        task = await s.get(Task, report.task_id)
    assert report.submitted_by_id == people["OA1"].id and task.officer_id == people["OA"].id


async def test_sample_officer_reports_on_the_sample_plan(db: Database) -> None:
    await load_sample(db)
    chat = await enrolled(make_bot(db, FrozenClock()), db, "CB-TTCDS-1", "1")  # 23/11/2026
    await chat.say("/tasks")
    text = chat.last.text
    for code in ("386.II.3.a", "386.II.3.b", "386.II.3.c"):
        assert code in text
    # Never reported since 2025: the two latest overdue months are shown, the rest counted.
    assert "tháng 10/2026: chưa báo cáo, quá hạn (hạn 20/10/2026)" in text
    assert "và 18 kỳ trước chưa báo cáo" in text
    assert "quý III/2026: chưa báo cáo, quá hạn" in text  # 386.II.3.c ended on 30/09/2026
    assert len(text) < 4096 and len(chat.labels()) <= 3 * (OVERDUE_SHOWN + 1)
    await chat.say("/report 386.II.3.a")
    assert len(chat.labels()) == OVERDUE_SHOWN + 2  # + Cancel
    await chat.press("tháng 11/2026")
    await run_script(chat, [("2", "phần trăm"), ("70%", "")])
    while "Chỉ tiêu" in chat.last.text:
        await chat.say("12")
    await run_script(chat, [("Đã vận hành thử", "khó khăn"), ("/skip", "đề xuất")])
    await run_script(chat, [("/skip", "kiểm tra lại"), ("1", "trễ hạn")])
    async with db.session() as s:
        report = (await s.exec(select(Report))).scalar_one()
        task = await s.get(Task, report.task_id)
    assert (task.code, report.period, report.percent) == ("386.II.3.a", "2026-11", 70)
