"""Conversation tests that read like the chat they check (Zulip's `verify_dialog`, simpler)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.app import TaskBot
from handlers.types import Incoming, Reply

_update_ids = itertools.count(1)


@dataclass
class FrozenClock:
    """A clock the test moves by hand."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 23, 2, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@dataclass
class Chat:
    """One person's private chat with the bot on one channel."""

    bot: TaskBot
    user: str = "1001"
    channel: str = "console"
    language: str | None = None
    replies: list[Reply] = field(default_factory=list)

    async def send(self, incoming: Incoming) -> list[Reply]:
        got = await self.bot.handle(incoming)
        self.replies.extend(got)
        return got

    def _incoming(self, **kwargs: object) -> Incoming:
        return Incoming(
            channel=self.channel,
            chat_id=self.user,
            sender_id=self.user,
            update_key=str(next(_update_ids)),
            received_at=self.bot.clock(),
            language_hint=self.language,
            display_name=f"User {self.user}",
            **kwargs,  # type: ignore[arg-type]
        )

    async def say(self, text: str, *, update_key: str | None = None) -> list[Reply]:
        incoming = self._incoming(text=text)
        if update_key is not None:
            incoming = Incoming(**{**_fields(incoming), "update_key": update_key})
        return await self.send(incoming)

    async def press(self, label: str) -> list[Reply]:
        """Press the button whose label contains `label` on the last message with buttons."""
        for reply in reversed(self.replies):
            if reply.choices:
                for choice in reply.choices:
                    if label in choice.label:
                        return await self.send(self._incoming(choice=choice.token))
                raise AssertionError(f"no button {label!r} in {[c.label for c in reply.choices]}")
        raise AssertionError("no message with buttons yet")

    async def press_token(self, token: str) -> list[Reply]:
        return await self.send(self._incoming(choice=token))

    @property
    def last(self) -> Reply:
        return self.replies[-1]

    @property
    def text(self) -> str:
        """All text received so far, for `in` checks."""
        return "\n".join(reply.text for reply in self.replies)

    def labels(self) -> list[str]:
        for reply in reversed(self.replies):
            if reply.choices:
                return [choice.label for choice in reply.choices]
        return []


def _fields(incoming: Incoming) -> dict[str, object]:
    return {name: getattr(incoming, name) for name in incoming.__slots__}
