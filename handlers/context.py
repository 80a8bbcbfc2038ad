"""What a handler is given: the update, a session, the clock, the person and their language.

Like aiogram's middlewares, the dispatcher resolves all of this before a handler runs, so a
handler never looks up the language or opens a session itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Translator
from bot.settings import Settings
from handlers.types import Incoming, Reply
from storage.models import DialogState, Officer, Outbox, Role

if TYPE_CHECKING:
    from handlers.dialog import DialogEngine
    from handlers.router import Command


class Invalid(Exception):
    """An answer the user can fix: the message says what is wrong; the question is asked again."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Answer:
    """A user's answer to a question: a chosen option's value, or typed text."""

    value: str | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Question:
    """A dialog step's question. `options` are (value, label); `free_text` accepts typing.

    On a free-text question a typed "2" is text, never option 2, so numbers typed as answers
    (a percentage, an indicator value) are never mistaken for a choice.
    """

    text: str
    options: tuple[tuple[str, str], ...] = ()
    free_text: bool = False


@dataclass
class Context:
    """Everything one update's handling needs; lives for one transaction."""

    incoming: Incoming
    session: AsyncSession
    now: datetime
    settings: Settings
    _: Translator
    state: DialogState
    officer: Officer | None = None
    outgoing: list[Outbox] = field(default_factory=list)
    # The dispatcher's command table, for /help and command menus.
    commands: Mapping[str, Command] = field(default_factory=dict)
    dialogs: DialogEngine | None = None

    @property
    def t(self) -> Translator:
        return self._

    @property
    def role(self) -> Role | None:
        return Role(self.officer.role) if self.officer else None

    @property
    def in_dialog(self) -> bool:
        return self.state.dialog is not None

    def reply(self, text: str, **kwargs: Any) -> list[Reply]:
        return [Reply(text=text, **kwargs)]

    def notify(
        self,
        officer_id: int,
        text: str,
        *,
        kind: str,
        key: str,
        choices: list[list[str]] | None = None,
        task_id: int | None = None,
        period: str | None = None,
    ) -> None:
        """Queue a message to another person (or this one, later) through the outbox.

        It is written in this update's transaction, so it is sent once and only if the change
        that caused it is committed. `key` makes it unique: the same key is never sent twice.
        """
        self.outgoing.append(
            Outbox(
                dedupe_key=f"{kind}:{key}",
                kind=kind,
                officer_id=officer_id,
                text=text,
                choices=choices or [],
                not_before=self.now,
                created_at=self.now,
                task_id=task_id,
                period=period,
            )
        )

    def since(self, delta: timedelta) -> datetime:
        return self.now - delta

    async def start_dialog(
        self, name: str, data: dict[str, Any] | None = None, at: str | None = None
    ) -> list[Reply]:
        """Open dialog `name` (replacing any open one) and ask its first question (or `at`)."""
        assert self.dialogs is not None, "the dispatcher sets the dialog engine"
        return await self.dialogs.start(self, name, data, at)
