"""Reading a national places file row by row, in bounded memory, whatever its size.

CSV: UTF-8 with or without BOM, any line ending, the delimiter of its header line (`,`,
`;`, tab or `|`), quoted fields over several lines; a physical line longer than
`MAX_LINE` characters is skipped (its row reported), so a file of one 2 GB line is read in
pieces of that size. JSON: an array of objects, an object holding one (`{"data": [...]}`),
or a GeoJSON FeatureCollection (what `samu lieux export` writes), streamed with ijson.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

import ijson

MAX_LINE = 1 << 20
KNOWN_FIELDS = frozenset(
    {
        "id", "pivot", "nom", "commune", "code_postal", "code_insee", "adresse",
        "complement_adresse", "latitude", "longitude", "typologie", "telephone", "courriels",
        "courriel", "site_web", "horaires", "presentation_resume", "services",
        "publics_specifiquement_adresses", "frais_a_charge", "modalites_acces",
        "modalites_accompagnement", "prise_rdv", "fiche_acces_libre", "date_maj",
    }
)  # fmt: skip
_DELIMITERS = ",;\t|"


class FileFormat(StrEnum):
    """The formats the national dataset is published in."""

    CSV = "csv"
    JSON = "json"


@dataclass(frozen=True, slots=True)
class RawRow:
    """One row as read: its line (CSV) or position (JSON), its fields by schema name, or
    None when it could not be read at all."""

    line: int
    fields: dict[str, Any] | None


def guess_format(path: Path) -> FileFormat:
    """The format a file's name says (`.json`, `.geojson`; anything else is CSV)."""
    return FileFormat.JSON if path.suffix.lower() in (".json", ".geojson") else FileFormat.CSV


def file_key(path: Path) -> str:
    """What identifies a file between a crashed import and its resumption: its name, size
    and the hash of its first 64 KiB."""
    with path.open("rb") as stream:
        head = hashlib.sha256(stream.read(1 << 16)).hexdigest()[:16]
    return f"{path.name[:120]}:{path.stat().st_size}:{head}"


class _BoundedLines:
    """The physical lines of a text stream, each at most `limit` characters; a longer line
    is read to its end in pieces, dropped, and its number remembered."""

    def __init__(self, text: IO[str], limit: int) -> None:
        self._text = text
        self._limit = limit
        self.number = 0
        self.cut: list[int] = []

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self._text.readline(self._limit)
        if not line:
            raise StopIteration
        self.number += 1
        if len(line) == self._limit and not line.endswith(("\n", "\r")):
            while (rest := self._text.readline(self._limit)) and not rest.endswith(("\n", "\r")):
                pass
            self.cut.append(self.number)
            return "\n"
        return line


def _csv_rows(binary: IO[bytes], max_line: int) -> Iterator[RawRow]:
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="replace", newline="")
    lines = _BoundedLines(text, max_line)
    first = next(lines, "")
    if not first.strip():
        return
    delimiter = max(_DELIMITERS, key=first.count)
    reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader)]
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        if name in KNOWN_FIELDS:
            columns.setdefault(name, index)
    while True:
        start = lines.number + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield RawRow(start, None)
            continue
        if any(number >= start for number in lines.cut):
            lines.cut.clear()
            yield RawRow(start, None)
            continue
        if not any(cell.strip() for cell in record):
            continue
        yield RawRow(
            start,
            {name: record[i] for name, i in columns.items() if i < len(record)},
        )


def _array_prefix(binary: IO[bytes]) -> str | None:
    """Where the objects are: `item` (a top-level array), or `KEY.item` for the first array
    held by the top-level object (`data`, GeoJSON's `features`…)."""
    for prefix, event, _value in ijson.parse(binary):
        if prefix == "" and event == "start_array":
            return "item"
        if prefix and "." not in prefix and event == "start_array":
            return f"{prefix}.item"
        if prefix == "" and event == "end_map":
            return None
    return None


def _flatten(item: Any) -> dict[str, Any] | None:
    if not isinstance(item, dict):
        return None
    if item.get("type") == "Feature" and isinstance(item.get("properties"), dict):
        fields = dict(item["properties"])
        geometry = item.get("geometry")
        coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if isinstance(coordinates, list) and len(coordinates) == 2:
            fields.setdefault("longitude", coordinates[0])
            fields.setdefault("latitude", coordinates[1])
        item = fields
    return {str(key).strip().lower(): value for key, value in item.items()}


def _json_rows(binary: IO[bytes]) -> Iterator[RawRow]:
    position = 0
    try:
        prefix = _array_prefix(binary)
        if prefix is None:
            return
        binary.seek(0)
        for position, item in enumerate(ijson.items(binary, prefix, use_float=True), start=1):
            yield RawRow(position, _flatten(item))
    except (ijson.JSONError, ValueError, UnicodeDecodeError):
        yield RawRow(position + 1, None)


def read_rows(binary: IO[bytes], fmt: FileFormat, *, max_line: int = MAX_LINE) -> Iterator[RawRow]:
    """The rows of a places file, one at a time (the stream must be seekable for JSON)."""
    if fmt is FileFormat.JSON:
        return _json_rows(binary)
    return _csv_rows(binary, max_line)
