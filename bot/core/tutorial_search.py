"""Finding tutorials: `/tuto` searches, and suggestions before a request is posted.

A query is split into `#tags` (a skill or a theme: filters) and words. Each word must
match (accents, case and endings do not matter); a word the base does not know is also
tried as the closest known word, so "wordpres" finds "WordPress". When all the words
together find nothing, entries matching some of them are offered as close matches.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.services import Services
from bot.core.types import Tutorial
from domain.search import SearchQuery
from skills import SkillMatcher, fold
from skills.taxonomy import THEMES
from skills.text_search import QueryTerm, query_words, stem_in, typo_distance
from storage.db import UnitOfWork

SUGGESTIONS = 3
_CANDIDATES = 12


@dataclass(frozen=True, slots=True)
class Found:
    """Search results: the tutorials, the typo fixes made, and whether all words matched."""

    tutorials: list[Tutorial]
    corrections: dict[str, str] = field(default_factory=dict)
    exact: bool = True
    skills: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()


def _tags(matcher: SkillMatcher, text: str) -> tuple[list[str], list[str], str]:
    """Split `#tag` filters (skills, themes) from the words of a query."""
    skills: list[str] = []
    themes: list[str] = []
    rest: list[str] = []
    for token in text.split():
        if not token.startswith("#") or len(token) < 2:
            rest.append(token)
            continue
        tag = fold(token[1:]).replace(" ", "-")
        if tag in THEMES:
            themes.append(tag)
        elif (match := matcher.match(token[1:].replace("-", " "))) is not None:
            skills.append(match.skill.slug)
        else:
            rest.append(token[1:])
    return skills, themes, " ".join(rest)


async def _terms(uow: UnitOfWork, words: list[str]) -> tuple[list[QueryTerm], dict[str, str]]:
    """One term per word; a word unknown to the base also tries its closest known word."""
    known = await uow.tutorials.search.known_words(words)
    terms: list[QueryTerm] = []
    corrections: dict[str, str] = {}
    for word in words:
        allowed = typo_distance(word)
        if word in known or not allowed:
            terms.append(QueryTerm((word,)))
            continue
        candidates = await uow.tutorials.search.words_near(word, allowed)
        best = _closest(word, candidates, allowed)
        if best is None:
            terms.append(QueryTerm((word,)))
        else:
            corrections[word] = best
            terms.append(QueryTerm((word, best)))
    return terms, corrections


def _closest(word: str, candidates: list[str], allowed: int) -> str | None:
    # rapidfuzz (~4 MB of compiled code) is loaded by the first search that needs it.
    from rapidfuzz.distance import OSA

    scored = sorted(
        (OSA.distance(word, candidate, score_cutoff=allowed), candidate) for candidate in candidates
    )
    return scored[0][1] if scored and scored[0][0] <= allowed else None


async def search(services: Services, text: str, *, limit: int = 10) -> Found:
    """Published tutorials for a query (words and `#skill`/`#theme` filters), best first
    (read only)."""
    skills, themes, rest = _tags(services.matcher, text)
    words = query_words(rest)
    async with services.reader()() as uow:
        terms, corrections = await _terms(uow, words)
        query = SearchQuery(terms=terms, skill_slugs=skills, themes=themes, limit=limit)
        ids = await uow.tutorials.search.find(query)
        exact = True
        if not ids and len(terms) > 1:
            ids = await uow.tutorials.search.find(
                SearchQuery(
                    terms=terms, match_all=False, skill_slugs=skills, themes=themes, limit=limit
                )
            )
            exact = False
        found = await uow.tutorials.get_many(ids)
    return Found(found, corrections, exact, tuple(skills), tuple(themes))


def _stems(text: str) -> set[str]:
    return {stem_in(language, word) for word in query_words(text, 200) for language in ("fr", "en")}


async def suggest(services: Services, text: str) -> list[Tutorial]:
    """Up to 3 published tutorials close enough to a request to be worth reading first.

    A candidate shares at least two meaningful words with the request (its title, problem
    or skill names), or one for a request of one or two words. One query when nothing matches.
    """
    if not query_words(text):
        return []
    async with services.uow() as uow:
        return await suggest_in(uow, text)


async def suggest_in(uow: UnitOfWork, text: str) -> list[Tutorial]:
    """`suggest` inside an open unit of work (read only)."""
    words = query_words(text)
    if not words:
        return []
    # No typo fixing here: a request has enough words, and this runs on every request.
    terms = [QueryTerm((word,)) for word in words]
    ids = await uow.tutorials.search.find(
        SearchQuery(terms=terms, match_all=False, limit=_CANDIDATES)
    )
    candidates = await uow.tutorials.get_many(ids)
    needed = 1 if len(words) <= 2 else 2
    chosen = [
        tutorial
        for tutorial in candidates
        if sum(bool(set(term.stems()) & _stems(_described(tutorial))) for term in terms) >= needed
    ]
    return chosen[:SUGGESTIONS]


def _described(tutorial: Tutorial) -> str:
    labels = " ".join(f"{s.label_fr} {s.label_en}" for s in tutorial.skills)
    return f"{tutorial.title} {tutorial.problem} {labels}"
