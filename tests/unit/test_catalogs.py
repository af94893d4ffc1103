"""The catalogs: French translates every message of the code, placeholders intact."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.chat.i18n import catalog_path, pick_locale, translator

ROOT = Path(__file__).parents[2]
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def _code_messages() -> set[str]:
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT / "bot"), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


_CALL = re.compile(r"""\b(?:_|N_)\((["'])((?:(?!\1).)+)\1\)""")


def test_no_message_hides_where_the_extractor_cannot_see_it() -> None:
    """A `_("…")` inside an f-string is invisible to Babel on Python 3.11: never do that."""
    extracted = _code_messages()
    hidden = {
        (path.name, match[2])
        for path in (ROOT / "bot").rglob("*.py")
        for match in _CALL.finditer(path.read_text(encoding="utf-8"))
        if "\\" not in match[2] and match[2] not in extracted
    }
    assert hidden == set()


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_of_the_code_is_translated_in_french() -> None:
    with open(catalog_path("fr"), "rb") as po_file:
        catalog = read_po(po_file)
    messages = _code_messages()
    assert len(messages) > 100
    missing = []
    for message_id in sorted(messages):
        entry = catalog.get(message_id)
        strings = entry.string if entry else None
        if (
            not entry
            or not (all(strings) if isinstance(strings, tuple) else strings)
            or entry.fuzzy
        ):
            missing.append(message_id)
    assert missing == [], "run pybabel extract/update (see babel.cfg) and translate"


def test_translations_keep_their_placeholders() -> None:
    with open(catalog_path("fr"), "rb") as po_file:
        catalog = read_po(po_file)
    for entry in catalog:
        if not entry.id:
            continue
        assert entry.string is not None, entry.id
        ids = (entry.id,) if isinstance(entry.id, str) else tuple(entry.id)
        strings = (entry.string,) if isinstance(entry.string, str) else tuple(entry.string)
        expected = set().union(*(_fields(i) for i in ids))
        for translated in strings:
            assert _fields(translated) <= expected, entry.id
            if not isinstance(entry.id, tuple):
                assert _fields(translated) == expected, entry.id


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_catalogs_load_and_translate(locale: str) -> None:
    t = translator(locale)
    assert t.locale == locale
    text = t._("Here is what you can do:")
    assert text == ("Here is what you can do:" if locale == "en" else text)
    assert re.search(r"\w", text)
    if locale == "fr":
        assert text != "Here is what you can do:"
        assert t.ngettext("{n} member:", "{n} members:", 1) != t.ngettext(
            "{n} member:", "{n} members:", 2
        )


def test_pick_locale() -> None:
    assert pick_locale("en-GB") == "en"
    assert pick_locale(None, "de", "en_US") == "en"
    assert pick_locale("de") == "fr"
    assert pick_locale() == "fr"
