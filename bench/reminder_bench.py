"""Reminder fan-out at province scale: 10,000 officers, one monthly task each, on SQLite.

Measured in one run on one file:
- the planner pass at a send time (10,000 bundled reminders + heads' digests) against a
  baseline of bare bulk INSERTs of the same number of outbox rows;
- a repeat pass (everything already queued) against the same baseline;
- the dispatcher draining them through a channel that answers at once, against a baseline of
  bare UPDATEs marking the rows sent in the same batch size.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import insert, update

from handlers.types import Reply
from reminders.dispatcher import DispatchPolicy, OutboxDispatcher
from reminders.planner import run_planner
from storage.db import Database
from storage.migrate import upgrade
from storage.models import ChatIdentity, Officer, Outbox, Plan, Task, Unit

OFFICERS = 10_000
UNITS = 100
# Friday 20/11/2026 08:30 in Hà Nội: the November deadline, a reminder send time.
NOW = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)


class InstantSender:
    """A channel with no latency: what is left is the dispatcher's own cost."""

    name = "bench"

    async def send(self, chat_id: str, reply: Reply) -> str:
        return chat_id


async def populate(db: Database) -> None:
    async with db.session() as s:
        s.add(Unit(id=1, code="T", name="Tỉnh", kind="province", path="/1/"))
        s.add(Plan(id=1, code="B-1", title="Kế hoạch thử"))
        await s.flush()
        units = [
            {
                "id": n + 2,
                "code": f"U{n}",
                "name": f"Đơn vị {n}",
                "parent_id": 1,
                "path": f"/1/{n + 2}/",
                "kind": "department",
            }
            for n in range(UNITS)
        ]
        await s.execute(insert(Unit), units)
        people = [
            {
                "id": n + 1,
                "code": f"CB{n}",
                "full_name": f"Cán bộ {n}",
                "unit_id": n % UNITS + 2,
                "role": "officer",
                "locale": "vi",
                "active": True,
                "created_at": NOW,
            }
            for n in range(OFFICERS)
        ] + [
            {
                "id": OFFICERS + n + 1,
                "code": f"GD{n}",
                "full_name": f"Giám đốc {n}",
                "unit_id": n + 2,
                "role": "head",
                "locale": "vi",
                "active": True,
                "created_at": NOW,
            }
            for n in range(UNITS)
        ]
        await s.execute(insert(Officer), people)
        identities = [
            {
                "officer_id": p["id"],
                "channel": "bench",
                "external_user_id": str(p["id"]),
                "chat_id": str(p["id"]),
                "created_at": NOW,
                "last_seen_at": NOW,
            }
            for p in people
        ]
        await s.execute(insert(ChatIdentity), identities)
        tasks = [
            {
                "plan_id": 1,
                "code": f"T.{n}",
                "title": f"Nhiệm vụ chuyển đổi số thứ {n}",
                "presiding_unit_id": n % UNITS + 2,
                "officer_id": n + 1,
                "start_date": date(2026, 1, 1),
                "due_date": date(2026, 12, 31),
                "cadence": "monthly",
                "active": True,
            }
            for n in range(OFFICERS)
        ]
        await s.execute(insert(Task), tasks)


async def baseline_insert(db: Database, count: int, tag: str) -> float:
    rows = [
        {
            "dedupe_key": f"{tag}:{n}",
            "kind": "bench",
            "officer_id": n % OFFICERS + 1,
            "text": "Nhắc việc: đề nghị báo cáo tiến độ nhiệm vụ T.1 kỳ tháng 11/2026.",
            "choices": [["a:rp:1:2026-11", "Báo cáo"]],
            "status": "cancelled",
            "attempts": 0,
            "not_before": NOW,
            "created_at": NOW,
        }
        for n in range(count)
    ]
    started = time.perf_counter()
    async with db.session() as s:
        for start in range(0, count, 500):
            await s.exec(insert(Outbox).values(rows[start : start + 500]))  # type: ignore[call-overload]
    return time.perf_counter() - started


async def baseline_mark_sent(db: Database, tag: str, count: int, batch: int) -> float:
    started = time.perf_counter()
    for start in range(0, count, batch):
        async with db.session() as s:
            keys = [f"{tag}:{n}" for n in range(start, min(start + batch, count))]
            await s.exec(  # type: ignore[call-overload]
                update(Outbox)
                .where(Outbox.dedupe_key.in_(keys))  # type: ignore[attr-defined]
                .values(status="sent", sent_at=NOW)
            )
    return time.perf_counter() - started


async def run(path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{path}")
    await upgrade(db.engine)
    await populate(db)
    policy = DispatchPolicy()

    started = time.perf_counter()
    result = await run_planner(db, NOW)
    planner = time.perf_counter() - started
    messages = len(result.messages)
    started = time.perf_counter()
    repeat = await run_planner(db, NOW)
    repeated = time.perf_counter() - started
    assert repeat.messages == []
    insert_base = await baseline_insert(db, messages, "base")

    dispatcher = OutboxDispatcher(db, {"bench": InstantSender()}, clock=lambda: NOW, policy=policy)
    started = time.perf_counter()
    stats = await dispatcher.run_once()
    dispatch = time.perf_counter() - started
    assert stats.sent == messages, stats
    update_base = await baseline_mark_sent(db, "base", messages, policy.batch_size)
    await db.dispose()

    print(f"   {OFFICERS:,} officers, {messages:,} messages planned (reminders + digests)")
    print(
        f"   planner pass {planner:.2f} s vs bare INSERTs {insert_base:.2f} s: "
        f"{planner / insert_base:.1f}x"
    )
    print(f"   repeat pass (nothing new) {repeated:.2f} s: {repeated / insert_base:.1f}x")
    print(
        f"   dispatch {dispatch:.2f} s ({messages / dispatch:,.0f} msg/s) vs bare UPDATEs "
        f"{update_base:.2f} s: {dispatch / update_base:.1f}x"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(Path(folder) / "bench.db"))
