"""Read a `.po` catalog into `gettext` translations, without Babel's catalog machinery.

Every start (and every `samu --help`) reads the catalogs; `babel.messages` costs more to
import than our catalogs cost to read, so this module reads them itself. It knows what
`pybabel update` writes: comments, `#, fuzzy` flags, obsolete `#~` entries, `msgctxt`,
plurals, strings split over several quoted lines and the C escapes. Like Babel's `write_mo`
without `use_fuzzy`, fuzzy and untranslated entries are left out (the message id is shown),
and an empty plural form falls back to the id's form. The result is the binary `.mo` form,
read back by `gettext.GNUTranslations` (which applies the `Plural-Forms` header).
"""

from __future__ import annotations

import gettext
import re
import struct
from dataclasses import dataclass, field
from io import BytesIO

_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")\s*$")
_ESCAPE = re.compile(r"\\(.)")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}
_MO_MAGIC = 0x950412DE


class PoSyntaxError(ValueError):
    """A line of a `.po` file this reader does not understand."""


@dataclass
class PoEntry:
    """One message: its context, its id (and plural id), its strings by plural form."""

    context: str | None = None
    ids: list[str] = field(default_factory=list)
    strings: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False

    def translated(self) -> bool:
        """Whether any form has a translation."""
        return bool(self.ids) and any(self.strings.values())


def _unquote(quoted: str, line_number: int) -> str:
    if len(quoted) < 2 or not (quoted.startswith('"') and quoted.endswith('"')):
        raise PoSyntaxError(f"line {line_number}: expected a quoted string")

    def replace(match: re.Match[str]) -> str:
        return _ESCAPES.get(match[1], match[0])

    return _ESCAPE.sub(replace, quoted[1:-1])


def parse_po(text: str) -> list[PoEntry]:
    """The entries of a `.po` text, the header (empty id) included."""
    entries: list[PoEntry] = []
    entry = PoEntry()
    target: tuple[str, int] | None = None  # the field that continuation lines extend

    def finish() -> None:
        nonlocal entry, target
        if entry.ids:
            entries.append(entry)
        entry, target = PoEntry(), None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            continue  # obsolete entry, never compiled
        elif line.startswith("#,"):
            if entry.strings:
                finish()
            entry.fuzzy = "fuzzy" in (flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if target is None:
                raise PoSyntaxError(f"line {number}: a string continues nothing")
            _extend(entry, target, _unquote(line, number))
        else:
            match = _KEYWORD.match(line)
            if match is None:
                raise PoSyntaxError(f"line {number}: cannot read {line[:40]!r}")
            keyword, index, quoted = match[1], match[2], _unquote(match[3], number)
            if keyword in ("msgctxt", "msgid") and entry.strings:
                finish()  # a new entry without a blank line before it
            if keyword == "msgctxt":
                entry.context, target = quoted, ("msgctxt", 0)
            elif keyword in ("msgid", "msgid_plural"):
                entry.ids.append(quoted)
                target = ("msgid", len(entry.ids) - 1)
            else:
                position = int(index) if index is not None else 0
                entry.strings[position] = quoted
                target = ("msgstr", position)
    finish()
    return entries


def _extend(entry: PoEntry, target: tuple[str, int], more: str) -> None:
    kind, position = target
    if kind == "msgctxt":
        entry.context = (entry.context or "") + more
    elif kind == "msgid":
        entry.ids[position] += more
    else:
        entry.strings[position] += more


def _mo_pair(entry: PoEntry) -> tuple[bytes, bytes]:
    key = "\x00".join(entry.ids)
    if entry.context is not None:
        key = entry.context + "\x04" + key
    if len(entry.ids) > 1:
        forms = [
            entry.strings.get(i) or entry.ids[min(i, 1)]
            for i in range(max(entry.strings, default=0) + 1)
        ]
        value = "\x00".join(forms)
    else:
        value = entry.strings.get(0, "")
    return key.encode(), value.encode()


def compile_mo(entries: list[PoEntry]) -> bytes:
    """The `.mo` bytes of the entries that are translated and not fuzzy (header always)."""
    kept = [e for e in entries if e.ids == [""] or (e.translated() and not e.fuzzy)]
    pairs = sorted(_mo_pair(e) for e in kept)
    keys_start = 7 * 4 + 16 * len(pairs)
    values_start = keys_start + sum(len(key) + 1 for key, _ in pairs)
    key_index: list[int] = []
    value_index: list[int] = []
    key_offset = value_offset = 0
    for key, value in pairs:
        key_index += [len(key), keys_start + key_offset]
        value_index += [len(value), values_start + value_offset]
        key_offset += len(key) + 1
        value_offset += len(value) + 1
    header = struct.pack("<7I", _MO_MAGIC, 0, len(pairs), 7 * 4, 7 * 4 + 8 * len(pairs), 0, 0)
    index = struct.pack(f"<{len(key_index) + len(value_index)}I", *key_index, *value_index)
    keys = b"".join(key + b"\x00" for key, _ in pairs)
    values = b"".join(value + b"\x00" for _, value in pairs)
    return header + index + keys + values


def read_translations(text: str) -> gettext.GNUTranslations:
    """The translations of a `.po` text (UTF-8, as our catalogs declare)."""
    return gettext.GNUTranslations(BytesIO(compile_mo(parse_po(text))))
