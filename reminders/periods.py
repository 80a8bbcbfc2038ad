"""Reporting periods: a month (`2025-05`) or a calendar quarter (`2025-Q2`).

A period is a value: it parses from and prints as the key stored in `Report.period`,
`Milestone.period` and outbox dedupe keys, and knows its first and last day.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")


class PeriodKind(StrEnum):
    month = "month"
    quarter = "quarter"


@dataclass(frozen=True, order=True, slots=True)
class Period:
    """`number` is the month (1–12) or the quarter (1–4) of `year`."""

    year: int
    kind: PeriodKind
    number: int

    @classmethod
    def parse(cls, text: str) -> Period:
        """'2025-05' → May 2025; '2025-Q2' → second quarter. ValueError otherwise."""
        text = text.strip()
        if match := _MONTH.match(text):
            month = int(match[2])
            if 1 <= month <= 12:
                return cls(int(match[1]), PeriodKind.month, month)
        elif match := _QUARTER.match(text):
            return cls(int(match[1]), PeriodKind.quarter, int(match[2]))
        raise ValueError(f"not a period (2025-05 or 2025-Q2): {text!r}")

    @classmethod
    def month_of(cls, day: date) -> Period:
        return cls(day.year, PeriodKind.month, day.month)

    @classmethod
    def quarter_of(cls, day: date) -> Period:
        return cls(day.year, PeriodKind.quarter, (day.month - 1) // 3 + 1)

    @property
    def key(self) -> str:
        if self.kind is PeriodKind.month:
            return f"{self.year}-{self.number:02d}"
        return f"{self.year}-Q{self.number}"

    def __str__(self) -> str:
        return self.key

    @property
    def first_month(self) -> int:
        return self.number if self.kind is PeriodKind.month else 3 * self.number - 2

    @property
    def last_month(self) -> int:
        return self.number if self.kind is PeriodKind.month else 3 * self.number

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        return date(self.year, self.last_month, calendar.monthrange(self.year, self.last_month)[1])

    def next(self) -> Period:
        size = 12 if self.kind is PeriodKind.month else 4
        if self.number == size:
            return Period(self.year + 1, self.kind, 1)
        return Period(self.year, self.kind, self.number + 1)

    def previous(self) -> Period:
        size = 12 if self.kind is PeriodKind.month else 4
        if self.number == 1:
            return Period(self.year - 1, self.kind, size)
        return Period(self.year, self.kind, self.number - 1)

    def label(self, locale: str) -> str:
        """'tháng 05/2025', 'quý II/2025' (vi); 'May 2025', 'Q2 2025' (en)."""
        if locale == "vi":
            if self.kind is PeriodKind.month:
                return f"tháng {self.number:02d}/{self.year}"
            return f"quý {['I', 'II', 'III', 'IV'][self.number - 1]}/{self.year}"
        if self.kind is PeriodKind.month:
            return f"{calendar.month_name[self.number]} {self.year}"
        return f"Q{self.number} {self.year}"
