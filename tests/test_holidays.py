"""`taskbot holidays`: adding, importing, listing and removing days off; seeding on first use."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from bot.cli.holidays import read_csv
from reminders.calendar import load_calendar
from storage.db import Database
from storage.holidays import list_holidays
from tests.cli import taskbot

TET_2027 = """ngày,tên
05/02/2027,Tết Nguyên đán (29 tháng Chạp)
2027-02-08,"Tết Nguyên đán, mùng 2"
"""


async def test_add_import_list_remove(db: Database, cli_env: CliRunner, tmp_path: Path) -> None:
    out = await taskbot(cli_env, "holidays", "add", "16/04/2027", "Giỗ Tổ Hùng Vương")
    assert "Đã thêm 16/04/2027" in out
    # Adding to 2027 first filled in its fixed public holidays.
    listing = await taskbot(cli_env, "holidays", "list", "--year", "2027")
    assert "01/01/2027" in listing and "Giỗ Tổ Hùng Vương" in listing and "Thứ Sáu" in listing
    tet = tmp_path / "tet.csv"
    tet.write_text(TET_2027, encoding="utf-8")
    assert "Đã đọc 2 ngày, 2 ngày mới" in await taskbot(cli_env, "holidays", "import", str(tet))
    assert "0 ngày mới" in await taskbot(cli_env, "holidays", "import", str(tet))
    renamed = await taskbot(cli_env, "holidays", "add", "2027-02-08", "Mùng 2 Tết")
    assert "Đã đổi tên" in renamed
    assert "Đã xoá" in await taskbot(cli_env, "holidays", "remove", "03/09/2027")
    await taskbot(cli_env, "holidays", "remove", "03/09/2027", code=1)
    await taskbot(cli_env, "holidays", "add", "31/02/2027", "x", code=2)
    async with db.session() as s:
        days = {h.day: h.name for h in await list_holidays(s, 2027)}
        calendar = await load_calendar(s, None, date(2027, 1, 10))
    assert days[date(2027, 2, 8)] == "Mùng 2 Tết"
    assert date(2027, 2, 5) in days and date(2027, 9, 3) not in days
    assert date(2027, 9, 3) not in calendar.holidays  # removed stays removed
    assert not calendar.is_working_day(date(2027, 2, 5))


async def test_a_bad_line_imports_nothing(db: Database, cli_env: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("05/02/2027,Tết\n30/02/2027,Sai\n", encoding="utf-8")
    assert "Dòng 2" in await taskbot(cli_env, "holidays", "import", str(bad), code=2)
    await taskbot(cli_env, "holidays", "import", str(tmp_path / "missing.csv"), code=2)
    async with db.session() as s:
        assert await list_holidays(s, 2027) == []


def test_read_csv_accepts_a_header_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "days.csv"
    path.write_text("\ufeffdate,name\n\n17/02/2026,Tết\n", encoding="utf-8")
    assert read_csv(path, date(2026, 1, 1)) == [(date(2026, 2, 17), "Tết")]
