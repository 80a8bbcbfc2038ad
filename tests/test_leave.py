"""Leave: the /leave dialog, cancelling, delegates, the storage queries and `taskbot leave`."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select
from typer.testing import CliRunner

from bot.app import TaskBot
from bot.settings import Settings
from storage.db import Database
from storage.leave import absences, delegate_for, on_leave, represented_by
from storage.models import AuditEvent, Leave, Officer, Outbox
from tests.chat import Chat, FrozenClock
from tests.cli import taskbot
from tests.org import invite, small_org

TODAY = date(2026, 11, 23)  # FrozenClock's default, 09:00 in Hà Nội


async def enrolled(db: Database, bot: TaskBot, code: str, user: str) -> Chat:
    chat = Chat(bot, user=user)
    await chat.say(f"/start {await invite(db, code)}")
    return chat


async def say(chat: Chat, text: str) -> str:
    """Send `text`; everything the bot answered (an error, then the question asked again)."""
    return "\n".join(reply.text for reply in await chat.say(text))


async def officer_ids(db: Database) -> dict[str, int]:
    async with db.session() as s:
        return {o.code: o.id for o in (await s.exec(select(Officer))).scalars().all()}


async def test_leave_dialog_with_a_delegate_then_cancel(db: Database) -> None:
    await small_org(db)
    bot = TaskBot(db, Settings(database_url=db.url), FrozenClock())
    await enrolled(db, bot, "HA", "1")
    chat = await enrolled(db, bot, "OA", "2")
    await chat.say("/leave")
    assert "hôm nay là 23/11/2026" in chat.last.text
    assert "ví dụ 24/11" in await say(chat, "hôm qua")
    assert "đã qua" in await say(chat, "20/11")
    await chat.say("30/11")
    assert "trước ngày đầu" in await say(chat, "27/11")
    await chat.say("4/12/2026")
    assert chat.labels() == ["Nguyễn Văn Hùng", "Không ủy quyền", "« Quay lại", "✖ Hủy"]
    await chat.press("Nguyễn Văn Hùng")
    assert "30/11/2026" in chat.last.text and "04/12/2026" in chat.last.text
    await chat.press("Lưu")
    assert "30/11/2026 – 04/12/2026" in chat.last.text

    ids = await officer_ids(db)
    async with db.session() as s:
        assert await on_leave(s, ids["OA"], date(2026, 11, 29)) is None
        assert (await on_leave(s, ids["OA"], date(2026, 12, 4))) is not None
        assert await delegate_for(s, ids["OA"], date(2026, 12, 1)) == ids["HA"]
        assert await represented_by(s, ids["HA"], date(2026, 12, 1)) == [ids["OA"]]
        assert await represented_by(s, ids["HA"], date(2026, 12, 5)) == []
        told = (await s.exec(select(Outbox))).scalars().one()
        assert told.officer_id == ids["HA"] and "Trần Thị Hoà" in told.text

    # A second leave that overlaps is refused at the last-day question.
    await chat.say("/leave")
    assert "30/11/2026 – 04/12/2026" in chat.last.text and "Nguyễn Văn Hùng" in chat.last.text
    await chat.press("Thêm")
    await chat.say("3/12")
    assert "trùng" in await say(chat, "10/12")
    await chat.say("/cancel")

    await chat.say("/leave")
    await chat.press("Hủy 30/11")
    assert "Đã hủy lịch nghỉ 30/11/2026" in chat.last.text
    async with db.session() as s:
        assert (await s.exec(select(Leave))).scalars().all() == []
        actions = (await s.exec(select(AuditEvent.action))).scalars().all()
        assert "leave.add" in actions and "leave.cancel" in actions


async def test_no_colleague_means_no_delegate_question(db: Database) -> None:
    await small_org(db)
    bot = TaskBot(db, Settings(database_url=db.url), FrozenClock())
    chat = await enrolled(db, bot, "OA1", "3")  # alone in A1
    await chat.say("/leave")
    await chat.say("24/11")
    await chat.say("24/11")
    assert "Không ủy quyền" in chat.last.text  # straight to the summary
    await chat.press("Lưu")
    assert "24/11/2026." in chat.last.text


async def test_cancel_button_of_someone_else_does_nothing(db: Database) -> None:
    people = await small_org(db)
    async with db.session() as s:
        s.add(
            Leave(
                officer_id=people["HA"].id,
                start_date=date(2026, 12, 1),
                end_date=date(2026, 12, 2),
                created_by="test",
            )
        )
    bot = TaskBot(db, Settings(database_url=db.url), FrozenClock())
    chat = await enrolled(db, bot, "OA", "2")
    await chat.press_token("a:leave_cancel:1")
    assert "không còn hiệu lực" in chat.last.text
    await chat.press_token("a:leave_cancel:x")
    assert "không còn hiệu lực" in chat.last.text
    async with db.session() as s:
        assert len((await s.exec(select(Leave))).scalars().all()) == 1


async def test_a_delegate_on_leave_too_receives_nothing(db: Database) -> None:
    people = await small_org(db)
    oa, ha = people["OA"].id, people["HA"].id
    async with db.session() as s:
        for officer, delegate in ((oa, ha), (ha, None)):
            s.add(
                Leave(
                    officer_id=officer,
                    start_date=date(2026, 12, 1),
                    end_date=date(2026, 12, 3),
                    delegate_id=delegate,
                    created_by="test",
                )
            )
    async with db.session() as s:
        assert await delegate_for(s, oa, date(2026, 12, 2)) is None
        assert await delegate_for(s, ha, date(2026, 12, 2)) is None
        assert await absences(s, date(2026, 12, 2)) == {oa: None, ha: None}
        assert await absences(s, date(2026, 12, 4)) == {}
        await s.exec(delete(Leave).where(Leave.officer_id == ha))  # type: ignore[call-overload]
        assert await absences(s, date(2026, 12, 2)) == {oa: ha}


async def test_cli_leave_add_list_cancel(db: Database, cli_env: CliRunner) -> None:
    await small_org(db)
    year = TODAY.year + 1  # the CLI uses the real clock: stay in the future
    out = await taskbot(
        cli_env, "leave", "add", "OA", f"01/03/{year}", f"05/03/{year}", "--delegate", "HA"
    )
    assert "OA" in out and f"05/03/{year}" in out
    clash = await taskbot(cli_env, "leave", "add", "OA", f"5/3/{year}", f"9/3/{year}", code=1)
    assert "trùng" in clash
    await taskbot(cli_env, "leave", "add", "NOBODY", f"5/3/{year}", f"9/3/{year}", code=1)
    await taskbot(cli_env, "leave", "add", "OA", "32/13", "1/1", code=2)
    listing = await taskbot(cli_env, "leave", "list")
    assert "OA" in listing and "HA" in listing
    await taskbot(cli_env, "leave", "cancel", "1")
    assert "Không có" in await taskbot(cli_env, "leave", "list")
    await taskbot(cli_env, "leave", "cancel", "1", code=1)


async def test_cancelling_leave_under_way_keeps_its_past_days(db: Database) -> None:
    people = await small_org(db)
    async with db.session() as s:
        s.add(
            Leave(
                officer_id=people["OA"].id,
                start_date=date(2026, 11, 20),
                end_date=date(2026, 11, 30),
                created_by="test",
            )
        )
    bot = TaskBot(db, Settings(database_url=db.url), FrozenClock())
    chat = await enrolled(db, bot, "OA", "2")
    await chat.say("/leave")
    await chat.press("Hủy 20/11/2026")
    async with db.session() as s:
        leave = (await s.exec(select(Leave))).scalar_one()
    assert (leave.start_date, leave.end_date) == (date(2026, 11, 20), date(2026, 11, 22))
    await chat.say("/leave")
    assert "hôm nay là 23/11/2026" in chat.last.text  # nothing upcoming: straight to the dialog
