"""Zalo's wire format without a server: reading updates, numbering choices, splitting texts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.zalo_wire import InvalidUpdate, parse_update, render_text, split_text
from bot.i18n import translator
from handlers.types import Choice, Reply


def test_reads_either_spelling_and_ignores_unknown_fields() -> None:
    incoming = parse_update(
        {
            "ok": True,
            "result": {
                "message": {
                    "chat": {"id": "c1", "chat_type": "PRIVATE", "new_field": 1},
                    "text": "Xin chào",
                    "message_id": "16f6",
                    "date": 1766619597466,
                    "from": {"id": "u1", "first_name": "Nguyen Van A"},
                }
            },
        }
    )
    assert (incoming.channel, incoming.chat_id, incoming.sender_id) == ("zalo", "c1", "u1")
    assert (incoming.update_key, incoming.text, incoming.unsupported) == ("16f6", "Xin chào", None)
    assert incoming.display_name == "Nguyen Van A" and incoming.private
    assert incoming.received_at == datetime(2025, 12, 24, 23, 39, 57, 466000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("event", "content", "kind"),
    [
        ("message.sticker.received", {"sticker": "abc"}, "sticker"),
        ("message.image.received", {"photo_url": "https://x/a.jpg", "caption": "c"}, "image"),
        ("message.unsupported.received", {}, "unsupported"),
        ("", {"photo": "https://x/a.jpg"}, "image"),
        ("", {"sticker": "abc"}, "sticker"),
    ],
)
def test_content_we_cannot_read(event: str, content: dict, kind: str) -> None:
    message = {"message_id": "m", "from": {"id": "u", "name": "A"}, "chat": {"id": "u"}}
    incoming = parse_update({"event_name": event, "message": {**message, **content}})
    assert incoming.unsupported == kind and incoming.text is None


def test_group_chats_are_not_private() -> None:
    message = {"message_id": "m", "from": {"id": "u"}, "chat": {"id": "g", "chat_type": "GROUP"}}
    incoming = parse_update({"message": {**message, "text": "/help"}})
    assert not incoming.private and incoming.chat_id == "g" and incoming.sender_id == "u"


@pytest.mark.parametrize(
    "body",
    [[], "x", {"message": "x"}, {"message": {"text": "hi"}}, {"message": {"message_id": "m"}}],
)
def test_bodies_that_are_not_updates(body: object) -> None:
    with pytest.raises(InvalidUpdate):
        parse_update(body)


def test_choices_are_numbered_with_how_to_answer() -> None:
    reply = Reply("Tiến độ?", choices=tuple(Choice(f"t{n}", f"Mục {n}") for n in range(1, 8)))
    assert render_text(reply, translator("vi")).endswith(
        "1. Mục 1\n2. Mục 2\n3. Mục 3\n4. Mục 4\n5. Mục 5\n6. Mục 6\n7. Mục 7\n\n"
        "Trả lời 1–7 hoặc gõ nội dung lựa chọn."
    )


def test_a_line_longer_than_the_limit_is_cut_at_a_space() -> None:
    assert split_text("aaa bbb ccc\ndd", limit=8) == ["aaa bbb", "ccc\ndd"]
    assert split_text("abcdefghij", limit=4) == ["abcd", "efgh", "ij"]
    assert split_text(" \n \n") == []


@given(st.text(alphabet=st.sampled_from("ab ạ\n"), max_size=300), st.integers(5, 40))
def test_pieces_fit_and_keep_every_visible_character(text: str, limit: int) -> None:
    pieces = split_text(text, limit)
    assert all(0 < len(piece) <= limit for piece in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())
