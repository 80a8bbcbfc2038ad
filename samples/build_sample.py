"""Build `samples/plan-386.xlsx`: a Plan 386-KH/TU-style plan of Hưng Yên for the demo and tests.

The tasks paraphrase the seed documents (Plan 386-KH/TU and Notice 02-TB/BCĐ of Hưng Yên,
Decision 970/QĐ-TTg, the Quảng Ngãi directive and the Quảng Ninh roadmap); units, people and
numbers are invented. Run `python samples/build_sample.py` after changing it and commit the file.
"""

# ruff: noqa: E501  (the task titles are the plan's wording, kept on one line each)
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reminders.periods import Period, PeriodKind
from storage.plan_template import write_plan_workbook

OUTPUT = Path(__file__).resolve().parent / "plan-386.xlsx"

# code, name, kind, parent, head's name, officers' names
UNITS = [
    ("HY", "Tỉnh Hưng Yên", "province", None, "Nguyễn Hữu Thành", []),
    (
        "VPTU",
        "Văn phòng Tỉnh ủy",
        "department",
        "HY",
        "Trần Quốc Huy",
        ["Phạm Thị Lan", "Đỗ Văn Khải"],
    ),
    (
        "SKHCN",
        "Sở Khoa học và Công nghệ",
        "department",
        "HY",
        "Lê Minh Đức",
        ["Nguyễn Thị Hồng Nhung", "Vũ Đình Phúc"],
    ),
    (
        "TTCDS",
        "Trung tâm Chuyển đổi số tỉnh",
        "center",
        "SKHCN",
        "Hoàng Anh Tuấn",
        ["Bùi Thị Thu Trang"],
    ),
    ("SNV", "Sở Nội vụ", "department", "HY", "Đặng Thị Hương", ["Ngô Văn Thắng", "Lương Thị Mai"]),
    (
        "STC",
        "Sở Tài chính",
        "department",
        "HY",
        "Phan Văn Long",
        ["Trịnh Thị Ngọc Ánh", "Đinh Công Sơn"],
    ),
    (
        "SGDDT",
        "Sở Giáo dục và Đào tạo",
        "department",
        "HY",
        "Nguyễn Thị Thanh Hà",
        ["Tạ Quang Vinh"],
    ),
    ("SYT", "Sở Y tế", "department", "HY", "Vương Đình Nam", ["Cao Thị Yến"]),
    ("TTT", "Thanh tra tỉnh", "department", "HY", "Lý Văn Cường", ["Hà Thị Diệu Linh"]),
    (
        "BTGDV",
        "Ban Tuyên giáo và Dân vận Tỉnh ủy",
        "department",
        "HY",
        "Mai Xuân Trường",
        ["Kiều Thị Phương"],
    ),
    ("PPH", "Phường Phố Hiến", "commune", "HY", "Nguyễn Văn Thịnh", ["Trần Thị Ngân"]),
    ("XNQ", "Xã Như Quỳnh", "commune", "HY", "Lê Thị Hạnh", ["Phạm Đức Mạnh"]),
    ("XVG", "Xã Văn Giang", "commune", "HY", "Đoàn Văn Hậu", ["Nguyễn Thị Tuyết"]),
]

LEADERS = {
    "VPTU": "Đồng chí Phó Bí thư Thường trực Tỉnh ủy",
    "SKHCN": "Đồng chí Phó Chủ tịch UBND tỉnh phụ trách khoa học",
    "TTCDS": "Đồng chí Phó Chủ tịch UBND tỉnh phụ trách khoa học",
    "SNV": "Đồng chí Chủ tịch UBND tỉnh",
    "STC": "Đồng chí Phó Chủ tịch Thường trực UBND tỉnh",
    "SGDDT": "Đồng chí Phó Chủ tịch UBND tỉnh phụ trách văn xã",
    "SYT": "Đồng chí Phó Chủ tịch UBND tỉnh phụ trách văn xã",
    "TTT": "Đồng chí Chủ nhiệm Ủy ban Kiểm tra Tỉnh ủy",
    "BTGDV": "Đồng chí Trưởng Ban Tuyên giáo và Dân vận Tỉnh ủy",
    "PPH": "Đồng chí Bí thư Đảng ủy phường",
    "XNQ": "Đồng chí Bí thư Đảng ủy xã",
    "XVG": "Đồng chí Bí thư Đảng ủy xã",
}

# code, title, presiding, coordinators, officer, start, due, cadence, product, indicators
# indicators: (name, unit of measure, baseline, target)
TASKS = [
    (
        "386.I.1.a",
        "Tổ chức quán triệt Nghị quyết số 57-NQ/TW và Kế hoạch số 386-KH/TU đến toàn thể cán bộ, đảng viên",
        "BTGDV",
        ["VPTU"],
        "CB-BTGDV-1",
        date(2025, 2, 15),
        date(2025, 6, 30),
        "monthly",
        "Hội nghị quán triệt; báo cáo kết quả",
        [("Tỷ lệ cán bộ, đảng viên được quán triệt", "%", 0, 100)],
    ),
    (
        "386.I.1.b",
        "Tuyên truyền, phổ biến về khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số trên báo chí, mạng xã hội",
        "BTGDV",
        ["TTCDS", "PPH"],
        "CB-BTGDV-1",
        date(2025, 3, 1),
        date(2026, 12, 31),
        "quarterly",
        "Chuyên trang, chuyên mục tuyên truyền",
        [("Số tin, bài tuyên truyền", "tin bài", 0, 600)],
    ),
    (
        "386.I.2.a",
        "Xây dựng Quy chế làm việc và Chương trình công tác năm của Ban Chỉ đạo tỉnh",
        "VPTU",
        ["SKHCN"],
        "CB-VPTU-1",
        date(2025, 2, 20),
        date(2025, 4, 30),
        "monthly",
        "Quy chế, Chương trình công tác được ban hành",
        [],
    ),
    (
        "386.I.2.b",
        "Theo dõi, đôn đốc, tổng hợp tình hình thực hiện nhiệm vụ của các thành viên Ban Chỉ đạo tỉnh",
        "VPTU",
        ["SKHCN", "TTT"],
        "CB-VPTU-2",
        date(2025, 3, 1),
        date(2027, 12, 31),
        "both",
        "Báo cáo định kỳ tháng, quý",
        [("Số báo cáo tổng hợp đã ban hành", "báo cáo", 0, 40)],
    ),
    (
        "386.II.1.a",
        "Rà soát, đề xuất sửa đổi cơ chế, chính sách tháo gỡ điểm nghẽn cho phát triển khoa học, công nghệ",
        "SKHCN",
        ["STC", "SNV"],
        "CB-SKHCN-1",
        date(2025, 3, 1),
        date(2026, 6, 30),
        "quarterly",
        "Nghị quyết của HĐND tỉnh về chính sách hỗ trợ",
        [("Số cơ chế, chính sách được ban hành", "văn bản", 0, 5)],
    ),
    (
        "386.II.1.b",
        "Xây dựng Chương trình phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số tỉnh giai đoạn 2025 - 2030, tầm nhìn 2045",
        "SKHCN",
        ["STC", "SNV", "TTCDS"],
        "CB-SKHCN-1",
        date(2025, 3, 15),
        date(2026, 12, 31),
        "both",
        "Chương trình được Tỉnh ủy phê duyệt",
        [("Mức độ hoàn thiện dự thảo Chương trình", "%", 0, 100)],
    ),
    (
        "386.II.2.a",
        "Đánh giá thực trạng trình độ phát triển khoa học, công nghệ và đổi mới sáng tạo của tỉnh",
        "SKHCN",
        ["TTCDS"],
        "CB-SKHCN-2",
        date(2025, 4, 1),
        date(2025, 12, 31),
        "monthly",
        "Báo cáo đánh giá thực trạng",
        [("Số ngành, lĩnh vực đã được đánh giá", "lĩnh vực", 0, 12)],
    ),
    (
        "386.II.2.b",
        "Lồng ghép nhiệm vụ nghiên cứu khoa học, đổi mới sáng tạo trong kế hoạch công tác hằng năm của UBND tỉnh",
        "SKHCN",
        ["VPTU"],
        "CB-SKHCN-2",
        date(2025, 6, 1),
        date(2026, 12, 31),
        "quarterly",
        "Kế hoạch công tác năm có nội dung KHCN",
        [],
    ),
    (
        "386.II.3.a",
        "Xây dựng và đưa vào vận hành Trung tâm điều hành thông minh (IOC) của tỉnh",
        "TTCDS",
        ["SKHCN", "STC"],
        "CB-TTCDS-1",
        date(2025, 3, 1),
        date(2026, 12, 31),
        "monthly",
        "Trung tâm IOC vận hành",
        [
            ("Số hệ thống thông tin kết nối với IOC", "hệ thống", 3, 25),
            ("Tỷ lệ hoàn thành hạng mục đầu tư", "%", 0, 100),
        ],
    ),
    (
        "386.II.3.b",
        "Xây dựng cơ sở dữ liệu dùng chung của tỉnh, kết nối, chia sẻ dữ liệu với cơ sở dữ liệu quốc gia",
        "TTCDS",
        ["SNV", "SYT", "SGDDT"],
        "CB-TTCDS-1",
        date(2025, 4, 1),
        date(2027, 6, 30),
        "monthly",
        "Kho dữ liệu dùng chung",
        [("Số cơ sở dữ liệu chuyên ngành được kết nối", "CSDL", 2, 20)],
    ),
    (
        "386.II.3.c",
        "Nâng cấp hạ tầng số, mạng truyền số liệu chuyên dùng đến cấp xã",
        "TTCDS",
        ["XNQ", "XVG", "PPH"],
        "CB-TTCDS-1",
        date(2025, 5, 1),
        date(2026, 9, 30),
        "quarterly",
        "Mạng truyền số liệu phủ 100% xã, phường",
        [("Tỷ lệ xã, phường kết nối mạng chuyên dùng", "%", 60, 100)],
    ),
    (
        "386.II.4.a",
        "Số hóa hồ sơ, tài liệu lưu trữ trước khi thực hiện mô hình chính quyền địa phương hai cấp",
        "SNV",
        ["VPTU", "PPH", "XNQ", "XVG"],
        "CB-SNV-1",
        date(2025, 3, 1),
        date(2025, 9, 30),
        "monthly",
        "Kho lưu trữ số",
        [("Tỷ lệ hồ sơ lưu trữ được số hóa", "%", 35, 100)],
    ),
    (
        "386.II.4.b",
        "Đánh giá mức độ hoàn thành nhiệm vụ chuyển đổi số của cán bộ, công chức gắn với đánh giá, xếp loại",
        "SNV",
        ["TTT"],
        "CB-SNV-2",
        date(2025, 6, 1),
        date(2026, 12, 31),
        "quarterly",
        "Bộ tiêu chí đánh giá",
        [("Số cơ quan áp dụng bộ tiêu chí", "cơ quan", 0, 30)],
    ),
    (
        "386.II.4.c",
        "Bồi dưỡng kỹ năng số cho 100% cán bộ, công chức, viên chức",
        "SNV",
        ["TTCDS", "SGDDT"],
        "CB-SNV-1",
        date(2025, 4, 1),
        date(2026, 12, 31),
        "both",
        "Các lớp bồi dưỡng kỹ năng số",
        [
            ("Tỷ lệ cán bộ được bồi dưỡng kỹ năng số", "%", 20, 100),
            ("Số lớp bồi dưỡng đã tổ chức", "lớp", 0, 80),
        ],
    ),
    (
        "386.II.5.a",
        "Bố trí kinh phí cho phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số năm 2025",
        "STC",
        ["SKHCN"],
        "CB-STC-1",
        date(2025, 3, 1),
        date(2025, 12, 31),
        "quarterly",
        "Quyết định giao dự toán",
        [("Tỷ lệ chi ngân sách cho KHCN và CĐS", "%", 1.2, 3)],
    ),
    (
        "386.II.5.b",
        "Đưa nhiệm vụ khoa học, công nghệ và chuyển đổi số vào kế hoạch đầu tư công trung hạn 2026 - 2030",
        "STC",
        ["SKHCN", "TTCDS"],
        "CB-STC-2",
        date(2025, 6, 1),
        date(2026, 12, 31),
        "quarterly",
        "Danh mục dự án trong kế hoạch trung hạn",
        [("Số dự án được đưa vào danh mục", "dự án", 0, 15)],
    ),
    (
        "386.II.5.c",
        "Hướng dẫn quản lý, sử dụng kinh phí khoa học, công nghệ theo cơ chế khoán chi đến sản phẩm cuối cùng",
        "STC",
        [],
        "CB-STC-1",
        date(2026, 1, 1),
        date(2027, 3, 31),
        "monthly",
        "Văn bản hướng dẫn",
        [],
    ),
    (
        "386.II.6.a",
        "Đưa nội dung kỹ năng số, trí tuệ nhân tạo vào hoạt động giáo dục ở các trường phổ thông",
        "SGDDT",
        ["TTCDS"],
        "CB-SGDDT-1",
        date(2025, 8, 15),
        date(2027, 5, 31),
        "quarterly",
        "Chương trình giáo dục STEM, kỹ năng số",
        [("Tỷ lệ trường phổ thông triển khai giáo dục STEM", "%", 30, 100)],
    ),
    (
        "386.II.6.b",
        "Triển khai học bạ số và sổ điểm điện tử tại các cơ sở giáo dục",
        "SGDDT",
        [],
        "CB-SGDDT-1",
        date(2025, 9, 1),
        date(2026, 12, 31),
        "monthly",
        "Học bạ số",
        [("Tỷ lệ trường sử dụng học bạ số", "%", 10, 100)],
    ),
    (
        "386.II.7.a",
        "Triển khai bệnh án điện tử tại các bệnh viện công lập",
        "SYT",
        ["TTCDS", "STC"],
        "CB-SYT-1",
        date(2025, 4, 1),
        date(2026, 12, 31),
        "monthly",
        "Bệnh án điện tử vận hành",
        [("Số bệnh viện triển khai bệnh án điện tử", "bệnh viện", 2, 14)],
    ),
    (
        "386.II.7.b",
        "Kết nối dữ liệu khám chữa bệnh với cơ sở dữ liệu quốc gia về dân cư",
        "SYT",
        ["TTCDS"],
        "CB-SYT-1",
        date(2026, 1, 1),
        date(2027, 6, 30),
        "quarterly",
        "Dữ liệu khám chữa bệnh liên thông",
        [("Tỷ lệ cơ sở khám chữa bệnh kết nối", "%", 40, 100)],
    ),
    (
        "386.III.1.a",
        "Thanh tra, kiểm tra việc sử dụng kinh phí khoa học, công nghệ và chuyển đổi số",
        "TTT",
        ["STC"],
        "CB-TTT-1",
        date(2025, 7, 1),
        date(2026, 12, 31),
        "quarterly",
        "Kết luận thanh tra",
        [("Số cuộc thanh tra, kiểm tra", "cuộc", 0, 8)],
    ),
    (
        "386.III.1.b",
        "Giám sát việc thực hiện trách nhiệm người đứng đầu theo Quyết định số 970/QĐ-TTg",
        "TTT",
        ["VPTU", "SNV"],
        "CB-TTT-1",
        date(2025, 6, 1),
        date(2027, 12, 31),
        "quarterly",
        "Báo cáo giám sát",
        [],
    ),
    (
        "386.III.2.a",
        'Tổ chức phong trào thi đua "Phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số"',
        "SNV",
        ["BTGDV"],
        "CB-SNV-2",
        date(2025, 5, 1),
        date(2026, 12, 31),
        "quarterly",
        "Kế hoạch thi đua; khen thưởng",
        [("Số tập thể, cá nhân được khen thưởng", "lượt", 0, 50)],
    ),
    (
        "386.IV.1.a",
        "Cung cấp dịch vụ công trực tuyến toàn trình tại Trung tâm phục vụ hành chính công phường",
        "PPH",
        ["TTCDS"],
        "CB-PPH-1",
        date(2025, 7, 1),
        date(2026, 12, 31),
        "monthly",
        "Dịch vụ công trực tuyến toàn trình",
        [("Tỷ lệ hồ sơ giải quyết trực tuyến", "%", 30, 80)],
    ),
    (
        "386.IV.1.b",
        "Cập nhật nhiệm vụ phát triển khoa học, công nghệ, chuyển đổi số vào văn kiện Đại hội Đảng bộ phường",
        "PPH",
        ["BTGDV"],
        "CB-PPH-1",
        date(2025, 5, 1),
        date(2025, 8, 31),
        "monthly",
        "Văn kiện Đại hội",
        [],
    ),
    (
        "386.IV.2.a",
        'Xây dựng mô hình "Xã thông minh", thanh toán không dùng tiền mặt tại chợ và trường học',
        "XNQ",
        ["TTCDS", "STC"],
        "CB-XNQ-1",
        date(2025, 9, 1),
        date(2027, 3, 31),
        "quarterly",
        "Mô hình xã thông minh",
        [("Số điểm thanh toán không dùng tiền mặt", "điểm", 5, 60)],
    ),
    (
        "386.IV.2.b",
        "Phổ cập kỹ năng số cho người dân qua tổ công nghệ số cộng đồng",
        "XNQ",
        ["BTGDV"],
        "CB-XNQ-1",
        date(2025, 8, 1),
        date(2026, 12, 31),
        "monthly",
        "Tổ công nghệ số cộng đồng hoạt động",
        [("Số người dân được hướng dẫn kỹ năng số", "người", 0, 5000)],
    ),
    (
        "386.IV.3.a",
        "Số hóa dữ liệu hộ tịch, đất đai và vận hành hệ thống chính quyền điện tử sau sắp xếp",
        "XVG",
        ["SNV", "TTCDS"],
        "CB-XVG-1",
        date(2025, 7, 1),
        date(2026, 10, 31),
        "monthly",
        "Dữ liệu hộ tịch, đất đai số",
        [("Tỷ lệ dữ liệu hộ tịch được số hóa", "%", 45, 100)],
    ),
    (
        "386.IV.3.b",
        "Ứng dụng công nghệ số trong sản xuất nông nghiệp và tiêu thụ nông sản trên sàn thương mại điện tử",
        "XVG",
        ["SKHCN"],
        "CB-XVG-1",
        date(2026, 1, 1),
        date(2027, 12, 31),
        "quarterly",
        "Sản phẩm OCOP trên sàn thương mại điện tử",
        [("Số sản phẩm đưa lên sàn thương mại điện tử", "sản phẩm", 3, 40)],
    ),
]

GOALS = {
    "monthly": "Hoàn thành đúng tiến độ từng tháng theo lộ trình",
    "quarterly": "Hoàn thành đúng tiến độ từng quý theo lộ trình",
    "both": "Bám sát lộ trình tháng và quý",
}


def people() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [
        {
            "code": "VP01",
            "full_name": "Nguyễn Thị Thu Hà",
            "unit": "VPTU",
            "role": "office",
            "title": "Chánh Văn phòng Tỉnh ủy",
            "phone": "0912345601",
            "email": "vp01@hungyen.dcs.vn",
        },
        {
            "code": "VP02",
            "full_name": "Lê Quang Vũ",
            "unit": "VPTU",
            "role": "office",
            "title": "Chuyên viên Văn phòng Tỉnh ủy",
            "phone": "0912345602",
        },
        {
            "code": "AD01",
            "full_name": "Trần Minh Khoa",
            "unit": "HY",
            "role": "admin",
            "title": "Quản trị hệ thống",
            "email": "ad01@hungyen.gov.vn",
        },
    ]
    for code, _name, _kind, _parent, head, officers in UNITS:
        rows.append(
            {
                "code": f"GD-{code}",
                "full_name": head,
                "unit": code,
                "role": "head",
                "title": "Thủ trưởng đơn vị",
            }
        )
        for number, name in enumerate(officers, start=1):
            rows.append(
                {
                    "code": f"CB-{code}-{number}",
                    "full_name": name,
                    "unit": code,
                    "role": "officer",
                    "title": "Chuyên viên",
                }
            )
    return rows


def periods(start: date, due: date, cadence: str) -> list[Period]:
    """The months and/or quarters a task reports on, from its start to its due date."""
    kinds = {
        "monthly": [PeriodKind.month],
        "quarterly": [PeriodKind.quarter],
        "both": [PeriodKind.month, PeriodKind.quarter],
    }[cadence]
    found = []
    for kind in kinds:
        period = Period.month_of(start) if kind is PeriodKind.month else Period.quarter_of(start)
        while period.start <= due:
            found.append(period)
            period = period.next()
    return sorted(found, key=lambda p: (p.start, p.kind is PeriodKind.quarter))


def milestones(code: str, product: str, start: date, due: date, cadence: str) -> list[dict]:
    rows = []
    spans = periods(start, due, cadence)
    for index, period in enumerate(spans, start=1):
        percent = round(100 * index / len(spans))
        if percent == 100:
            text = f"Hoàn thành: {product[0].lower()}{product[1:]}"
        elif index == 1:
            text = "Xây dựng kế hoạch chi tiết, phân công cán bộ thực hiện"
        else:
            text = f"Đạt khoảng {percent}% khối lượng công việc theo kế hoạch"
        rows.append(
            {"task": code, "period": period.key, "expected": text, "expected_percent": percent}
        )
    return rows


def build(path: Path = OUTPUT) -> None:
    tasks, indicators, roadmap = [], [], []
    for code, title, unit, coordinators, officer, start, due, cadence, product, measures in TASKS:
        tasks.append(
            {
                "code": code,
                "title": title,
                "presiding_unit": unit,
                "coordinators": coordinators,
                "leader": LEADERS[unit],
                "officer": officer,
                "start_date": start,
                "due_date": due,
                "cadence": cadence,
                "product": product,
                "goal": GOALS[cadence],
                "key_results": "; ".join(
                    f"{name}: {target} {uom}" for name, uom, _b, target in measures
                )
                or None,
            }
        )
        for name, uom, baseline, target in measures:
            indicators.append(
                {
                    "task": code,
                    "name": name,
                    "unit_of_measure": uom,
                    "baseline": baseline,
                    "target": target,
                }
            )
        roadmap.extend(milestones(code, product, start, due, cadence))
    write_plan_workbook(
        path,
        fields={
            "code": "386-KH/TU",
            "title": "Kế hoạch thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị "
            "về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia",
            "issued_on": date(2025, 2, 13),
            "issuer": "Ban Thường vụ Tỉnh ủy Hưng Yên",
        },
        sheets={
            "units": [
                {"code": c, "name": n, "kind": k, "parent": p} for c, n, k, p, _h, _o in UNITS
            ],
            "officers": people(),
            "tasks": tasks,
            "indicators": indicators,
            "milestones": roadmap,
        },
    )


if __name__ == "__main__":
    build()
    print(f"wrote {OUTPUT}")
