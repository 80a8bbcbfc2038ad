"""The unit subtree helpers that scope what heads see; the period keys."""

from __future__ import annotations

from datetime import date

import pytest

from reminders.periods import Period, PeriodKind
from storage.db import Database
from storage.units import is_within, subtree_ids, unit_by_code
from tests.org import small_org


async def test_subtree_is_the_unit_and_its_descendants(db: Database) -> None:
    await small_org(db)
    async with db.session() as s:
        a, a1, b, p = [await unit_by_code(s, code) for code in ("A", "A1", "B", "P")]
        assert sorted(await subtree_ids(s, a)) == sorted([a.id, a1.id])
        assert sorted(await subtree_ids(s, p)) == sorted([p.id, a.id, a1.id, b.id])
        assert is_within(a1, a) and not is_within(b, a)
        assert await unit_by_code(s, "nope") is None


def test_periods_parse_print_and_step() -> None:
    may = Period.parse("2025-05")
    assert may.kind is PeriodKind.month and str(may) == "2025-05"
    assert (may.start, may.end) == (date(2025, 5, 1), date(2025, 5, 31))
    q4 = Period.parse("2024-q4")
    assert str(q4) == "2024-Q4" and q4.next() == Period.parse("2025-Q1")
    assert Period.parse("2025-01").previous() == Period.parse("2024-12")
    assert Period.quarter_of(date(2025, 8, 9)).end == date(2025, 9, 30)
    assert Period.parse("2024-02").end == date(2024, 2, 29)
    assert q4.label("vi") == "quý IV/2024" and may.label("vi") == "tháng 05/2025"
    for bad in ("2025-13", "2025-Q5", "May", ""):
        with pytest.raises(ValueError):
            Period.parse(bad)
