"""Officers' leave: no reminders on those days; a named delegate receives them and may report.

Leave is set by the officer (`/leave`) or by the office (`taskbot leave add`); every change is
audited. Periods of one officer's leave never overlap, so "the leave on a day" is unique.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import N_
from storage.models import AuditEvent, Leave, Officer


async def officer_by_code(session: AsyncSession, code: str) -> Officer | None:
    return (await session.exec(select(Officer).where(Officer.code == code))).scalars().first()


class LeaveError(ValueError):
    """Leave that cannot be recorded; the message is an English msgid the caller translates."""


async def on_leave(session: AsyncSession, officer_id: int, day: date) -> Leave | None:
    """The officer's leave covering `day`, if any."""
    query = select(Leave).where(
        Leave.officer_id == officer_id,
        Leave.start_date <= day,  # type: ignore[operator]
        Leave.end_date >= day,  # type: ignore[operator]
    )
    return (await session.exec(query)).scalars().first()


async def delegate_for(session: AsyncSession, officer_id: int, day: date) -> int | None:
    """Who receives the officer's reminders on `day`: their delegate, when the officer is on
    leave and the delegate is not (None: nobody — the reminder waits or is skipped)."""
    leave = await on_leave(session, officer_id, day)
    if leave is None or leave.delegate_id is None:
        return None
    if await on_leave(session, leave.delegate_id, day) is not None:
        return None
    return leave.delegate_id


async def absences(session: AsyncSession, day: date) -> dict[int, int | None]:
    """Everyone on leave on `day` → who receives their reminders instead: their delegate, or
    None (no delegate, or the delegate is away too). One query, for the planner's pass."""
    query = select(Leave.officer_id, Leave.delegate_id).where(
        Leave.start_date <= day,  # type: ignore[operator]
        Leave.end_date >= day,  # type: ignore[operator]
    )
    away = dict((await session.exec(query)).all())
    return {
        officer: delegate if delegate not in away else None for officer, delegate in away.items()
    }


async def represented_by(session: AsyncSession, delegate_id: int, day: date) -> list[int]:
    """The officers on leave on `day` who named `delegate_id`: the delegate may report for them."""
    query = select(Leave.officer_id).where(
        Leave.delegate_id == delegate_id,
        Leave.start_date <= day,  # type: ignore[operator]
        Leave.end_date >= day,  # type: ignore[operator]
    )
    return sorted((await session.exec(query)).scalars().all())


async def upcoming_leave(session: AsyncSession, officer_id: int, today: date) -> list[Leave]:
    """The officer's leave that has not ended yet, soonest first."""
    query = (
        select(Leave)
        .where(Leave.officer_id == officer_id, Leave.end_date >= today)  # type: ignore[operator]
        .order_by(Leave.start_date)
    )
    return list((await session.exec(query)).scalars().all())


async def add_leave(
    session: AsyncSession,
    officer: Officer,
    start: date,
    end: date,
    *,
    delegate: Officer | None,
    actor: str,
    actor_officer: Officer | None,
    now: datetime,
    today: date,
) -> Leave:
    """Record leave after checking the dates and the delegate (LeaveError says what is wrong)."""
    if end < start:
        raise LeaveError(N_("The last day of leave is before the first."))
    if end < today:
        raise LeaveError(N_("This leave is already over."))
    if delegate is not None and (delegate.id == officer.id or not delegate.active):
        raise LeaveError(N_("The delegate must be another active officer."))
    clash = select(Leave.id).where(
        Leave.officer_id == officer.id,
        Leave.start_date <= end,  # type: ignore[operator]
        Leave.end_date >= start,  # type: ignore[operator]
    )
    if (await session.exec(clash)).first() is not None:
        raise LeaveError(N_("This overlaps leave already recorded; cancel that one first."))
    assert officer.id is not None
    leave = Leave(
        officer_id=officer.id,
        start_date=start,
        end_date=end,
        delegate_id=delegate.id if delegate else None,
        created_by=actor,
        created_at=now,
    )
    session.add(leave)
    await session.flush()
    _audit(session, "leave.add", leave, actor, actor_officer, now)
    return leave


async def cancel_leave(
    session: AsyncSession,
    leave: Leave,
    *,
    actor: str,
    actor_officer: Officer | None,
    now: datetime,
    today: date,
) -> None:
    """Cancel leave not begun yet; leave already under way ends yesterday (its past days stay
    recorded, since reminders were held back on them)."""
    _audit(session, "leave.cancel", leave, actor, actor_officer, now)
    if leave.start_date < today:
        leave.end_date = min(leave.end_date, today - timedelta(days=1))
        session.add(leave)
    else:
        await session.delete(leave)


def _audit(
    session: AsyncSession,
    action: str,
    leave: Leave,
    actor: str,
    actor_officer: Officer | None,
    now: datetime,
) -> None:
    session.add(
        AuditEvent(
            at=now,
            actor=actor,
            actor_officer_id=actor_officer.id if actor_officer else None,
            action=action,
            entity="leave",
            entity_id=str(leave.id),
            detail={
                "officer_id": leave.officer_id,
                "start": leave.start_date.isoformat(),
                "end": leave.end_date.isoformat(),
                "delegate_id": leave.delegate_id,
            },
        )
    )
