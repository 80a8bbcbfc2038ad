"""Importing a plan spreadsheet: validate everything, then write it all in one transaction.

Every error is collected (`file:sheet:row:column: message`, in the default locale) and nothing
is written while there is one. Re-importing updates in place: units and officers are keyed by
code, tasks by plan + code, indicators by task + indicator code, milestones by task + period.
A task that has left the spreadsheet is deactivated, not deleted (its reports stay); an
indicator that has left it is deleted unless values were reported against it. The database is
read with a handful of bulk queries whatever the size of the plan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import N_, Translator, translator
from bot.settings import get_settings
from reminders.calendar import CalendarConfig
from reminders.periods import Period, PeriodKind
from storage.db import Database
from storage.models import (
    AuditEvent,
    Indicator,
    IndicatorValue,
    Milestone,
    Officer,
    Plan,
    Task,
    TaskCoordinator,
    Unit,
    utcnow,
)
from storage.plan_parse import ParsedPlan, PlanError, Row, parse_plan, task_dates_error
from storage.plan_reader import UnreadableSource, read_source

# progress(stage, done, total): stage is "read", "check" or "write".
Progress = Callable[[str, int, int], None]


@dataclass
class ImportResult:
    """What an import did (or, in a dry run or on errors, would have done)."""

    source: str
    plan_code: str | None = None
    dry_run: bool = False
    errors: list[PlanError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # e.g. {"tasks.created": 30, "tasks.updated": 0, ...}
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, key: str, n: int = 1) -> None:
        if n:
            self.counts[key] = self.counts.get(key, 0) + n


class _RollBack(Exception):
    """Raised inside the session of a dry run so that nothing it wrote is kept."""


async def import_plan(
    db: Database,
    source: Path,
    *,
    dry_run: bool = False,
    actor: str,
    progress: Progress | None = None,
    locale: str | None = None,
) -> ImportResult:
    """Validate `source` (XLSX, or a folder of CSV files) and, when it is clean, write it."""
    t = translator(locale or get_settings().default_locale)
    result = ImportResult(source.name, dry_run=dry_run)
    try:
        raw = read_source(source)
    except (UnreadableSource, OSError) as error:
        message = t(error.args[0]) if isinstance(error, UnreadableSource) else str(error)
        result.errors.append(PlanError(source.name, "-", None, None, message))
        return result
    parsed = parse_plan(raw, source.name, t)
    return await import_parsed(
        db, parsed, dry_run=dry_run, actor=actor, progress=progress, t=t, result=result
    )


async def import_parsed(
    db: Database,
    parsed: ParsedPlan,
    *,
    dry_run: bool,
    actor: str,
    t: Translator,
    progress: Progress | None = None,
    result: ImportResult | None = None,
) -> ImportResult:
    """Import an already parsed plan (the test helper reuses one parse for many databases)."""
    result = result or ImportResult(parsed.source, dry_run=dry_run)
    result.plan_code = parsed.fields.get("code")
    result.errors.extend(parsed.errors)
    report = progress or (lambda stage, done, total: None)
    total = parsed.row_count
    report("read", total, total)
    try:
        async with db.session() as session:
            known = await _Known.load(session, result.plan_code)
            report("check", 0, total)
            result.errors.extend(_cross_check(parsed, known, t))
            report("check", total, total)
            if result.errors:
                return result
            await _Writer(session, parsed, known, result, report, actor, t).write()
            if dry_run:
                raise _RollBack
    except _RollBack:
        pass
    except IntegrityError as error:
        message = t(N_("the database refused the plan: {error}")).format(error=error.orig)
        result.errors.append(PlanError(parsed.source, "-", None, None, message))
    return result


@dataclass
class _Known:
    """What the database already holds that the spreadsheet may refer to."""

    units: dict[str, Unit]
    officers: dict[str, Any]  # code → the officer's row (a mapping)
    plan: Plan | None
    tasks: dict[str, Any]  # code → the task's row (a mapping), for this plan

    @classmethod
    async def load(cls, session: AsyncSession, plan_code: str | None) -> _Known:
        units = (await session.exec(select(Unit))).scalars().all()
        officers = (await session.exec(select(*_columns(Officer)))).mappings().all()
        plan = None
        tasks: list[Any] = []
        if plan_code:
            query = select(Plan).where(Plan.code == plan_code)
            plan = (await session.exec(query)).scalars().first()
        if plan is not None:
            query = select(*_columns(Task)).where(Task.plan_id == plan.id)
            tasks = list((await session.exec(query)).mappings())
        return cls(
            {unit.code: unit for unit in units},
            {officer["code"]: officer for officer in officers},
            plan,
            {task["code"]: task for task in tasks},
        )


def _cross_check(parsed: ParsedPlan, known: _Known, t: Translator) -> list[PlanError]:
    """Everything that involves more than one row: references, the unit tree, periods."""
    errors: list[PlanError] = []
    unit_parents = {code: known.units[code].parent_id for code in known.units}
    by_id = {unit.id: code for code, unit in known.units.items()}
    parent_of: dict[str, str | None] = {code: by_id.get(p) for code, p in unit_parents.items()}
    for row in parsed.rows("units"):
        parent_of[row["code"]] = row["parent"]
    units = set(parent_of)
    officers = set(known.officers) | {row["code"] for row in parsed.rows("officers")}

    def must_exist(row: Row, column: str, code: str | None, pool: set[str], msg: str) -> None:
        if code and code not in pool:
            errors.append(row.where.error(column, t(msg).format(code=code)))

    for row in parsed.rows("units"):
        must_exist(row, "parent", row["parent"], units, N_("unknown unit {code}"))
        if row["parent"] in units and _in_cycle(row["code"], parent_of):
            errors.append(row.where.error("parent", t(N_("the unit would be its own ancestor"))))
    for row in parsed.rows("officers"):
        must_exist(row, "unit", row["unit"], units, N_("unknown unit {code}"))
    plan_code = parsed.fields.get("code")
    cadence: dict[str, str] = {code: task["cadence"] for code, task in known.tasks.items()}
    for row in parsed.rows("tasks"):
        if row["plan"] and plan_code and row["plan"] != plan_code:
            message = t(N_("the task belongs to plan {code}, not to this plan"))
            errors.append(row.where.error("plan", message.format(code=row["plan"])))
        must_exist(row, "presiding_unit", row["presiding_unit"], units, N_("unknown unit {code}"))
        for code in row["coordinators"] or ():
            must_exist(row, "coordinators", code, units, N_("unknown unit {code}"))
        must_exist(row, "officer", row["officer"], officers, N_("unknown officer {code}"))
        if problem := task_dates_error(row, t):
            errors.append(problem)
        cadence[row["code"]] = row["cadence"]
    errors.extend(_calendar_errors(parsed, known.plan, t))
    task_codes = set(cadence)
    for key in ("indicators", "milestones"):
        for row in parsed.rows(key):
            must_exist(row, "task", row["task"], task_codes, N_("unknown task {code}"))
    for row in parsed.rows("milestones"):
        if problem := _period_problem(row["period"], cadence.get(row["task"])):
            errors.append(row.where.error("period", t(problem)))
    return errors


def _calendar_errors(parsed: ParsedPlan, plan: Plan | None, t: Translator) -> list[PlanError]:
    """The plan's calendar overrides, merged with those it has, checked by the calendar."""
    if not parsed.calendar:
        return []
    try:
        CalendarConfig.overridden(plan.calendar if plan else {}, parsed.calendar)
    except ValidationError as error:
        errors = []
        for problem in error.errors():
            setting = str(problem["loc"][0]) if problem["loc"] else ""
            where = parsed.calendar_rows.get(setting) or next(iter(parsed.calendar_rows.values()))
            message = t(N_("calendar setting {name}: {problem}")).format(
                name=setting or "-", problem=problem["msg"]
            )
            errors.append(where.error("value", message))
        return errors
    return []


def _in_cycle(code: str, parent_of: dict[str, str | None]) -> bool:
    seen = {code}
    current = parent_of.get(code)
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        current = parent_of.get(current)
    return False


def _period_problem(text: str, cadence: str | None) -> str | None:
    """Why `text` is not a period this task reports on, or None."""
    try:
        period = Period.parse(text)
    except ValueError:
        return N_("not a period (use 2025-05 or 2025-Q2)")
    if cadence == "monthly" and period.kind is not PeriodKind.month:
        return N_("the task reports monthly: give a month such as 2025-05")
    if cadence == "quarterly" and period.kind is not PeriodKind.quarter:
        return N_("the task reports quarterly: give a quarter such as 2025-Q2")
    return None


def _assign(entity: Any, values: dict[str, Any], result: ImportResult, what: str) -> None:
    """Set changed attributes on an existing row and count it as updated if any changed."""
    changed = False
    for key, value in values.items():
        if getattr(entity, key) != value:
            setattr(entity, key, value)
            changed = True
    if changed:
        result.count(f"{what}.updated")


class _Writer:
    """Writes a checked plan into the session; one pass per table, bulk where it matters."""

    def __init__(
        self,
        session: AsyncSession,
        parsed: ParsedPlan,
        known: _Known,
        result: ImportResult,
        report: Progress,
        actor: str,
        t: Translator,
    ) -> None:
        self.session = session
        self.t = t
        self.parsed = parsed
        self.known = known
        self.result = result
        self.report = report
        self.actor = actor
        self.done = 0
        self.officer_ids: dict[str, int] = {}

    def _advance(self, rows: int) -> None:
        self.done += rows
        self.report("write", self.done, self.parsed.row_count)

    async def write(self) -> None:
        await self._units()
        await self._officers()
        plan = await self._plan()
        tasks = await self._tasks(plan)
        await self._coordinators(tasks)
        # A sheet left out of the file leaves those rows as they are.
        if "indicators" in self.parsed.sheets:
            await self._indicators(tasks)
        if "milestones" in self.parsed.sheets:
            await self._milestones(tasks)
        self.session.add(
            AuditEvent(
                actor=self.actor,
                action="plan.import",
                entity="plan",
                entity_id=str(plan.id),
                detail={"plan": plan.code, "source": self.parsed.source, **self.result.counts},
            )
        )
        await self.session.flush()

    async def _units(self) -> None:
        units = self.known.units
        rows = self.parsed.rows("units")
        for row in rows:
            values = {"name": row["name"], "kind": row["kind"] or "department"}
            if row["code"] in units:
                _assign(units[row["code"]], values, self.result, "units")
            else:
                units[row["code"]] = Unit(code=row["code"], **values)
                self.session.add(units[row["code"]])
                self.result.count("units.created")
        await self.session.flush()
        for row in rows:
            parent = units[row["parent"]].id if row["parent"] else None
            unit = units[row["code"]]
            if unit.parent_id != parent:
                if unit.parent_id is not None or unit.path != "/":
                    self.result.count("units.moved")
                unit.parent_id = parent
        _repath(units)
        await self.session.flush()
        self._advance(len(rows))

    async def _officers(self) -> None:
        rows = self.parsed.rows("officers")
        wanted = {
            row["code"]: {
                "code": row["code"],
                "full_name": row["full_name"],
                "unit_id": self.known.units[row["unit"]].id,
                "role": row["role"],
                "title": row["title"],
                "phone": row["phone"],
                "email": row["email"],
                "locale": row["locale"] or "vi",
                "active": True,
            }
            for row in rows
        }
        await self._upsert(
            Officer, "officers", wanted, self.known.officers, new={"created_at": utcnow()}
        )
        ids = await self.session.exec(select(Officer.code, Officer.id))
        self.officer_ids = {code: officer_id for code, officer_id in ids.all()}
        self._advance(len(rows))

    async def _plan(self) -> Plan:
        fields = self.parsed.fields
        values = {
            "title": fields["title"],
            "issued_on": fields.get("issued_on"),
            "issuer": fields.get("issuer"),
        }
        plan = self.known.plan
        if plan is None:
            plan = Plan(code=fields["code"], calendar=dict(self.parsed.calendar), **values)
            self.session.add(plan)
            self.result.count("plans.created")
        else:
            values["calendar"] = CalendarConfig.overridden(plan.calendar, self.parsed.calendar)
            _assign(plan, values, self.result, "plans")
        await self.session.flush()
        return plan

    async def _upsert(
        self,
        model: Any,
        what: str,
        wanted: dict[Any, dict[str, Any]],
        existing: dict[Any, Any],
        new: dict[str, Any] | None = None,
    ) -> None:
        """Insert the `wanted` rows that are new, update those that differ, in bulk.

        `wanted` and `existing` are keyed alike; `existing` holds database rows (mappings).
        `new` adds values that only an inserted row gets (e.g. its creation time).
        """
        inserts, updates = [], []
        for key, values in wanted.items():
            row = existing.get(key)
            if row is None:
                inserts.append({**values, **(new or {})})
                continue
            changed = {k: v for k, v in values.items() if row[k] != v}
            if changed:
                updates.append({"id": row["id"], **changed})
        if inserts:
            await self.session.exec(insert(model), params=inserts)  # type: ignore[call-overload]
        if updates:
            await self.session.exec(update(model), params=updates)  # type: ignore[call-overload]
        self.result.count(f"{what}.created", len(inserts))
        self.result.count(f"{what}.updated", len(updates))

    async def _tasks(self, plan: Plan) -> dict[str, int]:
        """Upsert the tasks, deactivate those that left the plan; returns code → task id."""
        existing = self.known.tasks
        rows = self.parsed.rows("tasks")
        units, officers = self.known.units, self.officer_ids
        wanted = {
            row["code"]: {
                "plan_id": plan.id,
                "code": row["code"],
                "title": row["title"],
                "presiding_unit_id": units[row["presiding_unit"]].id,
                "officer_id": officers[row["officer"]] if row["officer"] else None,
                "leader_name": row["leader"],
                "start_date": row["start_date"],
                "due_date": row["due_date"],
                "product": row["product"],
                "goal": row["goal"],
                "key_results": row["key_results"],
                "cadence": row["cadence"],
                "active": True,
            }
            for row in rows
        }
        await self._upsert(Task, "tasks", wanted, existing)
        gone = [
            {"id": task["id"], "active": False}
            for code, task in existing.items()
            if code not in wanted and task["active"]
        ]
        if gone:
            await self.session.exec(update(Task), params=gone)  # type: ignore[call-overload]
        self.result.count("tasks.deactivated", len(gone))
        ids = await self.session.exec(select(Task.code, Task.id).where(Task.plan_id == plan.id))
        self._advance(len(rows))
        return {code: task_id for code, task_id in ids.all()}

    async def _coordinators(self, tasks: dict[str, int]) -> None:
        rows = self.parsed.rows("tasks")
        ids = [tasks[row["code"]] for row in rows]
        for chunk in _chunks(ids):
            await self.session.exec(  # type: ignore[call-overload]
                delete(TaskCoordinator).where(TaskCoordinator.task_id.in_(chunk))  # type: ignore[attr-defined]
            )
        links = [
            {"task_id": tasks[row["code"]], "unit_id": self.known.units[code].id}
            for row in rows
            for code in row["coordinators"] or ()
            if code != row["presiding_unit"]
        ]
        if links:
            await self.session.exec(insert(TaskCoordinator), params=links)  # type: ignore[call-overload]
        self.result.count("coordinators", len(links))

    async def _existing(self, model: Any, sheet: str, tasks: dict[str, int]) -> dict[Any, Any]:
        """Rows of `model` (indicators or milestones) that `sheet` may update or remove.

        Those of the tasks in the task sheet, and of any task the sheet names; a task that left
        the plan keeps its own unless the sheet still lists them. Keyed by (task id, code or
        period); the values are row mappings.
        """
        codes = {row["code"] for row in self.parsed.rows("tasks")}
        codes |= {row["task"] for row in self.parsed.rows(sheet)}
        key = model.code if model is Indicator else model.period
        found: dict[Any, Any] = {}
        for chunk in _chunks([tasks[code] for code in codes]):
            query = select(*_columns(model)).where(model.task_id.in_(chunk))
            for row in (await self.session.exec(query)).mappings():
                found[(row["task_id"], row[key.key])] = row
        return found

    async def _indicators(self, tasks: dict[str, int]) -> None:
        rows = self.parsed.rows("indicators")
        existing = await self._existing(Indicator, "indicators", tasks)
        wanted: dict[Any, dict[str, Any]] = {}
        position: dict[str, int] = {}
        for row in rows:
            position[row["task"]] = position.get(row["task"], 0) + 1
            code = row["code"] or f"CT{position[row['task']]}"
            wanted[(tasks[row["task"]], code)] = {
                "task_id": tasks[row["task"]],
                "code": code,
                "name": row["name"],
                "unit_of_measure": row["unit_of_measure"],
                "target": row["target"],
                "baseline": row["baseline"],
                "position": position[row["task"]],
            }
        await self._upsert(Indicator, "indicators", wanted, existing)
        await self._drop_unlisted_indicators(
            [row for key, row in existing.items() if key not in wanted], tasks
        )
        self._advance(len(rows))

    async def _drop_unlisted_indicators(self, gone: list[Any], tasks: dict[str, int]) -> None:
        """Delete indicators no longer in the plan, but keep any that have reported values."""
        used: set[int] = set()
        for chunk in _chunks([row["id"] for row in gone]):
            query = select(IndicatorValue.indicator_id).where(
                IndicatorValue.indicator_id.in_(chunk)  # type: ignore[attr-defined]
            )
            used.update((await self.session.exec(query)).scalars())
        codes = {task_id: code for code, task_id in tasks.items()}
        for row in gone:
            if row["id"] in used:
                message = self.t(
                    N_("indicator {code} of task {task} has left the plan but has values: kept")
                )
                task = codes.get(row["task_id"])
                self.result.warnings.append(message.format(code=row["code"], task=task))
        await self._delete(Indicator, "indicators", [r["id"] for r in gone if r["id"] not in used])

    async def _delete(self, model: Any, what: str, ids: list[int]) -> None:
        for chunk in _chunks(ids):
            await self.session.exec(delete(model).where(model.id.in_(chunk)))  # type: ignore[call-overload]
        self.result.count(f"{what}.deleted", len(ids))

    async def _milestones(self, tasks: dict[str, int]) -> None:
        rows = self.parsed.rows("milestones")
        existing = await self._existing(Milestone, "milestones", tasks)
        wanted: dict[Any, dict[str, Any]] = {}
        for row in rows:
            period = Period.parse(row["period"]).key
            wanted[(tasks[row["task"]], period)] = {
                "task_id": tasks[row["task"]],
                "period": period,
                "expected": row["expected"],
                "expected_percent": row["expected_percent"],
            }
        await self._upsert(Milestone, "milestones", wanted, existing)
        gone = [row["id"] for key, row in existing.items() if key not in wanted]
        await self._delete(Milestone, "milestones", gone)
        self._advance(len(rows))


def _columns(model: Any) -> list[Any]:
    """Every column of `model`'s table: selecting these gives plain rows, not ORM objects."""
    return list(model.__table__.columns)


def _repath(units: dict[str, Unit]) -> None:
    """Recompute every unit's materialized path (`/1/4/`) from the parent links."""
    by_id = {unit.id: unit for unit in units.values()}
    paths: dict[int | None, str] = {}

    def path_of(unit: Unit) -> str:
        if unit.id not in paths:
            parent = by_id.get(unit.parent_id) if unit.parent_id else None
            prefix = path_of(parent) if parent else "/"
            paths[unit.id] = f"{prefix}{unit.id}/"
        return paths[unit.id]

    for unit in units.values():
        path = path_of(unit)
        if unit.path != path:
            unit.path = path


def _chunks(ids: list[Any], size: int = 1000) -> list[list[Any]]:
    """`IN` lists small enough for any backend's parameter limit."""
    return [ids[i : i + size] for i in range(0, len(ids), size)]
