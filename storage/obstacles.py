"""The office's obstacles queue: reports with an unanswered obstacle or proposal, and answering one.

"Open" is the status rule (`storage.status`: obstacles written, or status blocked, and not yet
handled) widened to proposals (a proposal also waits for the office's answer). Answering sets
`obstacle_handled_*` on the report, so it leaves the queue and the unit's open-obstacle count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import AuditEvent, Officer, Report, Task, Unit
from storage.status import needs_obstacle_answer


def _has_text(column: Any) -> Any:
    return func.length(func.trim(func.coalesce(column, ""))) > 0


def is_open() -> Any:
    """A WHERE clause: the report waits for the office's answer."""
    return or_(
        needs_obstacle_answer(),
        and_(_has_text(Report.proposals), Report.obstacle_handled_at.is_(None)),
    )


@dataclass(frozen=True)
class OpenItem:
    report_id: int
    task_code: str
    task_title: str
    period: str
    unit_name: str
    officer_id: int
    officer_name: str
    status: str
    obstacles: str | None
    proposals: str | None
    submitted_at: datetime


def _open_items() -> Any:
    return (
        select(
            Report.id,
            Task.code,
            Task.title,
            Report.period,
            Unit.name,
            Officer.id,
            Officer.full_name,
            Report.status,
            Report.obstacles,
            Report.proposals,
            Report.submitted_at,
        )
        .join(Task, Task.id == Report.task_id)
        .join(Unit, Unit.id == Task.presiding_unit_id)
        .join(Officer, Officer.id == Report.submitted_by_id)
        .where(Task.active, is_open())
    )


async def open_page(
    session: AsyncSession, *, offset: int = 0, limit: int = 5
) -> tuple[list[OpenItem], int]:
    """One page of the queue, oldest first (the longest waiting), and the queue's length."""
    total = (
        await session.exec(
            select(func.count(Report.id))
            .join(Task, Task.id == Report.task_id)
            .where(Task.active, is_open())
        )
    ).one()[0]
    rows = await session.exec(
        _open_items().order_by(Report.submitted_at, Report.id).offset(offset).limit(limit)
    )
    return [OpenItem(*row) for row in rows.all()], int(total)


async def open_item(session: AsyncSession, report_id: int) -> OpenItem | None:
    """The queue's item for a report, None when the report does not exist or is not open."""
    row = (await session.exec(_open_items().where(Report.id == report_id))).first()
    return OpenItem(*row) if row else None


async def mark_handled(
    session: AsyncSession, report_id: int, by: Officer, reply: str, now: datetime
) -> Report | None:
    """Record the office's answer; None when the report is not (or no longer) open."""
    # Lock the report first: two office staff answering at once, only the first one counts.
    locked = select(Report).where(Report.id == report_id).with_for_update()
    report = (await session.exec(locked)).scalars().first()
    if report is None or await open_item(session, report_id) is None:
        return None
    report.obstacle_handled_at = now
    report.obstacle_handled_by_id = by.id
    report.obstacle_reply = reply
    session.add(report)
    session.add(
        AuditEvent(
            at=now,
            actor=f"officer:{by.code}",
            actor_officer_id=by.id,
            action="report.obstacle_handled",
            entity="report",
            entity_id=str(report_id),
            detail={"reply": reply, "revision": report.revision},
        )
    )
    return report
