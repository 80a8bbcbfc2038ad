"""The sample plan (`samples/plan-386.xlsx`) for any test that wants a whole province.

The workbook is parsed once per test session; each database then gets it in one import.
"""

from __future__ import annotations

from functools import lru_cache

from bot.i18n import translator
from bot.settings import PROJECT_ROOT
from storage.db import Database
from storage.plan_import import import_parsed
from storage.plan_parse import ParsedPlan, parse_plan
from storage.plan_reader import read_source

SAMPLE = PROJECT_ROOT / "samples" / "plan-386.xlsx"


@lru_cache(maxsize=1)
def _parsed() -> ParsedPlan:
    return parse_plan(read_source(SAMPLE), SAMPLE.name, translator("vi"))


async def load_sample(db: Database) -> None:
    """Import the sample plan into `db` (units, people, 30 tasks, indicators, roadmap)."""
    result = await import_parsed(db, _parsed(), dry_run=False, actor="sample", t=translator("vi"))
    if result.errors:
        raise AssertionError("\n".join(str(error) for error in result.errors))
