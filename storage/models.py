"""The database schema: every table taskbot keeps, with its constraints.

All state lives here (DESIGN.md): plans and tasks, people and their chat identities, reports and
their revisions, dialog state, processed updates, the outbox and its deliveries, notices, the
calendar's holidays and leave, and the audit trail. Constraints are declared in the database,
not only in Python.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """The current instant, timezone-aware in UTC (what every timestamp column stores)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no zone, PostgreSQL `timestamptz` does; this makes both return aware datetimes,
    so comparisons never mix naive and aware values.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def stamp(*, now: bool = False, nullable: bool = False, index: bool = False) -> Any:
    """A UTC timestamp column; `now` fills it with the current instant on insert."""
    column = Column(UTCDateTime(), nullable=nullable, index=index)
    if now:
        return Field(default_factory=utcnow, sa_column=column)
    return Field(default=None, sa_column=column)


def json_col(default: Any) -> Any:
    return Field(default_factory=lambda: default.copy(), sa_column=Column(JSON, nullable=False))


def fk(target: str, nullable: bool = False, index: bool = True, ondelete: str | None = None) -> Any:
    return Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index
        ),
    )


class Role(StrEnum):
    officer = "officer"
    head = "head"
    office = "office"
    admin = "admin"


class Cadence(StrEnum):
    monthly = "monthly"
    quarterly = "quarterly"
    both = "both"


class ReportStatus(StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    completed = "completed"
    blocked = "blocked"


class ReviewState(StrEnum):
    """Whether a completion awaits the head's confirmation (chờ xác nhận)."""

    none = "none"
    pending = "pending"
    confirmed = "confirmed"
    returned = "returned"


class OutboxStatus(StrEnum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"
    cancelled = "cancelled"


def _in(column: str, enum: type[StrEnum]) -> CheckConstraint:
    values = ", ".join(f"'{member.value}'" for member in enum)
    return CheckConstraint(f"{column} IN ({values})", name=f"ck_{column}_valid")


# --- organisation -------------------------------------------------------------------------


class Unit(SQLModel, table=True):
    """A node of the unit tree: province → departments and communes (no district level)."""

    __tablename__ = "unit"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=255)
    kind: str = Field(default="department", max_length=32)
    parent_id: int | None = fk("unit.id", nullable=True)
    # Materialized path of ids, e.g. "/1/4/" — a subtree is `path LIKE '/1/%'`, one index scan.
    path: str = Field(default="/", max_length=512, index=True)


class Officer(SQLModel, table=True):
    """A person: officer, head of a unit, standing-office staff or admin."""

    __tablename__ = "officer"
    __table_args__ = (_in("role", Role),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    full_name: str = Field(max_length=255)
    unit_id: int = fk("unit.id")
    role: str = Field(default=Role.officer.value, max_length=16)
    title: str | None = Field(default=None, max_length=255)
    phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=255)
    locale: str = Field(default="vi", max_length=8)
    preferred_channel: str | None = Field(default=None, max_length=16)
    active: bool = Field(default=True)
    created_at: datetime = stamp(now=True)


class ChatIdentity(SQLModel, table=True):
    """An officer's account on one channel; `chat_id` is where private messages go."""

    __tablename__ = "chat_identity"
    __table_args__ = (UniqueConstraint("channel", "external_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    officer_id: int = fk("officer.id", ondelete="CASCADE")
    channel: str = Field(max_length=16)
    external_user_id: str = Field(max_length=64)
    chat_id: str = Field(max_length=64)
    display_name: str | None = Field(default=None, max_length=255)
    created_at: datetime = stamp(now=True)
    last_seen_at: datetime = stamp(now=True)


class Invite(SQLModel, table=True):
    """A one-time enrollment code; only its SHA-256 is kept."""

    __tablename__ = "invite"

    id: int | None = Field(default=None, primary_key=True)
    officer_id: int = fk("officer.id", ondelete="CASCADE")
    code_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = stamp(now=True)
    expires_at: datetime = stamp()
    used_at: datetime | None = stamp(nullable=True)
    used_by_identity_id: int | None = fk(
        "chat_identity.id", nullable=True, index=False, ondelete="SET NULL"
    )


# --- plans and tasks ----------------------------------------------------------------------


class Plan(SQLModel, table=True):
    """An implementation plan, e.g. Plan 386-KH/TU; `calendar` overrides the reporting defaults."""

    __tablename__ = "plan"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    title: str = Field(max_length=500)
    issued_on: date | None = None
    issuer: str | None = Field(default=None, max_length=255)
    calendar: dict[str, Any] = json_col({})
    created_at: datetime = stamp(now=True)
    updated_at: datetime = stamp(now=True)


class Task(SQLModel, table=True):
    """One assigned task of a plan (nhiệm vụ), keyed by plan + code."""

    __tablename__ = "task"
    __table_args__ = (
        UniqueConstraint("plan_id", "code"),
        _in("cadence", Cadence),
        CheckConstraint("due_date >= start_date", name="ck_task_dates"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = fk("plan.id", ondelete="CASCADE")
    code: str = Field(max_length=64)
    title: str = Field(sa_column=Column(Text, nullable=False))
    presiding_unit_id: int = fk("unit.id")
    officer_id: int | None = fk("officer.id", nullable=True)
    leader_name: str | None = Field(default=None, max_length=255)
    start_date: date
    due_date: date = Field(index=True)
    product: str | None = Field(default=None, sa_column=Column(Text))
    goal: str | None = Field(default=None, sa_column=Column(Text))
    key_results: str | None = Field(default=None, sa_column=Column(Text))
    cadence: str = Field(default=Cadence.monthly.value, max_length=16)
    active: bool = Field(default=True)


class TaskCoordinator(SQLModel, table=True):
    """A coordinating unit (đơn vị phối hợp) of a task."""

    __tablename__ = "task_coordinator"

    task_id: int = Field(
        sa_column=Column(Integer, ForeignKey("task.id", ondelete="CASCADE"), primary_key=True)
    )
    unit_id: int = Field(
        sa_column=Column(Integer, ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True)
    )


class Indicator(SQLModel, table=True):
    """A measurable indicator (chỉ tiêu) of a task: target and optional baseline."""

    __tablename__ = "indicator"
    __table_args__ = (UniqueConstraint("task_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = fk("task.id", ondelete="CASCADE")
    code: str = Field(max_length=32)
    name: str = Field(max_length=500)
    unit_of_measure: str | None = Field(default=None, max_length=64)
    target: float
    baseline: float | None = None
    position: int = 0


class Milestone(SQLModel, table=True):
    """The roadmap: what a task is expected to reach in a month (2025-05) or quarter (2025-Q2)."""

    __tablename__ = "milestone"
    __table_args__ = (
        UniqueConstraint("task_id", "period"),
        CheckConstraint(
            "expected_percent >= 0 AND expected_percent <= 100", name="ck_milestone_percent"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = fk("task.id", ondelete="CASCADE")
    period: str = Field(max_length=8)
    expected: str = Field(sa_column=Column(Text, nullable=False))
    # The percent complete expected by the end of the period, when the plan gives one.
    expected_percent: int | None = None


# --- reports ------------------------------------------------------------------------------


class Report(SQLModel, table=True):
    """The current version of one task's report for one period; revisions keep the history."""

    __tablename__ = "report"
    __table_args__ = (
        UniqueConstraint("task_id", "period"),
        CheckConstraint("percent >= 0 AND percent <= 100", name="ck_report_percent"),
        _in("status", ReportStatus),
        _in("review_state", ReviewState),
        Index("ix_report_period_task", "period", "task_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = fk("task.id", ondelete="CASCADE")
    period: str = Field(max_length=8)
    status: str = Field(max_length=16)
    percent: int
    result: str | None = Field(default=None, sa_column=Column(Text))
    obstacles: str | None = Field(default=None, sa_column=Column(Text))
    proposals: str | None = Field(default=None, sa_column=Column(Text))
    submitted_by_id: int = fk("officer.id")
    submitted_at: datetime = stamp()
    on_time: bool
    revision: int = 1
    review_state: str = Field(default=ReviewState.none.value, max_length=16)
    reviewed_by_id: int | None = fk("officer.id", nullable=True, index=False)
    reviewed_at: datetime | None = stamp(nullable=True)
    review_comment: str | None = Field(default=None, sa_column=Column(Text))
    obstacle_handled_at: datetime | None = stamp(nullable=True)
    obstacle_handled_by_id: int | None = fk("officer.id", nullable=True, index=False)
    obstacle_reply: str | None = Field(default=None, sa_column=Column(Text))


class ReportRevision(SQLModel, table=True):
    """A frozen copy of every submitted version of a report (fields and indicator values)."""

    __tablename__ = "report_revision"
    __table_args__ = (UniqueConstraint("report_id", "revision"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = fk("report.id", ondelete="CASCADE")
    revision: int
    snapshot: dict[str, Any] = json_col({})
    submitted_by_id: int = fk("officer.id", index=False)
    submitted_at: datetime = stamp()


class IndicatorValue(SQLModel, table=True):
    """The actual value of an indicator in the current version of a report."""

    __tablename__ = "indicator_value"
    __table_args__ = (UniqueConstraint("report_id", "indicator_id"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = fk("report.id", ondelete="CASCADE")
    indicator_id: int = fk("indicator.id", ondelete="CASCADE")
    value: float


class ClosedPeriod(SQLModel, table=True):
    """A period the office has closed for a plan: no more reports, missing ones are missed."""

    __tablename__ = "closed_period"
    __table_args__ = (UniqueConstraint("plan_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = fk("plan.id", ondelete="CASCADE")
    period: str = Field(max_length=8)
    closed_at: datetime = stamp()
    closed_by: str = Field(max_length=128)


# --- calendar -----------------------------------------------------------------------------


class Holiday(SQLModel, table=True):
    """A day off (public holiday, Tết, make-up day); editable, not a formula."""

    __tablename__ = "holiday"

    day: date = Field(primary_key=True)
    name: str = Field(max_length=255)


class Leave(SQLModel, table=True):
    """An officer's leave: no reminders between the dates; the delegate gets them instead."""

    __tablename__ = "leave"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="ck_leave_dates"),)

    id: int | None = Field(default=None, primary_key=True)
    officer_id: int = fk("officer.id", ondelete="CASCADE")
    start_date: date
    end_date: date
    delegate_id: int | None = fk("officer.id", nullable=True, index=False, ondelete="SET NULL")
    created_by: str = Field(max_length=128)
    created_at: datetime = stamp(now=True)


# --- messaging ----------------------------------------------------------------------------


class Notice(SQLModel, table=True):
    """A broadcast from the standing office; each recipient gets an outbox row."""

    __tablename__ = "notice"

    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    audience: dict[str, Any] = json_col({})
    created_by: str = Field(max_length=128)
    created_at: datetime = stamp(now=True)
    send_at: datetime = stamp()


class Outbox(SQLModel, table=True):
    """A message to one person, sent by the dispatcher exactly once (unique `dedupe_key`).

    The recipient's channel and chat are resolved when it is sent, so a message follows the
    officer to the channel they use. A claimed row carries a lease; a worker that dies while
    holding it lets the lease lapse and the row is claimed again.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        _in("status", OutboxStatus),
        Index("ix_outbox_due", "status", "not_before"),
    )

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=255, unique=True)
    kind: str = Field(max_length=32)
    officer_id: int = fk("officer.id", ondelete="CASCADE")
    text: str = Field(sa_column=Column(Text, nullable=False))
    choices: list[list[str]] = json_col([])
    attachment: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    status: str = Field(default=OutboxStatus.pending.value, max_length=16)
    attempts: int = 0
    not_before: datetime = stamp()
    lease_until: datetime | None = stamp(nullable=True)
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = stamp(now=True)
    sent_at: datetime | None = stamp(nullable=True)
    channel: str | None = Field(default=None, max_length=16)
    notice_id: int | None = fk("notice.id", nullable=True, ondelete="CASCADE")
    acknowledged_at: datetime | None = stamp(nullable=True)
    # What the message is about, for the cycle and scorecard views (a reminder's task/period).
    task_id: int | None = fk("task.id", nullable=True, ondelete="SET NULL")
    period: str | None = Field(default=None, max_length=8)


class Delivery(SQLModel, table=True):
    """One attempt to send an outbox row through a channel, with its outcome."""

    __tablename__ = "delivery"

    id: int | None = Field(default=None, primary_key=True)
    outbox_id: int = fk("outbox.id", ondelete="CASCADE")
    channel: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    attempt: int
    ok: bool
    error: str | None = Field(default=None, sa_column=Column(Text))
    provider_message_id: str | None = Field(default=None, max_length=64)
    at: datetime = stamp()


# --- conversation -------------------------------------------------------------------------


class DialogState(SQLModel, table=True):
    """Where a chat stands: the open dialog and step, its answers so far, the choices offered.

    Keyed by (channel, chat), so any worker can continue the dialog after a restart.
    `nonce` changes with every question; a button carrying another nonce is stale.
    """

    __tablename__ = "dialog_state"

    channel: str = Field(max_length=16, primary_key=True)
    chat_id: str = Field(max_length=64, primary_key=True)
    dialog: str | None = Field(default=None, max_length=32)
    step: str | None = Field(default=None, max_length=32)
    data: dict[str, Any] = json_col({})
    history: list[str] = json_col([])
    nonce: str = Field(default="", max_length=16)
    choices: list[list[str]] = json_col([])
    # The console lets one terminal act as any sample person (`/as CODE`).
    acting_officer_id: int | None = fk(
        "officer.id", nullable=True, index=False, ondelete="SET NULL"
    )
    updated_at: datetime = stamp(now=True)


class ProcessedUpdate(SQLModel, table=True):
    """An update already handled; a redelivered update with the same key is ignored."""

    __tablename__ = "processed_update"

    channel: str = Field(max_length=16, primary_key=True)
    update_key: str = Field(max_length=128, primary_key=True)
    processed_at: datetime = stamp(index=True)


class AuditEvent(SQLModel, table=True):
    """Who changed what, when: every change a person makes."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = stamp(now=True, index=True)
    actor: str = Field(max_length=128)
    actor_officer_id: int | None = fk("officer.id", nullable=True, ondelete="SET NULL")
    action: str = Field(max_length=64)
    entity: str = Field(max_length=32)
    entity_id: str = Field(max_length=64)
    detail: dict[str, Any] = json_col({})
