"""Tasks on the small organisation for report and review tests, and an enrolled chat per person."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.app import TaskBot
from bot.settings import Settings
from storage.db import Database
from storage.models import Indicator, Officer, Plan, Task
from storage.units import unit_by_code
from tests.chat import Chat, FrozenClock
from tests.org import invite, small_org


async def org_with_tasks(db: Database) -> tuple[dict[str, Officer], dict[str, Task]]:
    """small_org plus a plan: OA has a monthly task with two indicators and a quarterly one;
    OA1 has a task of A1; HB one of B. All start on 01/11/2026: on `REPORT_DAY` (Monday
    16/11/2026) November and Q4 are owed and not yet due (deadlines 20/11 and 21/12)."""
    people = await small_org(db)
    async with db.session() as s:
        plan = Plan(code="386-KH/TU", title="Kế hoạch thực hiện Nghị quyết 57")
        s.add(plan)
        await s.flush()
        units = {code: (await unit_by_code(s, code)).id for code in ("A", "A1", "B")}  # type: ignore[union-attr]
        specs = (
            ("386.II.1", "Số hoá thủ tục hành chính cấp tỉnh", "A", "OA", "monthly"),
            ("386.II.2", "Xây dựng kho dữ liệu dùng chung của tỉnh", "A", "OA", "quarterly"),
            ("386.II.3", "Triển khai nền tảng số tại Trung tâm", "A1", "OA1", "monthly"),
            ("386.III.1", "Hoàn thiện thể chế về chuyển đổi số", "B", "HB", "monthly"),
        )
        tasks = {}
        for code, title, unit, officer, cadence in specs:
            task = Task(
                plan_id=plan.id,
                code=code,
                title=title,
                presiding_unit_id=units[unit],
                officer_id=people[officer].id,
                start_date=date(2026, 11, 1),
                due_date=date(2026, 12, 31),
                cadence=cadence,
            )
            s.add(task)
            tasks[code] = task
        await s.flush()
        s.add_all(
            [
                Indicator(
                    task_id=tasks["386.II.1"].id,
                    code="I1",
                    name="Thủ tục hành chính trực tuyến toàn trình",
                    unit_of_measure="thủ tục",
                    target=120,
                    baseline=40,
                    position=1,
                ),
                Indicator(
                    task_id=tasks["386.II.1"].id,
                    code="I2",
                    name="Tỷ lệ hồ sơ được số hoá",
                    unit_of_measure="%",
                    target=80,
                    position=2,
                ),
            ]
        )
    return people, tasks


REPORT_DAY = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)


def make_bot(db: Database, clock: FrozenClock | None = None) -> TaskBot:
    return TaskBot(db, Settings(database_url=db.url), clock or FrozenClock(REPORT_DAY))


async def enrolled(bot: TaskBot, db: Database, code: str, user: str) -> Chat:
    """A private chat of person `code`, enrolled with a fresh invite."""
    chat = Chat(bot, user=user)
    await chat.say(f"/start {await invite(db, code)}")
    return chat
