"""Every French message, rendered with sample names, counts and dates, follows docs/style.md.

The catalog is read as it ships; each message is formatted the way the bot formats it (with
the elision specs of `bot.chat.french`), once with names starting with a vowel and once with
names starting with a consonant, with counts 0, 1 and many.
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import read_po

from bot.chat.dates import day_text
from bot.chat.french import de, eliding, que
from bot.chat.i18n import catalog_path, translator

ROOT = Path(__file__).parents[2]

# Placeholders that hold a number; every other one may hold a name.
COUNTS = frozenset(
    {"n", "count", "helpers", "files", "requests", "messages", "asked", "accepted", "rejected",
     "read", "limit", "length", "id", "tutorial", "minutes", "days", "uses", "total", "kept",
     "months", "removed", "trimmed", "line", "size", "max_size", "changed", "skipped"}
)  # fmt: skip
# Placeholders that are never a person's or a place's name (numbers "#3", dates, commands,
# whole phrases made by the code, technical values): "de {what}" is fine for them.
NOT_NAMES = frozenset(
    {"number", "date", "when", "first", "last", "since", "until", "command", "example",
     "usage", "what", "time", "day", "hours", "status", "urgency", "level", "answer", "trend",
     "claim", "solution", "value", "error", "path", "out", "url", "code", "link", "version",
     "revision", "head", "current", "field", "fields", "chart", "source", "flows", "months",
     "buckets", "skills", "sessions", "structures", "items", "words", "names", "known",
     "numbers", "label", "licence", "service", "category", "kind", "detail", "details",
     "text", "title", "reason", "fingerprint", "device", "homeserver", "encryption", "format",
     "people", "place", "agenda", "notes", "heading", "distance", "phone", "address",
     "requests", "helpers", "typed", "skill", "theme", "themes", "audience", "stars",
     "author", "request", "n", "count"}
)  # fmt: skip
VOWEL_NAMES = {"name": "Amina", "other": "Émile"}
CONSONANT_NAMES = {"name": "Karim", "other": "Sophie"}
SAMPLE_DAY = day_text(date(2026, 10, 1), "fr")

# Messages identical in French and English, on purpose (command syntax, product names).
SAME_IN_BOTH = frozenset(
    {"N [thanks]", "Matrix: {user} on {homeserver} (encryption: {encryption})."}
)


def _catalog() -> list[Message]:
    with open(catalog_path("fr"), "rb") as po_file:
        return [entry for entry in read_po(po_file) if entry.id]


CATALOG = _catalog()


def _fields(text: str) -> list[tuple[str, str]]:
    return [(name, spec or "") for _, name, spec, _ in string.Formatter().parse(text) if name]


class _Values(dict[str, object]):
    """A sample value for any placeholder: a count, a day, or a name."""

    def __init__(self, names: dict[str, str], count: int) -> None:
        super().__init__()
        self.names = names
        self.count = count

    def __missing__(self, key: str) -> object:
        if key in ("n", "count"):
            return self.count
        if key in COUNTS:
            return 3  # the other counts of a message (its files, its helpers…)
        if key in ("date", "since", "first", "last", "until", "when", "day"):
            return SAMPLE_DAY
        if key in NOT_NAMES:
            return "votre texte"
        return self.names["name"] if key not in ("other", "who") else self.names["other"]


def _texts(entry: Message) -> tuple[str, ...]:
    """The French texts of a message: one, or one per plural form."""
    assert entry.string is not None, entry.id
    return (entry.string,) if isinstance(entry.string, str) else tuple(entry.string)


def _renderings(entry: Message) -> Iterator[tuple[str, int, str]]:
    """(the names' initial, the count, the French text) for every sample."""
    strings = _texts(entry)
    for initial, names in (("vowel", VOWEL_NAMES), ("consonant", CONSONANT_NAMES)):
        if len(strings) == 1:
            for count in (1, 3):
                yield initial, count, eliding(strings[0]).format_map(_Values(names, count))
        else:
            yield initial, 1, eliding(strings[0]).format_map(_Values(names, 1))
            yield initial, 3, eliding(strings[1]).format_map(_Values(names, 3))


def _ids(entry: Message) -> str:
    return entry.id if isinstance(entry.id, str) else entry.id[0]


@pytest.fixture(scope="module")
def rendered() -> list[tuple[str, str, int, str]]:
    return [
        (_ids(entry), initial, count, text)
        for entry in CATALOG
        for initial, count, text in _renderings(entry)
    ]


def test_the_elision_helper() -> None:
    assert de("Amina") == "d'Amina" and de("Émile") == "d'Émile" and de("Karim") == "de Karim"
    assert de("Hugo") == "d'Hugo" and de("Hakim") == "de Hakim" and de("Yasmine") == "de Yasmine"
    assert de("Œnone") == "d'Œnone" and de("37000") == "de 37000" and de(" Ilan ") == "d'Ilan"
    assert que("Amina") == "qu'Amina" and que("@samu:example.org") == "que @samu:example.org"
    fr, en = translator("fr"), translator("en")
    message = "Message from {name} about request {number}:"
    assert (
        fr._(message).format(name="Élodie", number="#3").startswith("Message de la part d'Élodie")
    )
    assert en._(message).format(name="Amina", number=3) == "Message from Amina about request 3:"


def test_no_de_or_que_before_a_name_placeholder() -> None:
    """ "de {name}" cannot be right for both Amina and Karim: the catalog uses `{name:de}`."""
    wrong = [
        (_ids(entry), match[0])
        for entry in CATALOG
        for text in _texts(entry)
        for match in re.finditer(r"\b(?:de|que|De|Que) \{(\w+)\}", text)
        if match[1] not in NOT_NAMES and match[1] not in COUNTS
    ]
    assert wrong == []


def test_names_are_elided_before_a_vowel_and_only_then(
    rendered: list[tuple[str, str, int, str]],
) -> None:
    wrong = [
        (message, text)
        for message, initial, _count, text in rendered
        if re.search(r"\b(?:de|que|De|Que) (?:Amina|Émile)\b", text)
        or re.search(r"\b(?:d|qu)'(?:Karim|Sophie)\b", text)
    ]
    assert wrong == []


def test_no_word_is_left_unelided(rendered: list[tuple[str, str, int, str]]) -> None:
    """ "de un", "que il", "je ai", "le écran" are typos in the catalog's own words."""
    pattern = re.compile(
        r"(?<![\w'])(?:de|que|je|ne|me|te|se|le|la|si) (?:un|une|il|elle|ils|elles|on|a|ai|"
        r"avez|avons|est|était|es|une?s?|écran|image|adresse|aide|après|accord|autre|"
        r"autres|avance|ordre|heure|heures|index|équipe|étape|étapes|être|avoir|abord)\b",
        re.IGNORECASE,
    )
    allowed = {"que il y a", "si elle", "si elles", "si on", "si un", "si une", "le a"}
    wrong = [
        (message, match[0])
        for message, _initial, _count, text in rendered
        for match in pattern.finditer(text)
        if match[0].lower() not in allowed and not match[0].lower().startswith("si ")
    ]
    assert wrong == []


# ngettext calls whose count is never 0, and why (everything else passes `zero=`).
NEVER_ZERO = {
    "{n} tutorial exported to {out} ({files} files).": "zero= given",
    "{n} file of the previous export removed.": "only printed when something was removed",
    "{n} file.": "a report always has its page and charts",
    "It helped {n} person.": "only shown when helped_count > 0",
    "This helped {count} person.": "the exports show it only when helped_count > 0",
    "{count} tutorial found": "rendered for 1 and 2 only (the search page's templates)",
    "With your file: {names}.": "file_lines returns nothing without files",
    "I keep your file {names} for your request.": "called with the files just received",
    "{name} sent you a file about request {number}.": "only when the message has files",
    "I am sending it to {n} person who knows this.": "Step.OFFERED means at least one offer",
    "How long: the texts of a request are erased {n} month after it is closed.":
        "[privacy] retention_months is at least 1",
    "{n} request": "a skill gap is a skill asked at least once",
    "You can try again in {n} minute.": "max(1, …) minutes",
    "{n} invitation code is usable:": "the empty list has its own message",
    "It is valid for {n} day.": "--expires-days / [invites] expires_days is at least 1",
    "It works for {n} person.": "uses is at least 1",
    "{n} member:": "the empty network has its own message",
    "{n} skill proposed by members awaits review.": "only shown when some are proposed",
    "Reminder: the exchange session is in {n} day.": "reminder_days are at least 1",
    "Resumed an interrupted import after {n} row.": "only said when rows were skipped",
    "{n} kept without a wrong field.": "only said when some were",
    "{n} place without coordinates is not on the map.": "only said when some are",
    "{n} broader or narrower skill was looked for too, at half weight.":
        "/pourquoi says it only when relatives were looked for",
}  # fmt: skip


def test_a_count_before_a_noun_is_a_plural_message() -> None:
    """ "{n} lieux écrits" reads "0 lieux écrits" and "1 lieux écrits": use ngettext."""
    nouns = re.compile(r"(?<!#)\{(\w+)\} (?!fois\b|h\b|j\b|ko\b|au\b|%)[a-zéèêà]{2,}")
    always_many = {  # the count is never 0 nor 1 there, or the field holds words
        "Member #{id} ({name}) forgotten: {requests} and {messages} erased.",  # phrases
        "No tutorial exported to {out} ({files} files).",  # the index and the manifest
        "Skill taxonomy {version}: {n} skills.",  # over a hundred
        "Telegram webhook: secret token set ({n} characters).",  # 32 at least
        "Telegram webhook: the secret token is too short ({n} characters).",  # said from 2
        "your {n} files",  # a single file is named instead
        "your {n} pictures",
    }
    wrong = [
        text
        for entry in CATALOG
        if isinstance(entry.id, str) and entry.id not in always_many
        for text in _texts(entry)
        for match in nouns.finditer(text)
        if match[1] in COUNTS - {"id", "tutorial", "limit", "length"}
        and not re.search(r"(?:change|edit) \{n\}|^\{n\} (?:name|your message)$", entry.id)
        # ↑ the number in an example command line (`/assigner 12 nom`), not a count
    ]
    assert wrong == []


def _ngettext_calls() -> Iterator[tuple[str, str, bool, str | None]]:
    """(file, singular, has zero=, the zero message) of every ngettext call in bot/."""
    for path in (ROOT / "bot").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "ngettext"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                zero = next((k.value for k in node.keywords if k.arg == "zero"), None)
                zero_text = None
                if isinstance(zero, ast.Call) and zero.args:
                    first = zero.args[0]
                    if isinstance(first, ast.Constant) and isinstance(first.value, str):
                        zero_text = first.value
                yield path.name, str(node.args[0].value), zero is not None, zero_text


def test_every_count_says_zero_in_words_or_cannot_be_zero() -> None:
    calls = list(_ngettext_calls())
    assert len(calls) > 15
    unhandled = [
        (file, singular)
        for file, singular, has_zero, _ in calls
        if not has_zero and singular not in NEVER_ZERO
    ]
    assert unhandled == [], "pass zero=N_(…) or say in NEVER_ZERO why it cannot be 0"
    french = translator("fr")
    for _file, _singular, _has_zero, zero_text in calls:
        if zero_text is not None:
            said = french._(zero_text).format_map(_Values(CONSONANT_NAMES, 0))
            assert not re.search(r"(?<![\d,.])0 ", said), said


def test_zero_is_said_in_words() -> None:
    french = translator("fr")
    coming = french.ngettext(
        "{n} person is coming.", "{n} people are coming.", 0, zero="Nobody is coming yet."
    )
    assert coming.format(n=0) == "Personne ne vient pour l'instant."
    assert french.ngettext("{n} person is coming.", "{n} people are coming.", 1).format(n=1) == (
        "1 personne vient."
    )


def test_no_iso_dates_and_the_first_of_the_month(
    rendered: list[tuple[str, str, int, str]],
) -> None:
    assert [text for _, _, _, text in rendered if re.search(r"\b\d{4}-\d\d-\d\d\b", text)] == []
    assert SAMPLE_DAY == "1er octobre 2026"
    assert day_text(date(2027, 1, 7), "fr", "EEEE d MMMM y") == "jeudi 7 janvier 2027"
    assert day_text(date(2027, 4, 1), "fr", "d MMM") == "1er avr."
    assert day_text(date(2027, 4, 1), "en", "d MMM") == "1 Apr"


def test_one_apostrophe_and_no_plural_or_gender_hacks() -> None:
    problems = []
    for entry in CATALOG:
        for text in _texts(entry):
            if "’" in text:
                problems.append(("curly apostrophe", text))
            if re.search(r"\w\((?:s|e|es|x)\)", text):
                problems.append(("(s) plural", text))
            if re.search(r"\b(?:coordinatrice ou|coordinateur ou|aidants?\b)", text):
                problems.append(("gendered wording", text))
            if re.search(r"\w\.(?:e|es)\b", text) or "·es" in text:
                problems.append(("not the singular middle dot", text))
    assert problems == []


def test_nothing_is_left_in_english() -> None:
    untranslated = [
        entry.id
        for entry in CATALOG
        if isinstance(entry.id, str)
        and entry.string == entry.id
        and len(entry.id.split()) > 3
        and entry.id not in SAME_IN_BOTH
    ]
    assert untranslated == []
