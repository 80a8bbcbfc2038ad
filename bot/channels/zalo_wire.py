"""Zalo's wire format: updates into `Incoming`, `Reply` text into Zalo-sized messages.

Zalo has no buttons: choices become numbered lines, and the user answers with the number or the
option's text, which the core maps back (`handlers.dialog.match_choice`), so this side keeps no
state. Sources differ on some field names, so either spelling is read and unknown fields ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.i18n import Translator
from handlers.types import Incoming, Reply

CHANNEL = "zalo"
TEXT_LIMIT = 2000

# event_name → the kind of content we cannot read (`Incoming.unsupported`).
_UNSUPPORTED_EVENTS = {
    "message.image.received": "image",
    "message.sticker.received": "sticker",
    "message.unsupported.received": "unsupported",
}


class InvalidUpdate(ValueError):
    """A body that is not a Zalo update we can read."""


def _text_field(mapping: Mapping[str, Any], *names: str) -> str | None:
    for name in names:
        value = mapping.get(name)
        if value is not None and str(value) != "":
            return str(value)
    return None


def unwrap(body: Any) -> Mapping[str, Any]:
    """An update, bare or wrapped as `{"ok": true, "result": {...}}`."""
    if isinstance(body, Mapping) and isinstance(body.get("result"), Mapping):
        body = body["result"]
    if not isinstance(body, Mapping):
        raise InvalidUpdate("the update is not a JSON object")
    return body


def _unsupported_kind(event: str, message: Mapping[str, Any]) -> str | None:
    if event in _UNSUPPORTED_EVENTS:
        return _UNSUPPORTED_EVENTS[event]
    if message.get("text") not in (None, ""):
        return None
    if message.get("sticker"):
        return "sticker"
    if message.get("photo") or message.get("photo_url"):
        return "image"
    return "unsupported"


def parse_update(body: Any, *, now: datetime | None = None) -> Incoming:
    """The `Incoming` for one update (bare or wrapped); `InvalidUpdate` when it is not one."""
    update = unwrap(body)
    message = update.get("message")
    if not isinstance(message, Mapping):
        raise InvalidUpdate("the update has no message")
    sender = message.get("from") if isinstance(message.get("from"), Mapping) else {}
    chat = message.get("chat") if isinstance(message.get("chat"), Mapping) else {}
    message_id = _text_field(message, "message_id")
    sender_id = _text_field(sender, "id")
    chat_id = _text_field(chat, "id") or sender_id
    if not (message_id and sender_id and chat_id):
        raise InvalidUpdate("the message lacks message_id, from.id or chat.id")
    unsupported = _unsupported_kind(str(update.get("event_name") or ""), message)
    return Incoming(
        channel=CHANNEL,
        chat_id=chat_id,
        sender_id=sender_id,
        update_key=message_id,
        received_at=_received_at(message.get("date"), now),
        text=None if unsupported else str(message["text"]),
        display_name=_text_field(sender, "display_name", "name", "first_name"),
        private=str(chat.get("chat_type") or "PRIVATE").upper() != "GROUP",
        unsupported=unsupported,
    )


def _received_at(value: Any, now: datetime | None) -> datetime:
    """Zalo dates are epoch milliseconds."""
    try:
        return datetime.fromtimestamp(float(value) / 1000, UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return now or datetime.now(UTC)


def answer_hint(count: int, t: Translator) -> str:
    """'Trả lời 1, 2, 3 hoặc gõ nội dung lựa chọn.' — how to answer numbered choices."""
    numbers = ", ".join(str(n) for n in range(1, count + 1)) if count <= 5 else f"1–{count}"
    return t("Reply {numbers} or type the option.").format(numbers=numbers)


def render_text(reply: Reply, t: Translator) -> str:
    """The reply's text with its choices as numbered lines and how to answer them."""
    if not reply.choices:
        return reply.text
    lines = [reply.text, ""]
    lines += [f"{number}. {choice.label}" for number, choice in enumerate(reply.choices, 1)]
    lines += ["", answer_hint(len(reply.choices), t)]
    return "\n".join(lines)


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, cut at line ends (inside a line only if it must).

    Blank text gives no pieces: Zalo refuses empty messages.
    """
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit + 1)
            cut = cut if cut > 0 else limit
            pieces, current = _flush(pieces, current), ""
            pieces.append(line[:cut])
            line = line[cut:].lstrip(" ")
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces, current = _flush(pieces, current), line
        else:
            current = candidate
    pieces = _flush(pieces, current)
    return pieces


def _flush(pieces: list[str], current: str) -> list[str]:
    if current.strip():
        pieces.append(current)
    return pieces
