"""Pure helpers: cleaning typed text, parsing command lines, invitation codes."""

from __future__ import annotations

from bot.chat.router import parse_command
from bot.chat.text import clean_text, shorten
from bot.core.invites import ALPHABET, canonical_code, display_code, new_code


def test_clean_text_drops_controls_but_keeps_lines_and_scripts() -> None:
    assert clean_text("  a\x00b\x1b[0m\r\nc\t d  ") == "ab[0m\nc  d"
    assert clean_text("e\u0301") == "é"  # NFC
    assert clean_text("x\u202eevil") == "xevil"
    assert clean_text("👩🏽\u200d💻 سلام") == "👩🏽\u200d💻 سلام"


def test_shorten() -> None:
    assert shorten("abc", 5) == "abc"
    assert shorten("abcdef", 4) == "abc…"


def test_parse_command() -> None:
    assert parse_command("/competences ajouter a, b", "/") == ("competences", "ajouter a, b")
    parsed = parse_command("/Compétences@samu_bot", "/")
    assert parsed is not None and (parsed.name, parsed.args) == ("competences", "")
    parsed = parse_command("!aide", "!")
    assert parsed is not None and parsed.name == "aide"
    assert parse_command("bonjour", "/") is None
    assert parse_command("/", "/") is None
    parsed = parse_command("/nom\nAlice", "/")
    assert parsed is not None and (parsed.name, parsed.args) == ("nom", "Alice")


def test_invite_codes() -> None:
    code = new_code()
    assert len(code) == 8 and set(code) <= set(ALPHABET)
    assert canonical_code(display_code(code).lower()) == code
    assert canonical_code(f" {code[:4]} {code[4:]} ") == code
    assert canonical_code("ABCD-EFG0") is None  # 0 is not in the alphabet
    assert canonical_code("short") is None
    assert display_code("ABCDEFGH") == "ABCD-EFGH"
