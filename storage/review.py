"""Confirming completions: who reviews a task, what awaits a reviewer, confirm and return.

A completion counts once the head of the presiding unit confirms it (DOMAIN.md, chờ xác nhận).
A head reviews reports of tasks presided by their unit or any unit below it; the standing office
and admins review everywhere. When the presiding unit has no head, the nearest ancestor's do.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    AuditEvent,
    Officer,
    Report,
    ReportStatus,
    ReviewState,
    Role,
    Task,
    Unit,
)
from storage.units import is_within, subtree_filter

_EVERYWHERE = {Role.office.value, Role.admin.value}


async def reviewers_for(session: AsyncSession, task: Task) -> list[Officer]:
    """The active heads of the task's presiding unit, else of its nearest ancestor with heads."""
    unit = await session.get(Unit, task.presiding_unit_id)
    if unit is None:
        return []
    ancestry = [int(part) for part in unit.path.strip("/").split("/") if part]
    rows = await session.exec(
        select(Officer).where(
            Officer.unit_id.in_(ancestry),  # type: ignore[attr-defined]
            Officer.role == Role.head.value,
            Officer.active,
        )
    )
    heads = list(rows.scalars().all())
    for unit_id in reversed(ancestry):
        nearest = [head for head in heads if head.unit_id == unit_id]
        if nearest:
            return sorted(nearest, key=lambda head: head.id or 0)
    return []


async def may_review(session: AsyncSession, reviewer: Officer, task: Task) -> bool:
    """Office and admin review every task; a head only tasks presided within their subtree."""
    if reviewer.role in _EVERYWHERE:
        return True
    if reviewer.role != Role.head.value:
        return False
    root = await session.get(Unit, reviewer.unit_id)
    unit = await session.get(Unit, task.presiding_unit_id)
    return root is not None and unit is not None and is_within(unit, root)


async def awaiting_review(
    session: AsyncSession, reviewer: Officer, limit: int = 20
) -> tuple[list[tuple[Report, Task, Officer]], int]:
    """Completions awaiting this reviewer (oldest first, at most `limit`) and how many in all."""
    query = (
        select(Report, Task, Officer)
        .join(Task, Task.id == Report.task_id)
        .join(Officer, Officer.id == Report.submitted_by_id)
        .where(Report.review_state == ReviewState.pending.value)
    )
    if reviewer.role not in _EVERYWHERE:
        root = await session.get(Unit, reviewer.unit_id)
        if root is None or reviewer.role != Role.head.value:
            return [], 0
        query = query.join(Unit, Unit.id == Task.presiding_unit_id).where(subtree_filter(root))
    rows = list((await session.exec(query.order_by(Report.submitted_at, Report.id))).all())
    return [tuple(row) for row in rows[:limit]], len(rows)  # type: ignore[misc]


async def _decide(
    session: AsyncSession,
    report: Report,
    reviewer: Officer,
    state: ReviewState,
    now: datetime,
    comment: str | None,
) -> None:
    report.review_state = state.value
    report.reviewed_by_id = reviewer.id
    report.reviewed_at = now
    report.review_comment = comment
    session.add(report)
    session.add(
        AuditEvent(
            at=now,
            actor=f"officer:{reviewer.code}",
            actor_officer_id=reviewer.id,
            action=f"report.{state.value}",
            entity="report",
            entity_id=str(report.id),
            detail={"revision": report.revision, "comment": comment},
        )
    )


async def confirm(session: AsyncSession, report: Report, reviewer: Officer, now: datetime) -> None:
    await _decide(session, report, reviewer, ReviewState.confirmed, now, None)


async def return_report(
    session: AsyncSession, report: Report, reviewer: Officer, comment: str, now: datetime
) -> None:
    """Send a completion back: the task is in progress again, with the head's comment."""
    report.status = ReportStatus.in_progress.value
    await _decide(session, report, reviewer, ReviewState.returned, now, comment)
