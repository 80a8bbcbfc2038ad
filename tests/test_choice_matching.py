"""Typed answers to a numbered question: by number, or by the option's text however typed."""

from __future__ import annotations

from handlers.dialog import match_choice

CHOICES = [["t1", "✓ Gửi báo cáo"], ["t2", "« Quay lại"], ["t3", "đang thực hiện"]]


def test_by_number_or_by_text_without_diacritics_or_symbols() -> None:
    assert match_choice("2", CHOICES) == "t2"
    assert match_choice(" 3. ", CHOICES) == "t3"
    assert match_choice("gửi báo cáo", CHOICES) == "t1"
    assert match_choice("GUI BAO CAO!", CHOICES) == "t1"
    assert match_choice("dang thuc hien", CHOICES) == "t3"
    assert match_choice("quay lai", CHOICES) == "t2"


def test_nothing_matches_a_partial_label_or_a_number_out_of_range() -> None:
    assert match_choice("thực hiện", CHOICES) is None
    assert match_choice("4", CHOICES) is None
    assert match_choice("0", CHOICES) is None
    assert match_choice("✓", CHOICES) is None
