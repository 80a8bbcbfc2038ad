"""The holiday table: days off (public holidays, Tết, make-up days), edited by the office.

Fixed-date public holidays are seeded per year the first time that year is used (see
`reminders.calendar.load_calendar`); after that the table is the only truth, so a removed or
renamed day stays removed or renamed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Holiday


async def year_has_holidays(session: AsyncSession, year: int) -> bool:
    query = select(func.count()).where(
        Holiday.day >= date(year, 1, 1),  # type: ignore[operator]
        Holiday.day <= date(year, 12, 31),  # type: ignore[operator]
    )
    return (await session.exec(query)).scalar_one() > 0


async def seed_holidays(session: AsyncSession, rows: Iterable[tuple[date, str]]) -> None:
    """Insert days that are not in the table yet; safe when two workers seed at once."""
    values = [{"day": day, "name": name} for day, name in rows]
    if not values:
        return
    dialect = session.bind.dialect.name  # type: ignore[union-attr]
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await session.exec(insert(Holiday).values(values).on_conflict_do_nothing())  # type: ignore[call-overload]


async def put_holiday(session: AsyncSession, day: date, name: str) -> bool:
    """Add a day off, or rename it; True when it was new."""
    holiday = await session.get(Holiday, day)
    if holiday is None:
        session.add(Holiday(day=day, name=name))
        return True
    holiday.name = name
    session.add(holiday)
    return False


async def remove_holiday(session: AsyncSession, day: date) -> bool:
    result = await session.exec(delete(Holiday).where(Holiday.day == day))  # type: ignore[call-overload]
    return bool(result.rowcount)


async def list_holidays(session: AsyncSession, year: int | None = None) -> list[Holiday]:
    query = select(Holiday).order_by(Holiday.day)
    if year is not None:
        query = query.where(
            Holiday.day >= date(year, 1, 1),  # type: ignore[operator]
            Holiday.day <= date(year, 12, 31),  # type: ignore[operator]
        )
    return list((await session.exec(query)).scalars().all())


async def holiday_days(session: AsyncSession) -> frozenset[date]:
    """Every day off in the table (a few dozen a year: small enough to hold in memory)."""
    return frozenset((await session.exec(select(Holiday.day))).scalars().all())
