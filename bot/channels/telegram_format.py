"""Translation between Telegram objects and the core's `Incoming`/`Reply`, without I/O."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType, MessageLimit

from handlers.types import Choice, Incoming

log = logging.getLogger(__name__)

CHANNEL = "telegram"
TEXT_LIMIT = MessageLimit.MAX_TEXT_LENGTH  # 4096
CAPTION_LIMIT = MessageLimit.CAPTION_LENGTH  # 1024
# Telegram shows at most 100 buttons under a message.
MAX_BUTTONS = 100
# Buttons share a row while their labels fit in this many characters (at most 4 a row).
ROW_WIDTH = 30
ROW_BUTTONS = 4

# Message contents the bot cannot read, by the attribute PTB gives them.
_UNSUPPORTED_KINDS = (
    "sticker",
    "photo",
    "voice",
    "audio",
    "video",
    "video_note",
    "animation",
    "document",
    "location",
    "venue",
    "contact",
    "poll",
    "dice",
)


def unsupported_kind(message: Message) -> str | None:
    """The kind of non-text content of a message (`"sticker"`, `"photo"`…), if any."""
    for kind in _UNSUPPORTED_KINDS:
        if getattr(message, kind, None):
            return kind
    return None


def to_incoming(update: Update, now: datetime | None = None) -> Incoming | None:
    """The core's view of an update; None for updates that are not a person talking to the bot
    (service messages, edits, membership changes)."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or user.is_bot:
        return None
    received = now or datetime.now(UTC)
    common = {
        "channel": CHANNEL,
        "sender_id": str(user.id),
        "update_key": str(update.update_id),
        "display_name": user.full_name,
        "language_hint": user.language_code,
    }
    query = update.callback_query
    if query is not None:
        if not query.data:
            return None
        chat_id = chat.id if chat is not None else user.id
        private = chat is None or chat.type == ChatType.PRIVATE
        return Incoming(
            **common,
            chat_id=str(chat_id),
            received_at=received,
            choice=query.data,
            private=private,
        )
    message = update.message
    if message is None or chat is None:
        return None
    kind = None if message.text is not None else unsupported_kind(message)
    if message.text is None and kind is None:
        return None
    return Incoming(
        **common,
        chat_id=str(chat.id),
        received_at=message.date or received,
        text=message.text,
        private=chat.type == ChatType.PRIVATE,
        unsupported=kind,
    )


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut at line ends where possible.

    Blank pieces are left out: Telegram refuses a message with no visible text."""
    pieces: list[str] = []
    current = ""
    for line in _lines_within(text, limit):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
            continue
        pieces.append(current)
        current = line
    pieces.append(current)
    return [piece for piece in pieces if piece.strip()]


def _lines_within(text: str, limit: int) -> Iterator[str]:
    """The lines of `text`; a line longer than `limit` is cut into `limit`-sized parts."""
    for line in text.split("\n"):
        while len(line) > limit:
            yield line[:limit]
            line = line[limit:]
        yield line


def keyboard(choices: tuple[Choice, ...]) -> InlineKeyboardMarkup | None:
    """Inline buttons for the choices; short labels share a row, long ones get their own."""
    if not choices:
        return None
    if len(choices) > MAX_BUTTONS:
        log.warning("%d choices; Telegram shows the first %d", len(choices), MAX_BUTTONS)
    rows: list[list[InlineKeyboardButton]] = []
    width = 0
    for choice in choices[:MAX_BUTTONS]:
        button = InlineKeyboardButton(choice.label, callback_data=choice.token)
        size = len(choice.label)
        if rows and len(rows[-1]) < ROW_BUTTONS and width + size <= ROW_WIDTH:
            rows[-1].append(button)
            width += size
        else:
            rows.append([button])
            width = size
    return InlineKeyboardMarkup(rows)
