"""Gettext catalogs loaded at runtime from the `.po` files (no compile step).

Message ids are the English text; `fr` is the default language and its catalog must
translate every message (a test checks it). `en` has a catalog too, for wording that differs
from the message id.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from bot.chat.french import eliding
from bot.chat.po_files import read_translations

LOCALES = ("fr", "en")
DEFAULT_LOCALE = "fr"
DOMAIN = "messages"


def N_(message: str) -> str:
    """Mark a message for extraction where it is declared; it is translated where it is shown."""
    return message


def catalog_path(locale: str) -> str:
    """Where the `.po` file of a language lives in the package."""
    return str(files("bot.chat") / "locales" / locale / "LC_MESSAGES" / f"{DOMAIN}.po")


def _load(locale: str) -> gettext.NullTranslations:
    with open(catalog_path(locale), encoding="utf-8") as po_file:
        return read_translations(po_file.read())


def pick_locale(*candidates: str | None) -> str:
    """The first supported language among candidates (`en-GB` counts as `en`), else French."""
    for candidate in candidates:
        if candidate:
            short = candidate.replace("_", "-").split("-")[0].lower()
            if short in LOCALES:
                return short
    return DEFAULT_LOCALE


@dataclass(frozen=True, slots=True)
class Translator:
    """Messages in one language."""

    locale: str
    _translations: gettext.NullTranslations

    def _(self, message: str) -> str:
        """Translate a message (French may elide before a name: see `bot.chat.french`)."""
        return eliding(self._translations.gettext(message))

    def ngettext(self, singular: str, plural: str, n: int, *, zero: str | None = None) -> str:
        """Translate a message that depends on a count; `zero` (marked with `N_`) is said
        instead when there is none ("Nobody is coming yet.", never "0 person is coming")."""
        if n == 0 and zero is not None:
            return eliding(self._translations.gettext(zero))
        return eliding(self._translations.ngettext(singular, plural, n))


@cache
def translator(locale: str) -> Translator:
    """The translator of a supported language (catalogs are read once)."""
    chosen = pick_locale(locale)
    return Translator(chosen, _load(chosen))
