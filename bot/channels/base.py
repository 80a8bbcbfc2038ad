"""What every channel offers the rest of the bot: sending a `Reply` to a chat.

Inbound, a channel turns platform updates into `handlers.types.Incoming` and hands them to
`Conversation.handle`; outbound, the reminder dispatcher and the reply path call `Sender.send`.
Send errors are classified so the dispatcher knows whether to wait, retry or give up.
"""

from __future__ import annotations

from typing import Protocol

from starlette.routing import BaseRoute

from handlers.types import Incoming, Reply


class SendError(Exception):
    """A message could not be sent."""


class RetryAfter(SendError):
    """The platform asked us to slow down (HTTP 429): wait `seconds`, then send again."""

    def __init__(self, seconds: float, description: str = "") -> None:
        super().__init__(description or f"retry after {seconds}s")
        self.seconds = seconds


class TransientSendError(SendError):
    """A network error or 5xx: worth retrying with backoff."""


class PermanentSendError(SendError):
    """The platform refused for good (bot blocked, chat not found, bad request)."""


class Sender(Protocol):
    """A channel's outbound side."""

    name: str

    async def send(self, chat_id: str, reply: Reply) -> str:
        """Send `reply` to `chat_id`; return the platform's message id of the (last) message."""
        ...


class Conversation(Protocol):
    """The core the channels feed: one update in, the replies for that chat out."""

    async def handle(self, incoming: Incoming) -> list[Reply]: ...


class Channel(Sender, Protocol):
    """A running channel: receives updates (polling or webhook) and sends replies.

    `taskbot run` starts every configured channel; in webhook mode it mounts each channel's
    routes on one web app (`bot.web.build_app`).
    """

    async def start(self, *, webhook: bool) -> None:
        """Begin receiving: long polling, or register the webhook with the platform."""
        ...

    async def stop(self) -> None: ...

    def webhook_routes(self) -> list[BaseRoute]:
        """Starlette routes that receive this channel's webhook requests."""
        ...
