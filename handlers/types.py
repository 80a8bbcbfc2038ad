"""The contract between channels and handlers: what comes in, what goes out.

Channels turn platform updates into `Incoming` and render `Reply`; handlers never know which
channel they serve (DESIGN.md, data flow).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Incoming:
    """One message or button press from a chat, already validated by its channel."""

    channel: str
    chat_id: str
    sender_id: str
    update_key: str
    received_at: datetime
    text: str | None = None
    choice: str | None = None
    display_name: str | None = None
    language_hint: str | None = None
    private: bool = True
    # Non-text content the channel could not turn into text (a sticker, an image): its kind.
    unsupported: str | None = None


@dataclass(frozen=True, slots=True)
class Choice:
    """An answer the user can pick: `token` comes back in `Incoming.choice`; `label` is shown."""

    token: str
    label: str


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a reply: a chart (PNG, sent as a photo) or an export (a document)."""

    filename: str
    content: bytes
    mime_type: str

    @property
    def is_photo(self) -> bool:
        return self.mime_type.startswith("image/")


@dataclass(frozen=True, slots=True)
class Reply:
    """A message to the chat that sent the update: translated text, optional choices and file.

    `edit_previous` answers a button press: a channel that can edit messages (Telegram) puts this
    text in place of the question whose button was pressed (and removes its buttons); channels
    that cannot edit drop such a reply.
    """

    text: str
    choices: tuple[Choice, ...] = field(default_factory=tuple)
    attachment: Attachment | None = None
    edit_previous: bool = False
