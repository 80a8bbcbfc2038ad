"""A tiny hand-built organisation for tests that do not need the whole sample plan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from storage.db import Database
from storage.enrollment import create_invite
from storage.models import Officer, Unit


async def small_org(db: Database) -> dict[str, Officer]:
    """Province P with departments A (child A1) and B; a head and an officer in each."""
    async with db.session() as s:
        province = Unit(code="P", name="Tỉnh Thử Nghiệm", kind="province", path="/")
        s.add(province)
        await s.flush()
        province.path = f"/{province.id}/"
        units = {"P": province}
        for code, name, parent in (
            ("A", "Sở Khoa học", "P"),
            ("A1", "Trung tâm Số", "A"),
            ("B", "Sở Nội vụ", "P"),
        ):
            unit = Unit(code=code, name=name, kind="department", parent_id=units[parent].id)
            s.add(unit)
            await s.flush()
            unit.path = f"{units[parent].path}{unit.id}/"
            units[code] = unit
        people = {}
        for code, name, unit, role in (
            ("HA", "Nguyễn Văn Hùng", "A", "head"),
            ("OA", "Trần Thị Hoà", "A", "officer"),
            ("OA1", "Lê Đức Thắng", "A1", "officer"),
            ("HB", "Phạm Thu Hương", "B", "head"),
            ("VP", "Đỗ Minh Quân", "P", "office"),
        ):
            officer = Officer(code=code, full_name=name, unit_id=units[unit].id, role=role)
            s.add(officer)
            people[code] = officer
        await s.flush()
    return people


async def invite(
    db: Database, code: str, *, now: datetime | None = None, ttl_days: int = 14
) -> str:

    now = now or datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    async with db.session() as s:
        officer = (await s.exec(select(Officer).where(Officer.code == code))).scalar_one()
        return await create_invite(s, officer, now, timedelta(days=ttl_days), actor="test")
