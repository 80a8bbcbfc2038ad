"""The words of reminders and overdue digests, in the recipient's language.

One reminder lists every task the officer owes at that send time (overdue ones first, firmly
worded), each with the period, the roadmap's milestone for it and the deadline, and one button
per task that opens the report dialog on it. A head's digest lists their unit's late tasks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.i18n import Translator
from handlers.router import action_token
from handlers.taskview import short_title
from reminders.calendar import SendKind
from reminders.periods import Period


@dataclass(frozen=True, slots=True)
class Item:
    """One task owing one period's report, at one of the period's send times."""

    task_id: int
    code: str
    title: str
    period: Period
    deadline: date
    kind: SendKind
    # Working days: ≤ 0 before the deadline (reminders), ≥ 1 after it (escalations).
    offset: int
    expected: str | None = None
    officer_name: str = ""
    # Set when a delegate receives the reminder of an officer on leave.
    on_behalf_of: str | None = None

    @property
    def late(self) -> bool:
        return self.kind is SendKind.escalation


def _late(t: Translator, item: Item) -> str:
    return t.ngettext("{days} working day late", "{days} working days late", item.offset).format(
        days=item.offset
    )


def _item_lines(t: Translator, number: int, item: Item) -> list[str]:
    when = t("Period: {period} · deadline {deadline}").format(
        period=item.period.label(t.locale), deadline=t.date(item.deadline)
    )
    if item.late:
        when += f" ({_late(t, item)})"
    lines = [f"{number}. {item.code} — {short_title(item.title)}", f"   {when}"]
    if item.expected:
        lines.append("   " + t("Expected by then: {expected}").format(expected=item.expected))
    if item.on_behalf_of:
        lines.append("   " + t("For {name}, who is on leave").format(name=item.on_behalf_of))
    return lines


def reminder_text(t: Translator, items: list[Item]) -> str:
    """The officer's message: overdue tasks first (firmly), then those due soon."""
    late = [item for item in items if item.late]
    due = [item for item in items if not item.late]
    lines: list[str] = []
    number = 0
    if late:
        lines.append(
            t.ngettext(
                "Overdue: the report on this task is past its deadline. Please report now.",
                "Overdue: the reports on these {count} tasks are past their deadline. "
                "Please report now.",
                len(late),
            ).format(count=len(late))
        )
        for item in late:
            number += 1
            lines += _item_lines(t, number, item)
    if due:
        if lines:
            lines.append("")
        lines.append(
            t.ngettext(
                "Reminder: please report your progress on this task.",
                "Reminder: please report your progress on these {count} tasks.",
                len(due),
            ).format(count=len(due))
        )
        for item in due:
            number += 1
            lines += _item_lines(t, number, item)
    lines += ["", t("Press a button below (or reply with its number) to report.")]
    return "\n".join(lines)


def reminder_choices(t: Translator, items: list[Item]) -> list[list[str]]:
    """One button per task, opening the report dialog on that task and period."""
    ordered = [item for item in items if item.late] + [item for item in items if not item.late]
    return [
        [
            action_token("rp", item.task_id, item.period.key),
            t("Report {code} · {period}").format(
                code=item.code, period=item.period.label(t.locale)
            ),
        ]
        for item in ordered
    ]


def digest_text(t: Translator, unit_name: str, items: list[Item]) -> str:
    """A head's digest of their unit's tasks that escalate at this send time."""
    lines = [
        t.ngettext(
            "{count} task of your unit ({unit}) is overdue:",
            "{count} tasks of your unit ({unit}) are overdue:",
            len(items),
        ).format(count=len(items), unit=unit_name)
    ]
    for number, item in enumerate(items, 1):
        lines.append(f"{number}. {item.code} — {short_title(item.title)}")
        lines.append(
            "   "
            + t("{officer} · {period} · deadline {deadline} · {late}").format(
                officer=item.officer_name,
                period=item.period.label(t.locale),
                deadline=t.date(item.deadline),
                late=_late(t, item),
            )
        )
    lines += ["", t("The officers have been reminded. Send /status to see your unit.")]
    return "\n".join(lines)
