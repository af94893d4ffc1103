"""Telegram counts a message's length in UTF-16 code units: long texts are cut by that count."""

from __future__ import annotations

import html
import logging

import pytest

from bot.transports.telegram.formatting import (
    MAX_CAPTION,
    MAX_LENGTH,
    MAX_PARTS,
    split_text,
    to_html,
    utf16_length,
)

FACE = "😀"  # outside the Basic Multilingual Plane: 1 Python character, 2 UTF-16 units


def test_utf16_length_counts_what_telegram_counts() -> None:
    assert utf16_length("abc") == 3
    assert utf16_length(FACE) == 2
    assert utf16_length("👩🏽\u200d💻") == 7  # woman, skin tone, joiner, laptop
    assert utf16_length("e\u0301") == 2
    assert utf16_length("€") == 1


def test_the_reported_request_with_emoji_is_cut_in_two_parts_telegram_accepts() -> None:
    # 3,601 characters, but 4,201 UTF-16 units: one message of it was refused by Telegram.
    text = ("Aidez-moi" + FACE * 2 + " ") * 300 + "!"
    assert len(text) == 3_601 and utf16_length(text) > MAX_LENGTH
    parts = split_text(text)
    assert len(parts) == 2
    assert all(utf16_length(part) <= MAX_LENGTH for part in parts)
    assert " ".join(parts) == text.strip()  # cut between words, nothing lost


def test_a_text_of_exactly_the_limit_is_one_message() -> None:
    text = FACE * (MAX_LENGTH // 2)
    assert utf16_length(text) == MAX_LENGTH
    assert split_text(text) == [text]
    assert split_text("a" * MAX_LENGTH) == ["a" * MAX_LENGTH]


def test_one_unit_over_the_limit_makes_two_parts_without_breaking_an_emoji() -> None:
    text = "a" + FACE * (MAX_LENGTH // 2)  # 4,097 units
    parts = split_text(text)
    assert len(parts) == 2
    assert "".join(parts) == text  # no emoji cut in half (no lone surrogate, no "?" glyph)
    assert all(utf16_length(part) <= MAX_LENGTH for part in parts)
    assert split_text("a" * (MAX_LENGTH + 1)) == ["a" * MAX_LENGTH, "a"]


def test_a_cut_keeps_a_letter_with_its_combining_accent() -> None:
    text = "e\u0301" * 3_000  # é written as e + combining acute: 6,000 units, no space
    parts = split_text(text)
    assert "".join(parts) == text
    assert all(utf16_length(part) <= MAX_LENGTH for part in parts)
    assert all(part[0] == "e" for part in parts)  # no part starts with a lone accent


def test_a_cut_keeps_a_joined_emoji_whole() -> None:
    coder = "👩\u200d💻"  # 5 units, drawn as one
    text = "x" + coder * 1_000
    parts = split_text(text)
    assert "".join(parts) == text
    assert all(not part.startswith("\u200d") for part in parts)


def test_a_cut_prefers_paragraphs_then_lines_then_words() -> None:
    paragraph = "Une phrase assez longue pour remplir. " * 60  # 2,280 characters
    text = paragraph.strip() + "\n\n" + paragraph.strip() + "\n" + paragraph.strip()
    parts = split_text(text)
    assert parts[0] == paragraph.strip()
    words = "mot " * 2_000
    assert all(not part.endswith("mo") for part in split_text(words))


def test_more_than_four_parts_are_cut_short_and_said_so(caplog: pytest.LogCaptureFixture) -> None:
    text = (FACE + " ") * 10_000  # 30,000 units: 8 messages' worth
    with caplog.at_level(logging.WARNING):
        parts = split_text(text)
    assert len(parts) == MAX_PARTS
    assert parts[-1].endswith("…")
    assert all(utf16_length(part) <= MAX_LENGTH for part in parts)
    assert "left out" in caplog.text


def test_escaped_html_parts_read_back_as_the_text() -> None:
    # Cut before escaping: "<" and "&" count one unit each in Telegram, and no cut can fall
    # inside "&amp;" or a tag.
    text = "<b>&amp;" * 1_000
    parts = split_text(text)
    assert len(parts) == 2
    assert "".join(html.unescape(to_html(part)) for part in parts) == text


def test_captions_have_their_own_limit() -> None:
    parts = split_text(FACE * 600, MAX_CAPTION)
    assert [utf16_length(part) for part in parts] == [1024, 176]


def test_short_and_empty_texts_are_left_alone() -> None:
    assert split_text("") == [""]
    assert split_text("Bonjour 👋") == ["Bonjour 👋"]
