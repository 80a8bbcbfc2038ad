"""Splitting long texts and laying out buttons for Telegram (pure functions)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.channels.telegram_format import keyboard, split_text
from handlers.types import Choice


@given(st.text(alphabet=st.sampled_from("ab \nđ"), max_size=400), st.integers(5, 60))
def test_pieces_fit_and_keep_every_visible_character_in_order(text: str, limit: int) -> None:
    pieces = split_text(text, limit)
    assert all(piece.strip() and len(piece) <= limit for piece in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())


def test_cuts_at_line_ends_when_it_can() -> None:
    text = "\n".join(["a" * 30, "b" * 30, "c" * 30])
    assert split_text(text, 65) == ["a" * 30 + "\n" + "b" * 30, "c" * 30]
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_short_labels_share_rows_long_ones_do_not() -> None:
    task = "386.II.1 · tháng 11/2026 — Số hoá thủ tục"
    labels = ["0%", "25%", "50%", "75%", "100%", task, "« Back"]
    markup = keyboard(tuple(Choice(f"d:n:{n}", label) for n, label in enumerate(labels)))
    assert markup is not None
    rows = [[button.text for button in row] for row in markup.inline_keyboard]
    assert rows == [["0%", "25%", "50%", "75%"], ["100%"], [labels[5]], ["« Back"]]
    assert markup.inline_keyboard[0][1].callback_data == "d:n:1"
    many = keyboard(tuple(Choice(str(n), str(n)) for n in range(150)))
    assert many is not None and sum(len(row) for row in many.inline_keyboard) == 100
    assert keyboard(()) is None
