"""The unit tree: lookups and subtree queries on the materialized path (`/1/4/`).

A head sees their unit and everything below it; these helpers are the one place that rule is
written, so every query that scopes by unit uses them.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Unit


def subtree_filter(root: Unit) -> ColumnElement[bool]:
    """A WHERE clause matching `root` and its descendants (join or select `Unit` with it)."""
    return Unit.path.startswith(root.path, autoescape=True)  # type: ignore[attr-defined]


async def subtree_ids(session: AsyncSession, root: Unit) -> list[int]:
    """Ids of `root` and every unit below it."""
    rows = await session.exec(select(Unit.id).where(subtree_filter(root)))
    return list(rows.scalars().all())


async def unit_by_code(session: AsyncSession, code: str) -> Unit | None:
    return (await session.exec(select(Unit).where(Unit.code == code))).scalars().first()


def is_within(unit: Unit, root: Unit) -> bool:
    """True when `unit` is `root` or below it."""
    return unit.path.startswith(root.path)
