"""What a search of the tutorial base asks (built by the core, answered by `storage.search`)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from skills.text_search import QueryTerm


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What to look for among public entries: words (all or any), filters on skills, themes."""

    terms: Sequence[QueryTerm] = ()
    match_all: bool = True
    skill_slugs: Collection[str] = ()
    themes: Collection[str] = ()
    limit: int = 10
