"""Plan import: the sample, broken copies, re-import, CSV, dry run, the template, the CLI."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from reminders.calendar import CalendarConfig
from storage.db import Database
from storage.models import (
    AuditEvent,
    Indicator,
    IndicatorValue,
    Milestone,
    Officer,
    Plan,
    Report,
    Task,
    TaskCoordinator,
    Unit,
)
from storage.plan_format import CellError, parse_date, parse_number
from storage.plan_import import import_plan
from storage.plan_template import write_plan_workbook
from tests.cli import taskbot
from tests.sample import SAMPLE, load_sample

COUNTED = (Unit, Officer, Plan, Task, TaskCoordinator, Indicator, Milestone)


async def counts(db: Database) -> dict[str, int]:
    async with db.session() as s:
        return {
            model.__tablename__: (
                await s.exec(select(func.count()).select_from(model))
            ).scalar_one()
            for model in COUNTED
        }


def edited_sample(tmp_path: Path, edit, name: str = "plan.xlsx") -> Path:
    """A copy of the sample workbook after `edit(workbook)`."""
    workbook = load_workbook(SAMPLE)
    edit(workbook)
    path = tmp_path / name
    workbook.save(path)
    return path


def row_of(sheet, column: int, value: str) -> int:
    """The row number whose cell in `column` (1-based) holds `value`."""
    return next(row[0].row for row in sheet.iter_rows(min_row=3) if row[column - 1].value == value)


async def test_the_sample_imports(db: Database) -> None:
    result = await import_plan(db, SAMPLE, actor="test")
    assert result.errors == []
    assert result.plan_code == "386-KH/TU"
    assert await counts(db) == {
        "unit": 13,
        "officer": 32,
        "plan": 1,
        "task": 30,
        "task_coordinator": 47,
        "indicator": 27,
        "milestone": 382,
    }
    async with db.session() as s:
        units = {u.code: u for u in (await s.exec(select(Unit))).scalars()}
        assert units["HY"].path == f"/{units['HY'].id}/"
        assert units["TTCDS"].path == f"/{units['HY'].id}/{units['SKHCN'].id}/{units['TTCDS'].id}/"
        assert units["SKHCN"].name == "Sở Khoa học và Công nghệ"
        people = {o.code: o for o in (await s.exec(select(Officer))).scalars()}
        assert {"VP01", "VP02", "AD01", "GD-SKHCN", "CB-SKHCN-1", "CB-SKHCN-2"} <= set(people)
        assert people["VP01"].role == "office" and people["AD01"].role == "admin"
        assert people["GD-SKHCN"].role == "head"
        assert people["CB-STC-1"].full_name == "Trịnh Thị Ngọc Ánh"
        task = (await s.exec(select(Task).where(Task.code == "386.II.3.a"))).scalar_one()
        assert task.presiding_unit_id == units["TTCDS"].id
        assert task.officer_id == people["CB-TTCDS-1"].id
        assert (task.start_date, task.due_date, task.cadence) == (
            date(2025, 3, 1),
            date(2026, 12, 31),
            "monthly",
        )
        november = (
            await s.exec(
                select(Milestone).where(Milestone.task_id == task.id, Milestone.period == "2026-11")
            )
        ).scalar_one()
        assert 0 < november.expected_percent < 100
        audit = (await s.exec(select(AuditEvent))).scalar_one()
        assert (audit.action, audit.actor, audit.detail["tasks.created"]) == (
            "plan.import",
            "test",
            30,
        )


def break_sample(workbook) -> None:
    """Six mistakes, one of each kind, plus a diacritic-heavy name that is not one."""
    tasks = workbook["Nhiệm vụ"]
    # Missing column: the "Ngày bắt đầu" header is gone (its cells are then not read).
    tasks.cell(1, 8).value = None
    # Bad date, unknown unit, duplicate task code.
    tasks.cell(row_of(tasks, 2, "386.II.3.b"), 9).value = "31/02/2026"
    tasks.cell(row_of(tasks, 2, "386.II.4.a"), 4).value = "SXYZ"
    first = [cell.value for cell in tasks[row_of(tasks, 2, "386.I.1.a")]]
    tasks.append([*first[:2], "Một nhiệm vụ khác mang trùng mã", *first[3:]])
    # A target that is not a number.
    indicators = workbook["Chỉ tiêu"]
    indicators.cell(row_of(indicators, 1, "386.II.5.a"), 6).value = "khoảng ba"
    # Diacritics that must survive untouched.
    officers = workbook["Cán bộ"]
    officers.cell(row_of(officers, 1, "CB-SYT-1"), 2).value = "Nguyễn Thị Ngọc Ánh Hoà"


async def test_a_broken_copy_lists_every_error_and_writes_nothing(
    db: Database, tmp_path: Path
) -> None:
    path = edited_sample(tmp_path, break_sample)
    tasks_sheet = load_workbook(SAMPLE)["Nhiệm vụ"]
    result = await import_plan(db, path, actor="test")
    found = sorted(str(error) for error in result.errors)
    expected = sorted(
        [
            "plan.xlsx:Nhiệm vụ:1:Ngày bắt đầu: thiếu cột",
            f"plan.xlsx:Nhiệm vụ:{row_of(tasks_sheet, 2, '386.II.3.b')}:Thời hạn hoàn thành: "
            "ngày không tồn tại",
            f"plan.xlsx:Nhiệm vụ:{row_of(tasks_sheet, 2, '386.II.4.a')}:Đơn vị chủ trì: "
            "không có đơn vị mã SXYZ",
            f"plan.xlsx:Nhiệm vụ:{tasks_sheet.max_row + 1}:Mã nhiệm vụ: "
            f"trùng 386.I.1.a, đã có ở dòng {row_of(tasks_sheet, 2, '386.I.1.a')}",
            f"plan.xlsx:Chỉ tiêu:{row_of(load_workbook(SAMPLE)['Chỉ tiêu'], 1, '386.II.5.a')}:"
            "Giá trị mục tiêu: không phải là số",
        ]
    )
    assert found == expected
    assert await counts(db) == dict.fromkeys((m.__tablename__ for m in COUNTED), 0)

    # Fixed, the same file imports, and the name keeps every diacritic.
    def fixed(workbook) -> None:
        break_sample(workbook)
        sheet = workbook["Nhiệm vụ"]
        sheet.cell(1, 8).value = "Ngày bắt đầu"
        sheet.cell(row_of(sheet, 2, "386.II.3.b"), 9).value = "28/02/2027"
        sheet.cell(row_of(sheet, 2, "386.II.4.a"), 4).value = "SNV"
        sheet.delete_rows(sheet.max_row)
        indicators = workbook["Chỉ tiêu"]
        indicators.cell(row_of(indicators, 1, "386.II.5.a"), 6).value = "2,5"

    result = await import_plan(db, edited_sample(tmp_path, fixed, "fixed.xlsx"), actor="test")
    assert result.errors == []
    async with db.session() as s:
        name = (
            await s.exec(select(Officer.full_name).where(Officer.code == "CB-SYT-1"))
        ).scalar_one()
        target = (
            await s.exec(select(Indicator.target).join(Task).where(Task.code == "386.II.5.a"))
        ).scalar_one()
        due = (await s.exec(select(Task.due_date).where(Task.code == "386.II.3.b"))).scalar_one()
    assert name == "Nguyễn Thị Ngọc Ánh Hoà"
    assert (target, due) == (2.5, date(2027, 2, 28))


async def test_reimport_updates_in_place(db: Database, tmp_path: Path) -> None:
    await load_sample(db)
    async with db.session() as s:
        before = {t.code: t.id for t in (await s.exec(select(Task))).scalars()}
        kept = await s.exec(select(Indicator).join(Task).where(Task.code == "386.II.3.a"))
        indicator_ids = sorted(i.id for i in kept.scalars())

    def change(workbook) -> None:
        tasks = workbook["Nhiệm vụ"]
        tasks.cell(row_of(tasks, 2, "386.II.3.a"), 3).value = "Vận hành Trung tâm IOC giai đoạn 2"
        tasks.delete_rows(row_of(tasks, 2, "386.IV.3.b"))
        units = workbook["Đơn vị"]
        units.cell(row_of(units, 1, "TTCDS"), 4).value = "HY"  # moved up to the province
        roadmap = workbook["Lộ trình"]
        roadmap.delete_rows(row_of(roadmap, 2, "2025-03"))  # 386.I.1.a's second month
        indicators = workbook["Chỉ tiêu"]
        indicators.cell(row_of(indicators, 1, "386.II.3.a"), 6).value = 30

    result = await import_plan(db, edited_sample(tmp_path, change), actor="office")
    assert result.errors == []
    assert result.counts["tasks.updated"] == 1
    assert result.counts["tasks.deactivated"] == 1
    assert result.counts["milestones.deleted"] == 1
    assert result.counts["indicators.updated"] == 1
    after = await counts(db)
    assert after["task"] == 30 and after["unit"] == 13 and after["officer"] == 32
    assert after["milestone"] == 381 and after["indicator"] == 27
    async with db.session() as s:
        tasks = {t.code: t for t in (await s.exec(select(Task))).scalars()}
        assert {code: task.id for code, task in tasks.items()} == before
        assert tasks["386.II.3.a"].title == "Vận hành Trung tâm IOC giai đoạn 2"
        assert tasks["386.IV.3.b"].active is False
        assert tasks["386.IV.3.a"].active is True
        again = await s.exec(select(Indicator).join(Task).where(Task.code == "386.II.3.a"))
        assert sorted(i.id for i in again.scalars()) == indicator_ids
        units = {u.code: u for u in (await s.exec(select(Unit))).scalars()}
        assert units["TTCDS"].path == f"/{units['HY'].id}/{units['TTCDS'].id}/"

    # The same file once more changes nothing at all.
    result = await import_plan(db, edited_sample(tmp_path, change), actor="office")
    assert result.errors == []
    assert {k: v for k, v in result.counts.items() if k != "coordinators"} == {}


def sample_as_csv(folder: Path, *, bom: bool, delimiter: str = ",") -> Path:
    """The sample workbook written as a folder of CSV files, dates as dd/mm/yyyy."""
    folder.mkdir()
    workbook = load_workbook(SAMPLE, read_only=True)
    keys = {
        "Kế hoạch": "plan",
        "Đơn vị": "units",
        "Cán bộ": "officers",
        "Nhiệm vụ": "tasks",
        "Chỉ tiêu": "indicators",
        "Lộ trình": "milestones",
    }
    for sheet in workbook:
        with open(
            folder / f"{keys[sheet.title]}.csv",
            "w",
            encoding="utf-8-sig" if bom else "utf-8",
            newline="",
        ) as handle:
            writer = csv.writer(handle, delimiter=delimiter)
            for row in sheet.iter_rows(values_only=True):
                writer.writerow(
                    [
                        cell.strftime("%d/%m/%Y")
                        if hasattr(cell, "strftime")
                        else str(cell).replace(".", ",")
                        if isinstance(cell, float)
                        else cell
                        for cell in row
                    ]
                )
    workbook.close()
    return folder


@pytest.mark.parametrize(("bom", "delimiter"), [(True, ","), (False, ";")])
async def test_csv_folder_with_and_without_bom(
    db: Database, tmp_path: Path, bom: bool, delimiter: str
) -> None:
    folder = sample_as_csv(tmp_path / "plan", bom=bom, delimiter=delimiter)
    if bom:
        assert (folder / "units.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    result = await import_plan(db, folder, actor="test")
    assert [str(e) for e in result.errors] == []
    assert (await counts(db))["milestone"] == 382
    async with db.session() as s:
        unit = (await s.exec(select(Unit).where(Unit.code == "HY"))).scalar_one()
        rate = (
            await s.exec(select(Indicator.baseline).join(Task).where(Task.code == "386.II.5.a"))
        ).scalar_one()
        plan = (await s.exec(select(Plan))).scalar_one()
    assert unit.name == "Tỉnh Hưng Yên"
    assert rate == 1.2  # written "1,2" with the Vietnamese decimal comma
    assert plan.issued_on == date(2025, 2, 13)
    # One of the CSV files, given by name, stands for its folder.
    again = await import_plan(db, folder / "tasks.csv", actor="test", dry_run=True)
    assert again.errors == [] and again.counts.get("tasks.created") is None


async def test_an_indicator_with_reported_values_is_kept(db: Database, tmp_path: Path) -> None:
    await load_sample(db)
    async with db.session() as s:
        officer = (await s.exec(select(Officer).where(Officer.code == "CB-SNV-1"))).scalar_one()
        task = (await s.exec(select(Task).where(Task.code == "386.II.4.c"))).scalar_one()
        first, second = (
            await s.exec(select(Indicator).where(Indicator.task_id == task.id).order_by("code"))
        ).scalars()
        report = Report(
            task_id=task.id,
            period="2026-10",
            status="in_progress",
            percent=60,
            submitted_by_id=officer.id,
            submitted_at=datetime(2026, 10, 20, 2, 0, tzinfo=UTC),
            on_time=True,
        )
        s.add(report)
        await s.flush()
        s.add(IndicatorValue(report_id=report.id, indicator_id=first.id, value=75))

    def drop_both(workbook) -> None:
        sheet = workbook["Chỉ tiêu"]
        sheet.delete_rows(row_of(sheet, 1, "386.II.4.c"), 2)

    stages: list[tuple[str, int, int]] = []
    result = await import_plan(
        db,
        edited_sample(tmp_path, drop_both),
        actor="test",
        progress=lambda stage, done, total: stages.append((stage, done, total)),
    )
    assert result.errors == [] and result.counts["indicators.deleted"] == 1
    assert result.warnings == [
        "chỉ tiêu CT1 của nhiệm vụ 386.II.4.c đã bị bỏ khỏi kế hoạch nhưng đã có số liệu "
        "báo cáo: giữ lại"
    ]
    async with db.session() as s:
        left = (await s.exec(select(Indicator.id).where(Indicator.task_id == task.id))).all()
    assert [row[0] for row in left] == [first.id] and second.id != first.id
    assert [stage for stage, _done, _total in stages][:2] == ["read", "check"]
    assert stages[-1][0] == "write" and stages[-1][1] == stages[-1][2]


async def test_dry_run_writes_nothing(db: Database) -> None:
    result = await import_plan(db, SAMPLE, actor="test", dry_run=True)
    assert result.errors == [] and result.dry_run
    assert result.counts["tasks.created"] == 30
    assert await counts(db) == dict.fromkeys((m.__tablename__ for m in COUNTED), 0)
    async with db.session() as s:
        assert (await s.exec(select(func.count()).select_from(AuditEvent))).scalar_one() == 0


async def test_template_round_trip(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    write_plan_workbook(path)
    workbook = load_workbook(path)
    assert workbook.sheetnames == [
        "Kế hoạch",
        "Đơn vị",
        "Cán bộ",
        "Nhiệm vụ",
        "Chỉ tiêu",
        "Lộ trình",
    ]
    tasks = workbook["Nhiệm vụ"]
    assert tasks.freeze_panes == "A3"
    assert tasks["B1"].value == "Mã nhiệm vụ" and tasks["B1"].font.bold
    assert tasks["B2"].value.startswith("Không trùng")
    plan = workbook["Kế hoạch"]
    plan["B3"], plan["B4"] = "99-KH/UBND", "Kế hoạch chuyển đổi số xã Đông Thành"
    plan["A7"], plan["B7"] = "calendar.monthly_due_day", 25
    plan["A8"], plan["B8"] = "calendar.reminder_offsets", "-3, -1, 0"
    for sheet, rows in {
        "Đơn vị": [("DT", "Xã Đông Thành", "commune", None), ("DT-VH", "Ban Văn hóa", "", "DT")],
        "Cán bộ": [
            ("CT-DT", "Bùi Thị Nguyệt", "DT", "thủ trưởng"),
            ("CB-1", "Hà Văn Ất", "DT-VH", "officer"),
        ],
        "Nhiệm vụ": [
            (
                None,
                "1.a",
                "Số hóa hồ sơ hộ tịch",
                "DT-VH",
                "DT",
                "Chủ tịch xã",
                "CB-1",
                "05/03/2026",
                "31/12/2026",
                "hàng quý",
            ),
        ],
        "Chỉ tiêu": [("1.a", None, "Hồ sơ đã số hóa", "hồ sơ", "1.234,5", "12.000,0")],
        "Lộ trình": [("1.a", "2026-Q2", "Số hóa một nửa", "50%"), ("1.a", "2026-Q4", "Xong", 100)],
    }.items():
        for offset, values in enumerate(rows):
            for column, value in enumerate(values, start=1):
                workbook[sheet].cell(3 + offset, column, value)
    workbook.save(path)

    result = await import_plan(db, path, actor="test")
    assert [str(e) for e in result.errors] == []
    async with db.session() as s:
        task = (await s.exec(select(Task))).scalar_one()
        indicator = (await s.exec(select(Indicator))).scalar_one()
        head = (await s.exec(select(Officer).where(Officer.code == "CT-DT"))).scalar_one()
        milestones = (await s.exec(select(Milestone).order_by(Milestone.period))).scalars().all()
    assert (task.start_date, task.cadence) == (date(2026, 3, 5), "quarterly")
    assert (indicator.code, indicator.baseline, indicator.target) == ("CT1", 1234.5, 12000.0)
    assert head.role == "head"
    async with db.session() as s:
        stored = (await s.exec(select(Plan.calendar))).scalar_one()
    assert stored == {"monthly_due_day": 25, "reminder_offsets": "-3, -1, 0"}
    assert CalendarConfig.from_plan(
        Plan(code="x", title="x", calendar=stored)
    ).reminder_offsets == (
        -3,
        -1,
        0,
    )

    plan["B7"], plan["A9"], plan["B9"] = "ngày 25", "calendar.quiet_hours", "22:00"
    workbook.save(path)
    errors = [str(e) for e in (await import_plan(db, path, actor="test")).errors]
    assert len(errors) == 2
    assert errors[0].startswith("template.xlsx:Kế hoạch:7:Giá trị: tham số lịch monthly_due_day")
    assert errors[1].startswith("template.xlsx:Kế hoạch:9:Giá trị: tham số lịch quiet_hours")
    assert [(m.period, m.expected_percent) for m in milestones] == [
        ("2026-Q2", 50),
        ("2026-Q4", 100),
    ]


async def test_cli_template_and_import(db: Database, cli_env: CliRunner, tmp_path: Path) -> None:
    template = tmp_path / "mẫu.xlsx"
    assert "Đã ghi tệp mẫu" in await taskbot(cli_env, "template", str(template))
    assert load_workbook(template).sheetnames[0] == "Kế hoạch"

    broken = edited_sample(tmp_path, break_sample)
    out = await taskbot(cli_env, "import-plan", str(broken), code=1)
    assert "plan.xlsx:Nhiệm vụ:1:Ngày bắt đầu: thiếu cột" in out
    assert "Có 5 lỗi. Chưa nhập gì." in out

    out = await taskbot(cli_env, "import-plan", str(SAMPLE), "--dry-run")
    assert "Chạy thử, chưa ghi gì" in out and "Nhiệm vụ: 30 mới" in out
    assert (await counts(db))["task"] == 0
    out = await taskbot(cli_env, "import-plan", str(SAMPLE))
    assert "Đã nhập kế hoạch 386-KH/TU" in out and "Lộ trình: 382 mới" in out
    assert "không có thay đổi" in await taskbot(cli_env, "import-plan", str(SAMPLE))
    assert (await counts(db))["task"] == 30


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("12,5", 12.5),
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("1.234.567", 1234567.0),
        ("3.5", 3.5),
        ("80%", 80.0),
        ("-2", -2.0),
        (7, 7.0),
    ],
)
def test_numbers_accept_the_vietnamese_decimal_comma(text: object, number: float) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize("text", ["", "ba", "1,2,3.4.5", "12,5,", True])
def test_not_numbers(text: object) -> None:
    with pytest.raises(CellError):
        parse_number(text)


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("05/03/2026", date(2026, 3, 5)),
        ("5/3/2026", date(2026, 3, 5)),
        ("2026-03-05", date(2026, 3, 5)),
        (datetime(2026, 3, 5), date(2026, 3, 5)),
        (46086, date(2026, 3, 5)),  # an Excel serial day number
        ("2026-03-05 00:00:00", date(2026, 3, 5)),
    ],
)
def test_dates_from_text_and_excel(value: object, day: date) -> None:
    assert parse_date(value) == day


@pytest.mark.parametrize("value", ["31/02/2026", "03/05/26", "mai", -1])
def test_not_dates(value: object) -> None:
    with pytest.raises(CellError):
        parse_date(value)


async def test_references_tree_periods_and_limits(db: Database, tmp_path: Path) -> None:
    """The checks across rows and sheets, on a small plan written by the template writer."""
    path = tmp_path / "nho.xlsx"
    write_plan_workbook(
        path,
        fields={"code": "1-KH", "title": "Kế hoạch nhỏ"},
        calendar={"reminder_offsets": "-2, 0"},
        sheets={
            "units": [
                {"code": "X", "name": "Xã X", "parent": "Y"},
                {"code": "Y", "name": "Xã Y", "parent": "X"},
                {"code": "Z", "name": "Đ" * 256},
            ],
            "officers": [{"code": "O1", "full_name": "Lê Văn Một", "unit": "Z", "role": "sếp"}],
            "tasks": [
                {
                    "plan": "2-KH",
                    "code": "t1",
                    "title": "Việc một",
                    "presiding_unit": "Z",
                    "officer": "O9",
                    "start_date": date(2026, 5, 1),
                    "due_date": date(2026, 4, 1),
                    "cadence": "monthly",
                }
            ],
            "milestones": [
                {"task": "t1", "period": "2026-Q2", "expected": "Một nửa"},
                {"task": "t1", "period": "2026-13", "expected": "Sai kỳ"},
                {"task": "t9", "period": "2026-05", "expected": "Không có việc"},
            ],
        },
    )
    result = await import_plan(db, path, actor="test")
    assert sorted(str(e) for e in result.errors) == [
        "nho.xlsx:Cán bộ:3:Vai trò: phải là một trong: officer, head, office, admin",
        "nho.xlsx:Lộ trình:3:Kỳ: nhiệm vụ báo cáo theo tháng: hãy ghi tháng, ví dụ 2025-05",
        "nho.xlsx:Lộ trình:4:Kỳ: không phải kỳ báo cáo (dùng 2025-05 hoặc 2025-Q2)",
        "nho.xlsx:Lộ trình:5:Mã nhiệm vụ: không có nhiệm vụ mã t9",
        "nho.xlsx:Nhiệm vụ:3:Cán bộ đầu mối: không có cán bộ mã O9",
        "nho.xlsx:Nhiệm vụ:3:Số kế hoạch: nhiệm vụ thuộc kế hoạch 2-KH, không thuộc kế hoạch này",
        "nho.xlsx:Nhiệm vụ:3:Thời hạn hoàn thành: thời hạn hoàn thành trước ngày bắt đầu",
        "nho.xlsx:Đơn vị:3:Mã đơn vị cấp trên: đơn vị sẽ thành cấp trên của chính nó",
        "nho.xlsx:Đơn vị:4:Mã đơn vị cấp trên: đơn vị sẽ thành cấp trên của chính nó",
        "nho.xlsx:Đơn vị:5:Tên đơn vị: dài quá 255 ký tự",
    ]
    assert await counts(db) == dict.fromkeys((m.__tablename__ for m in COUNTED), 0)


async def test_what_is_not_a_plan(db: Database, tmp_path: Path) -> None:
    text = tmp_path / "plan.txt"
    text.write_text("không phải bảng tính", encoding="utf-8")
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"PK not really a zip")
    latin = tmp_path / "latin"
    latin.mkdir()
    (latin / "tasks.csv").write_bytes(b"M\xe3 nhi\xeam v\xfa\n")  # Latin-1, not UTF-8
    only_units = tmp_path / "units"
    only_units.mkdir()
    (only_units / "units.csv").write_text("code,name\nA,Xã A\n", encoding="utf-8")
    found = [
        [str(e) for e in (await import_plan(db, path, actor="test")).errors]
        for path in (text, fake, latin, only_units)
    ]
    assert found == [
        ["plan.txt:-:-:-: hãy đưa vào một tệp .xlsx hoặc một thư mục các tệp .csv"],
        ["fake.xlsx:-:-:-: tệp không phải là bảng tính .xlsx đọc được"],
        ["latin:-:-:-: một tệp .csv không phải văn bản UTF-8"],
        [
            "units:Kế hoạch:-:-: thiếu trang tính “Kế hoạch”",
            "units:Nhiệm vụ:-:-: thiếu trang tính “Nhiệm vụ”",
        ],
    ]
