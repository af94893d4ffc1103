"""Our `.po` reader gives the translations Babel's `read_po` + `write_mo` give."""

from __future__ import annotations

import gettext
from io import BytesIO

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.chat.i18n import catalog_path
from bot.chat.po_files import PoSyntaxError, parse_po, read_translations

TRICKY = r"""# A header comment
msgid ""
msgstr ""
"Language: fr\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\n"
"Content-Type: text/plain; charset=utf-8\n"

#, python-brace-format
msgid "Hello {name}"
msgstr "Bonjour {name}"

#, fuzzy
msgid "Guessed"
msgstr "Deviné"

msgid "Untranslated"
msgstr ""

msgid ""
"Two lines\n"
"and a \"quote\""
msgstr ""
"Deux lignes\n"
"et des \"guillemets\" \\ "

msgid "{n} file"
msgid_plural "{n} files"
msgstr[0] "{n} fichier"
msgstr[1] ""

msgctxt "menu"
msgid "Open"
msgstr "Ouvrir (menu)"

msgid "Open"
msgstr "Ouvert"
msgid "Closed"
msgstr "Fermé"

#~ msgid "Gone"
#~ msgstr "Parti"
"""


def _babel(text: str) -> gettext.GNUTranslations:
    buffer = BytesIO()
    write_mo(buffer, read_po(BytesIO(text.encode()), locale="fr"), use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _catalog_ids(text: str) -> list[tuple[str, ...]]:
    return [tuple(entry.ids) for entry in parse_po(text) if entry.ids != [""]]


def _same(ours: gettext.GNUTranslations, theirs: gettext.GNUTranslations, text: str) -> None:
    for entry in parse_po(text):
        if entry.ids == [""]:
            continue
        if len(entry.ids) == 1 and entry.context is None:
            assert ours.gettext(entry.ids[0]) == theirs.gettext(entry.ids[0]), entry.ids
        elif len(entry.ids) == 1 and entry.context is not None:
            ours_text = ours.pgettext(entry.context, entry.ids[0])
            assert ours_text == theirs.pgettext(entry.context, entry.ids[0])
        else:
            singular, plural = entry.ids
            for n in (0, 1, 2, 5):
                expected = theirs.ngettext(singular, plural, n)
                assert ours.ngettext(singular, plural, n) == expected, entry.ids
    # Babel rewrites the header (generator, dates); the fields gettext reads are the same.
    for key in ("language", "plural-forms", "content-type"):
        assert ours.info().get(key) == theirs.info().get(key), key


def test_tricky_catalog_reads_as_babel_reads_it() -> None:
    ours = read_translations(TRICKY)
    _same(ours, _babel(TRICKY), TRICKY)
    assert ours.gettext('Two lines\nand a "quote"') == 'Deux lignes\net des "guillemets" \\ '
    assert ours.gettext("Guessed") == "Guessed"  # fuzzy: not used
    assert ours.gettext("Untranslated") == "Untranslated"
    assert ours.ngettext("{n} file", "{n} files", 1) == "{n} fichier"
    assert ours.ngettext("{n} file", "{n} files", 3) == "{n} files"  # empty form: the id
    assert ours.pgettext("menu", "Open") == "Ouvrir (menu)"
    assert ours.gettext("Open") == "Ouvert"
    assert ours.gettext("Closed") == "Fermé"
    assert ours.gettext("Gone") == "Gone"


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_shipped_catalogs_read_as_babel_reads_them(locale: str) -> None:
    with open(catalog_path(locale), encoding="utf-8") as po_file:
        text = po_file.read()
    assert len(_catalog_ids(text)) > (100 if locale == "fr" else 0)
    _same(read_translations(text), _babel(text), text)


@pytest.mark.parametrize(
    "text",
    ['msgid "a"\nmsgstr "b" extra\n', '"orphan"\n', 'msgid "a\nmsgstr "b"\n', "garbage\n"],
)
def test_a_broken_line_is_an_error_naming_it(text: str) -> None:
    with pytest.raises(PoSyntaxError, match="line"):
        parse_po(text)
