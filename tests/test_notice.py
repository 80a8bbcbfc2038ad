"""Notices: audience fan-out through the outbox, acknowledgments, status, office-only access."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import select
from typer.testing import CliRunner

from bot.app import TaskBot
from bot.settings import Settings
from reminders.dispatcher import OutboxDispatcher
from storage.db import Database
from storage.models import Notice, Officer, Outbox
from tests.chat import Chat, FrozenClock
from tests.org import invite, small_org
from tests.outbox import RecordingSender
from tests.sample import load_sample


def make_bot(db: Database, clock: FrozenClock | None = None) -> TaskBot:
    return TaskBot(db, Settings(database_url=db.url), clock or FrozenClock())


async def enroll(db: Database, bot: TaskBot, code: str, user: str) -> Chat:
    chat = Chat(bot, user=user, channel="telegram")
    await chat.say(f"/start {await invite(db, code)}")
    return chat


async def outbox(db: Database) -> list[tuple[str, str, str | None]]:
    """(officer code, status, last error) of every notice row, by officer code."""
    async with db.session() as s:
        rows = await s.exec(
            select(Officer.code, Outbox.status, Outbox.last_error)
            .join(Officer, Officer.id == Outbox.officer_id)
            .where(Outbox.kind == "notice")
            .order_by(Officer.code)
        )
        return [tuple(row) for row in rows.all()]


async def dispatch(db: Database, clock: FrozenClock | None = None) -> RecordingSender:
    """Run the real outbox dispatcher against a fake Telegram that records what it sends."""
    telegram = RecordingSender("telegram")
    await OutboxDispatcher(db, {"telegram": telegram}, clock=clock or FrozenClock()).run_once()
    return telegram


async def ack_token_of(db: Database, officer_code: str) -> str:
    async with db.session() as s:
        row = (
            await s.exec(
                select(Outbox)
                .join(Officer, Officer.id == Outbox.officer_id)
                .where(Officer.code == officer_code)
            )
        ).scalar_one()
        return row.choices[0][0]


async def test_notice_to_a_subtree_reaches_enrolled_members_and_tallies_acks(db: Database) -> None:
    await small_org(db)
    bot = make_bot(db)
    office = await enroll(db, bot, "VP", "9")
    head_a = await enroll(db, bot, "HA", "1")
    officer_a1 = await enroll(db, bot, "OA1", "3")
    await enroll(db, bot, "HB", "4")  # enrolled, but outside the audience

    await office.say("/notice")
    await office.say("Họp giao ban chuyển đổi số lúc 8 giờ thứ Hai.")
    await office.press("trực thuộc")
    await office.say("A")
    await office.press("Ngay bây giờ")  # now
    assert "3 người, 2 người đã đăng ký" in office.last.text
    assert "Họp giao ban chuyển đổi số" in office.last.text
    await office.press("Gửi")
    assert "đã được xếp hàng gửi cho 2 người" in office.text

    # One row per member of A and A1; the fake channel receives exactly the enrolled ones.
    assert [code for code, *_ in await outbox(db)] == ["HA", "OA", "OA1"]
    telegram = await dispatch(db)
    assert sorted(chat for chat, _ in telegram.sent) == ["1", "3"]
    assert {reply.choices[0].label for _, reply in telegram.sent} == {"Đã nhận"}
    assert await outbox(db) == [
        ("HA", "sent", None),
        ("OA", "failed", "not enrolled"),
        ("OA1", "sent", None),
    ]
    async with db.session() as s:
        notice = (await s.exec(select(Notice))).scalar_one()
        rows = (await s.exec(select(Outbox))).scalars().all()
    assert {row.dedupe_key for row in rows} == {
        f"notice:{notice.id}:{row.officer_id}" for row in rows
    }
    assert all(row.notice_id == notice.id and row.text.startswith("Họp") for row in rows)

    await head_a.press_token(await ack_token_of(db, "HA"))
    assert "Cảm ơn" in head_a.last.text and "✓ Đã nhận" in head_a.replies[-2].text
    await head_a.press_token(await ack_token_of(db, "HA"))
    assert "đã báo nhận thông báo này rồi" in head_a.last.text

    await office.say(f"/notice_status {notice.id}")
    status = office.last.text
    assert "3 người · đã gửi đến 2 · đã báo nhận 1 · đang chờ 0 · không liên lạc được 1" in status
    assert "OA Trần Thị Hoà (Sở Khoa học) — chưa đăng ký" in status
    assert "OA1 Lê Đức Thắng" in status.split("Đã gửi đến, chưa báo nhận:")[1]
    assert officer_a1.replies  # enrolled, nothing else asked of them


async def test_ack_only_by_the_recipient_and_forged_tokens_do_nothing(db: Database) -> None:
    await small_org(db)
    bot = make_bot(db)
    office = await enroll(db, bot, "VP", "9")
    await enroll(db, bot, "HA", "1")
    outsider = await enroll(db, bot, "HB", "4")
    await office.say("/notice")
    await office.say("Nộp báo cáo quý trước ngày 14.")
    await office.press("Một đơn vị")
    await office.say("a")  # codes are matched case-insensitively
    await office.press("Ngay bây giờ")
    await office.press("Gửi")
    token = await ack_token_of(db, "HA")
    for forged in (token, "a:ack:999", "a:ack:x", "a:ack"):
        await outsider.press_token(forged)
        assert "không còn hiệu lực" in outsider.last.text
    async with db.session() as s:
        acked = (await s.exec(select(Outbox.acknowledged_at))).scalars().all()
    assert acked == [None, None]  # HA and OA (not enrolled)


async def test_scheduled_notice_to_a_role_waits_until_its_time(db: Database) -> None:
    await small_org(db)
    clock = FrozenClock()
    bot = make_bot(db, clock)
    office = await enroll(db, bot, "VP", "9")
    await office.say("/notice")
    await office.say("Kiểm tra tiến độ")
    await office.press("thủ trưởng")
    await office.press("Hẹn giờ")
    assert "đã qua" in (await office.say("01/01/2020 08:00"))[0].text
    await office.say("25/11/2026 08:00")
    assert "08:00 25/11/2026" in office.last.text
    await office.press("Gửi")
    async with db.session() as s:
        rows = (await s.exec(select(Outbox))).scalars().all()
    # 08:00 in Hanoi is 01:00 UTC; both heads, neither enrolled.
    assert {row.not_before for row in rows} == {datetime(2026, 11, 25, 1, 0, tzinfo=UTC)}
    assert len(rows) == 2
    hb = await enroll(db, bot, "HB", "4")  # enrolls before it is sent: gets it
    assert (await dispatch(db, clock)).sent == []
    clock.advance(days=2)
    telegram = await dispatch(db, clock)
    assert [(chat, reply.text) for chat, reply in telegram.sent] == [("4", "Kiểm tra tiến độ")]
    await hb.press_token(telegram.sent[0][1].choices[0].token)
    await office.say("/notice_status 1")
    assert "2 người · đã gửi đến 1 · đã báo nhận 1 · đang chờ 0 · không liên lạc được 1" in (
        office.last.text
    )


async def test_notice_commands_are_refused_to_officers_and_heads(db: Database) -> None:
    await small_org(db)
    bot = make_bot(db)
    for code, user in (("OA", "2"), ("HA", "1")):
        chat = await enroll(db, bot, code, user)
        for command in ("/notice", "/notice_status", "/notice_status 1"):
            await chat.say(command)
            assert "không dành cho vai trò của bạn" in chat.last.text
    async with db.session() as s:
        assert (await s.exec(select(Notice))).scalars().all() == []


async def test_cli_send_and_status(db: Database, cli_env: CliRunner) -> None:
    from bot.cli import app

    await small_org(db)
    bot = make_bot(db)
    await enroll(db, bot, "HB", "4")

    def run(*args: str) -> str:
        result = cli_env.invoke(app, list(args))
        assert result.exit_code == 0, result.output
        return result.output

    out = await asyncio.to_thread(run, "notice", "send", "--to", "P+", "--text", "Chào cả tỉnh")
    assert "#1" in out and "cho 1 người" in out and "4 người chưa đăng ký" in out
    bad = ["notice", "send", "--to", "ZZ", "--text", "x"]
    assert (await asyncio.to_thread(cli_env.invoke, app, bad)).exit_code == 2
    status = await asyncio.to_thread(run, "notice", "status", "1")
    assert "5 người · đã gửi đến 0 · đã báo nhận 0 · đang chờ 5 · không liên lạc được 0" in status


async def test_notice_to_a_subtree_of_the_sample_plan(db: Database) -> None:
    """SKHCN+ on Plan 386: SKHCN (head, two officers) and TTCDS below it (head, officer)."""
    await load_sample(db)
    bot = make_bot(db)
    office = await enroll(db, bot, "VP01", "vp01")
    enrolled = {"GD-SKHCN": "t1", "CB-SKHCN-2": "t2", "CB-TTCDS-1": "t3", "CB-SNV-1": "t4"}
    chats = {code: await enroll(db, bot, code, user) for code, user in enrolled.items()}

    await office.say("/notice")
    await office.say("Đề nghị các đơn vị rà soát số liệu chỉ tiêu trước ngày 25/11.")
    await office.press("trực thuộc")
    await office.say("SKHCN")
    await office.press("Ngay bây giờ")
    assert "5 người, 3 người đã đăng ký" in office.last.text
    await office.press("Gửi")

    telegram = await dispatch(db)
    # Exactly the enrolled members of the subtree, once each; CB-SNV-1 (outside) gets nothing.
    assert sorted(chat for chat, _ in telegram.sent) == ["t1", "t2", "t3"]
    for code in ("GD-SKHCN", "CB-TTCDS-1"):
        await chats[code].press_token(telegram.sent[0][1].choices[0].token)
    await office.say("/notice_status 1")
    status = office.last.text
    assert "5 người · đã gửi đến 3 · đã báo nhận 2 · đang chờ 0 · không liên lạc được 2" in status
    unreachable = status.split("Không liên lạc được:")[1].split("Đã gửi đến, chưa báo nhận:")
    assert {line.split()[1] for line in unreachable[0].strip().splitlines()} == {
        "CB-SKHCN-1",
        "GD-TTCDS",
    }
    assert [line.split()[1] for line in unreachable[1].strip().splitlines()] == ["CB-SKHCN-2"]
