"""`taskbot remind --dry-run|--now`, `taskbot cycle` and the scheduler, on the small org's plan."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select
from typer.testing import CliRunner

from bot.settings import Settings, get_settings
from reminders.scheduler import build_scheduler
from storage.db import Database
from storage.models import Leave, Outbox, Report
from tests.chat import FrozenClock
from tests.cli import taskbot
from tests.fake_telegram import TOKEN, fake_telegram
from tests.outbox import RecordingSender, enroll
from tests.reporting import org_with_tasks

# Friday 20/11/2026 08:30 in Hà Nội: the monthly deadline, a reminder send time.
DEADLINE_MORNING = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)


async def outbox(db: Database) -> list[Outbox]:
    async with db.session() as s:
        return list((await s.exec(select(Outbox).order_by(Outbox.id))).scalars())


async def test_remind_dry_run_then_now_then_cycle(
    db: Database, cli_env: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    people, tasks = await org_with_tasks(db)
    async with db.session() as s:
        s.add(
            Report(
                task_id=tasks["386.III.1"].id,
                period="2026-11",
                status="in_progress",
                percent=30,
                submitted_by_id=people["HB"].id,
                submitted_at=DEADLINE_MORNING,
                on_time=True,
            )
        )
        s.add(
            Leave(
                officer_id=people["OA1"].id,
                start_date=DEADLINE_MORNING.date(),
                end_date=DEADLINE_MORNING.date(),
                created_by="test",
            )
        )
    with time_machine.travel(DEADLINE_MORNING, tick=False):
        dry = await taskbot(cli_env, "remind", "--dry-run")
        assert await outbox(db) == []
        assert "OA — Trần Thị Hoà" in dry and "386.II.1" in dry
        assert "386.III.1" not in dry  # reported
        assert "Không gửi: 386.II.3 2026-11 (đang nghỉ phép, không có người được ủy quyền)" in dry
        assert "1 tin nhắn đến hạn gửi" in dry

        sent = await taskbot(cli_env, "remind", "--now")
        assert "Nhắc việc: đề nghị báo cáo tiến độ" in sent
        assert "Đã gửi 1, chờ gửi lại 0, thất bại 0" in sent
        rows = await outbox(db)
        assert [row.status for row in rows] == ["sent"]
        again = await taskbot(cli_env, "remind", "--now")
        assert "0 tin nhắn đến hạn gửi" in again and len(await outbox(db)) == 1

        cycle = await taskbot(cli_env, "cycle", "--period", "2026-11")
    lines = {line.split("│")[1].strip(): line for line in cycle.splitlines() if "│" in line}
    unit_a = next(line for name, line in lines.items() if name.startswith("A —"))
    unit_a1 = next(line for name, line in lines.items() if name.startswith("A1 —"))
    unit_b = next(line for name, line in lines.items() if name.startswith("B —"))
    # A: OA's reminder (1 sent), 1 monthly task due (II.1), no report; A1: its officer away;
    # B: 1 due, 1 report.
    assert [cell.strip() for cell in unit_a.split("│")[2:8]] == ["1", "1", "0", "1", "0", "0"]
    assert [cell.strip() for cell in unit_a1.split("│")[2:8]] == ["0", "0", "0", "1", "0", "0"]
    assert [cell.strip() for cell in unit_b.split("│")[2:8]] == ["0", "0", "0", "1", "1", "0"]
    assert "Write the period" not in await taskbot(cli_env, "cycle", "--period", "2026-13", code=2)


async def test_scheduler_ticks_the_planner_and_the_dispatcher(db: Database) -> None:
    await org_with_tasks(db)
    await enroll(db, "OA", "telegram", "t-oa")
    settings = Settings(
        database_url=db.url, planner_interval_seconds=0.2, dispatch_interval_seconds=0.1
    )
    telegram = RecordingSender("telegram")
    scheduler = build_scheduler(db, settings, {"telegram": telegram}, FrozenClock(DEADLINE_MORNING))
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"plan", "dispatch"}
    assert all(job.coalesce and job.max_instances == 1 for job in jobs.values())
    scheduler.start()
    try:
        for _ in range(100):
            if telegram.sent:
                break
            await asyncio.sleep(0.05)
    finally:
        scheduler.shutdown(wait=False)
    [(chat, reply)] = telegram.sent
    assert chat == "t-oa" and "386.II.1" in reply.text


async def test_remind_now_sends_through_the_configured_messenger(
    db: Database, cli_env: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    await org_with_tasks(db)
    await enroll(db, "OA", "telegram", "7001")
    async with fake_telegram() as fake:
        monkeypatch.setenv("TASKBOT_TELEGRAM_TOKEN", TOKEN)
        monkeypatch.setenv("TASKBOT_TELEGRAM_API_BASE", fake.api_base)
        monkeypatch.setenv("TASKBOT_TELEGRAM_FILE_BASE", fake.file_base)
        get_settings.cache_clear()
        with time_machine.travel(DEADLINE_MORNING, tick=False):
            output = await taskbot(cli_env, "remind", "--now")
        [text] = fake.texts(7001)
    assert "386.II.1" in text and "Nhắc việc" in text
    # OA1 and HB have no identity on Telegram: recorded unreachable, not printed anywhere.
    assert "Đã gửi 1, chờ gửi lại 0, thất bại 2" in output
    assert sorted(row.status for row in await outbox(db)) == ["failed", "failed", "sent"]
