"""Closing a reporting period: afterwards its reports are refused and missing ones are missed.

The office closes a period (`taskbot period close 2025-05`) for every plan or for one; each
close and reopen is audited. Anything that accepts a report asks `is_closed` first.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import AuditEvent, ClosedPeriod, Plan


async def is_closed(session: AsyncSession, plan_id: int, period: str) -> bool:
    query = select(ClosedPeriod.id).where(
        ClosedPeriod.plan_id == plan_id, ClosedPeriod.period == period
    )
    return (await session.exec(query)).first() is not None


async def closed_periods(session: AsyncSession, plan_id: int) -> set[str]:
    """The keys of the plan's closed periods ('2025-05', '2025-Q2')."""
    query = select(ClosedPeriod.period).where(ClosedPeriod.plan_id == plan_id)
    return set((await session.exec(query)).scalars().all())


async def list_closed(session: AsyncSession) -> list[tuple[ClosedPeriod, Plan]]:
    query = (
        select(ClosedPeriod, Plan)
        .join(Plan, Plan.id == ClosedPeriod.plan_id)
        .order_by(ClosedPeriod.period, Plan.code)
    )
    return [(closed, plan) for closed, plan in (await session.exec(query)).all()]


async def close_period(
    session: AsyncSession, plans: list[Plan], period: str, *, actor: str, now: datetime
) -> list[Plan]:
    """Close `period` for each plan not closed yet; returns the plans it closed now."""
    closed_now = []
    for plan in plans:
        assert plan.id is not None
        if await is_closed(session, plan.id, period):
            continue
        session.add(ClosedPeriod(plan_id=plan.id, period=period, closed_at=now, closed_by=actor))
        _audit(session, "period.close", plan, period, actor, now)
        closed_now.append(plan)
    await session.flush()
    return closed_now


async def reopen_period(
    session: AsyncSession, plans: list[Plan], period: str, *, actor: str, now: datetime
) -> list[Plan]:
    """Undo a close (a mistake, or late reports the office decides to accept)."""
    reopened = []
    for plan in plans:
        query = select(ClosedPeriod).where(
            ClosedPeriod.plan_id == plan.id, ClosedPeriod.period == period
        )
        row = (await session.exec(query)).scalars().first()
        if row is None:
            continue
        await session.delete(row)
        _audit(session, "period.reopen", plan, period, actor, now)
        reopened.append(plan)
    await session.flush()
    return reopened


def _audit(
    session: AsyncSession, action: str, plan: Plan, period: str, actor: str, now: datetime
) -> None:
    session.add(
        AuditEvent(
            at=now,
            actor=actor,
            action=action,
            entity="plan",
            entity_id=plan.code,
            detail={"period": period},
        )
    )
