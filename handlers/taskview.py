"""How tasks, periods and reports are shown to people: shared by /tasks, /report and /review."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from bot.i18n import N_, Translator
from handlers.context import Context
from handlers.router import action_token
from handlers.types import Choice
from reminders.periods import Period
from storage.models import Report, ReportStatus, ReviewState, Task
from storage.reports import Owed

TITLE_LENGTH = 70
# Overdue, unreported periods shown per task (the most recent ones); older ones are counted.
OVERDUE_SHOWN = 2

STATUS_LABELS = {
    ReportStatus.not_started: N_("not started"),
    ReportStatus.in_progress: N_("in progress"),
    ReportStatus.completed: N_("completed"),
    ReportStatus.blocked: N_("blocked"),
}

# What a forged, stale or malformed button gets (the same words as the dispatcher's).

REVIEW_LABELS = {
    ReviewState.pending: N_("awaiting confirmation"),
    ReviewState.confirmed: N_("confirmed"),
    ReviewState.returned: N_("returned"),
}


def row_id(text: object) -> int | None:
    """An id from a button token: digits within the database's integer range, else None.

    A forged token with a 20-digit id must not reach PostgreSQL (int32 overflow is an error).
    """
    value = str(text)
    if not (value.isascii() and value.isdigit()) or len(value) > 10:
        return None
    number = int(value)
    return number if number < 2**31 else None


def local_today(ctx: Context) -> date:
    """Today in the bot's timezone (Asia/Ho_Chi_Minh): the date reports and deadlines use."""
    return ctx.now.astimezone(ctx.t.tz).date()


def short_title(title: str, length: int = TITLE_LENGTH) -> str:
    """The title on one line, cut with an ellipsis to fit a phone screen."""
    title = " ".join(title.split())
    return title if len(title) <= length else title[: length - 1].rstrip() + "…"


def task_line(task: Task) -> str:
    return f"{task.code} — {short_title(task.title)}"


def amount(t: Translator, value: float, unit: str | None) -> str:
    """'120 thủ tục', '62,5%': a number in the locale's format with its unit of measure."""
    if not unit:
        return t.number(value)
    return f"{t.number(value)}{'' if unit == '%' else ' '}{unit}"


def period_label(t: Translator, period: Period | str) -> str:
    return (Period.parse(period) if isinstance(period, str) else period).label(t.locale)


def report_state(t: Translator, report: Report) -> str:
    """'in progress, 45%' or 'completed, 100% (awaiting confirmation)'."""
    text = f"{t(STATUS_LABELS[ReportStatus(report.status)])}, {report.percent}%"
    review = ReviewState(report.review_state)
    if review is not ReviewState.none:
        text += f" ({t(REVIEW_LABELS[review])})"
    return text


def report_button(t: Translator, item: Owed) -> Choice:
    """The button that opens the report dialog on a task and period (a reminder has the same)."""
    label = t("Report {code} · {period}") if item.report is None else t("Revise {code} · {period}")
    return Choice(
        action_token("rp", item.task.id, item.period.key),
        label.format(code=item.task.code, period=period_label(t, item.period)),
    )


def shown(items: list[Owed]) -> tuple[list[Owed], Counter[int]]:
    """The items to show: every current period, and per task only the `OVERDUE_SHOWN` most
    recent overdue ones (a plan nobody closes periods of would list every month since it
    started); the count of the hidden ones per task id."""
    overdue: dict[int, list[Owed]] = defaultdict(list)
    for item in items:
        if not item.current:
            overdue[item.task.id].append(item)  # type: ignore[index]
    hidden: Counter[int] = Counter()
    dropped: set[int] = set()
    for task_id, late in overdue.items():
        older = sorted(late, key=lambda item: item.deadline)[:-OVERDUE_SHOWN]
        hidden[task_id] = len(older)
        dropped |= {id(item) for item in older}
    return [item for item in items if id(item) not in dropped], hidden
