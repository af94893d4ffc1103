"""Full-text search of the tutorial base: SQLite FTS5 or PostgreSQL tsvector, one interface.

SQLite keeps an FTS5 table (`tutorial_index`, rowid = tutorial id) holding the stems that
`skills.text_search` computes, one column per field. PostgreSQL keeps a generated, GIN-indexed
`tutorials.search_vector` built with the `samu_french`/`samu_english` configurations (the
built-in Snowball stemmers behind `unaccent`). Both rank title > skills > problem > steps.
A vocabulary of folded words (`tutorial_words`) lets the layer above fix typos in queries.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Protocol

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.search import SearchQuery
from skills.text_search import index_words, stemmed_text
from storage.models import TutorialModel
from storage.models import TutorialWordModel as Word
from storage.repositories._upsert import insert_for

# Database objects the migrations create for search and the models do not describe.
SEARCH_OBJECTS = frozenset({"tutorial_index", "search_vector", "ix_tutorials_search_vector"})
FTS5_COLUMN_WEIGHTS = "10.0, 5.0, 2.0, 1.0, 0.0"  # title, skills, problem, steps, tags
PUBLIC = ("published", "outdated")  # what members can find
# A very common word can match most of the base: only its newest matches are ranked, which
# bounds the cost of ranking (BM25 / ts_rank read every candidate) whatever the base's size.
RANK_WINDOW = 2000


def is_search_object(name: str | None) -> bool:
    """Whether a table, column or index belongs to the search machinery (FTS5 shadow tables too)."""
    return name is not None and (name in SEARCH_OBJECTS or name.startswith("tutorial_index_"))


def include_in_schema(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic's `include_object` hook: the search objects are managed by hand."""
    return not is_search_object(name)


class TutorialSearch(Protocol):
    """Index tutorials and find them again."""

    async def index(self, tutorial_id: int) -> None:
        """(Re)index one tutorial after it was written or changed."""

    async def find(self, query: SearchQuery) -> list[int]:
        """Tutorial numbers matching the query, best first."""

    async def known_words(self, words: Collection[str]) -> set[str]:
        """Which of these folded words occur somewhere in the base."""

    async def words_near(self, word: str, max_distance: int) -> list[str]:
        """Words of the base that could be `word` misspelt (same first letter, similar length)."""


class _Search:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _row(self, tutorial_id: int) -> TutorialModel | None:
        return await self._session.get(TutorialModel, tutorial_id)

    async def _add_words(self, row: TutorialModel) -> None:
        # Public entries only: a draft may still hold personal data (a name would otherwise
        # come back as a "typo fix" to someone's query).
        found = sorted(
            {
                word
                for field in (row.title, row.skills_text, row.problem, row.solution)
                for word in index_words(field)
            }
        )
        if found:
            await self._session.execute(
                insert_for(self._session, Word.__table__).on_conflict_do_nothing(  # type: ignore[arg-type]
                    index_elements=["word"]
                ),
                [{"word": word} for word in found],
            )

    async def known_words(self, words: Collection[str]) -> set[str]:
        if not words:
            return set()
        rows = await self._session.scalars(select(Word.word).where(Word.word.in_(list(words))))
        return set(rows)

    async def words_near(self, word: str, max_distance: int) -> list[str]:
        first = word[0]
        rows = await self._session.scalars(
            select(Word.word).where(
                Word.word >= first,
                Word.word < chr(ord(first) + 1),
                Word.word != word,
                func.length(Word.word).between(len(word) - max_distance, len(word) + max_distance),
            )
        )
        return list(rows)

    def _filters(self, query: SearchQuery) -> tuple[str, dict[str, Any]]:
        """SQL conditions on `t` (the tutorials table): skills and themes, as key lookups."""
        clauses = ["t.status IN :statuses"]
        params: dict[str, Any] = {"statuses": list(PUBLIC)}
        if query.skill_slugs:
            clauses.append(
                "EXISTS (SELECT 1 FROM tutorial_skills ts JOIN skills s ON s.id = ts.skill_id "
                "WHERE ts.tutorial_id = t.id AND s.slug IN :slugs)"
            )
            params["slugs"] = list(query.skill_slugs)
        if query.themes:
            clauses.append(
                "EXISTS (SELECT 1 FROM tutorial_themes th "
                "WHERE th.tutorial_id = t.id AND th.theme IN :themes)"
            )
            params["themes"] = list(query.themes)
        return " AND ".join(clauses), params

    async def _run(self, sql: str, params: dict[str, Any]) -> list[int]:
        statement = text(sql)
        for name in ("statuses", "slugs", "themes"):
            if name in params:
                statement = statement.bindparams(bindparam(name, expanding=True))
        return list(await self._session.scalars(statement, params))

    async def _browse(self, query: SearchQuery) -> list[int]:
        """No words: the most useful entries that pass the filters (walks the
        `(helped_count, id)` index and stops at the first `limit` that pass)."""
        where, params = self._filters(query)
        params["limit"] = query.limit
        if self._session.get_bind().dialect.name == "sqlite":
            # `+`: without statistics SQLite would pick the status index and sort everything
            where = where.replace("t.status IN", "+t.status IN", 1)
        return await self._run(
            f"SELECT t.id FROM tutorials t WHERE {where} "
            "ORDER BY t.helped_count DESC, t.id DESC LIMIT :limit",
            params,
        )


class SqliteSearch(_Search):
    """FTS5 over stems computed in Python."""

    async def index(self, tutorial_id: int) -> None:
        """Store the tutorial's stems in the FTS5 table."""
        await self._session.execute(
            text("DELETE FROM tutorial_index WHERE rowid = :id"), {"id": tutorial_id}
        )
        row = await self._row(tutorial_id)
        if row is None or row.status not in PUBLIC:
            return
        await self._add_words(row)
        language = row.language
        await self._session.execute(
            text(
                "INSERT INTO tutorial_index (rowid, title, skills, problem, steps, tags) "
                "VALUES (:id, :title, :skills, :problem, :steps, :tags)"
            ),
            {
                "id": tutorial_id,
                "title": stemmed_text(row.title, language),
                # skill labels are indexed in both languages: French and English stems
                "skills": stemmed_text(row.skills_text, "fr")
                + " "
                + stemmed_text(row.skills_text, "en"),
                "problem": stemmed_text(row.problem, language),
                "steps": stemmed_text(row.solution, language),
                "tags": " ".join(await self._tags(tutorial_id)),
            },
        )

    async def _tags(self, tutorial_id: int) -> list[str]:
        skills = await self._session.scalars(
            text(
                "SELECT s.slug FROM tutorial_skills ts JOIN skills s ON s.id = ts.skill_id "
                "WHERE ts.tutorial_id = :id"
            ),
            {"id": tutorial_id},
        )
        themes = await self._session.scalars(
            text("SELECT theme FROM tutorial_themes WHERE tutorial_id = :id"), {"id": tutorial_id}
        )
        return [*(tag("skill", slug) for slug in skills), *(tag("theme", t) for t in themes)]

    async def find(self, query: SearchQuery) -> list[int]:
        """Match stems in FTS5, ranked by BM25 with column weights."""
        if not query.terms:
            return await self._browse(query)
        joiner = " AND " if query.match_all else " OR "
        words = joiner.join(
            "(" + " OR ".join(f'"{stem}"' for stem in term.stems()) + ")" for term in query.terms
        )
        match = " AND ".join([f"({words})", *self._tag_filters(query)])
        # FTS5 walks the matches newest first and stops after the window: BM25 is computed
        # for those only, then the best are kept.
        return await self._run(
            f"SELECT id FROM (SELECT rowid AS id, bm25(tutorial_index, {FTS5_COLUMN_WEIGHTS}) "
            "AS score FROM tutorial_index WHERE tutorial_index MATCH :match "
            "ORDER BY rowid DESC LIMIT :window) ORDER BY score, id DESC LIMIT :limit",
            {"match": match, "limit": query.limit, "window": RANK_WINDOW},
        )

    @staticmethod
    def _tag_filters(query: SearchQuery) -> list[str]:
        """Skill and theme filters as FTS5 column queries on the `tags` column."""
        groups = [
            [tag("skill", slug) for slug in query.skill_slugs],
            [tag("theme", theme) for theme in query.themes],
        ]
        return [
            "tags : (" + " OR ".join(f'"{name}"' for name in names) + ")"
            for names in groups
            if names
        ]


def tag(kind: str, slug: str) -> str:
    """One token of the FTS5 `tags` column (`skill_impots_gouv`, `theme_sante`)."""
    return f"{kind}_{slug.replace('-', '_')}"


class PostgresSearch(_Search):
    """A generated tsvector column with a GIN index; PostgreSQL stems the query itself."""

    async def index(self, tutorial_id: int) -> None:
        """The vector is a generated column: only the vocabulary needs updating."""
        row = await self._row(tutorial_id)
        if row is not None and row.status in PUBLIC:
            await self._add_words(row)

    async def find(self, query: SearchQuery) -> list[int]:
        """Match with PostgreSQL's own stemming, ranked by ts_rank (weights A > B > C > D)."""
        if not query.terms:
            return await self._browse(query)
        params: dict[str, Any] = {}
        groups = []
        for i, term in enumerate(query.terms):
            alternatives = []
            for j, form in enumerate(term.forms):
                name = f"w{i}_{j}"
                params[name] = form
                alternatives.append(
                    f"plainto_tsquery('samu_french', :{name}) || "
                    f"plainto_tsquery('samu_english', :{name})"
                )
            groups.append("(" + " || ".join(alternatives) + ")")
        tsquery = (" && " if query.match_all else " || ").join(groups)
        where, filters = self._filters(query)
        params.update(filters, limit=query.limit, window=RANK_WINDOW)
        # A generic plan (asyncpg prepares statements) cannot know how rare the words are and
        # walks the whole table by number; plan each search for its own words.
        await self._session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        return await self._run(
            f"WITH found AS (SELECT {tsquery} AS q) "
            "SELECT t.id FROM tutorials t, found WHERE t.id IN ("
            "SELECT t.id FROM tutorials t, found "
            f"WHERE t.search_vector @@ found.q AND {where} ORDER BY t.id DESC LIMIT :window) "
            "ORDER BY ts_rank(t.search_vector, found.q) DESC, t.id DESC LIMIT :limit",
            params,
        )


def search_for(session: AsyncSession) -> TutorialSearch:
    """The search implementation of the session's database."""
    if session.get_bind().dialect.name == "postgresql":
        return PostgresSearch(session)
    return SqliteSearch(session)


async def forget_index(session: AsyncSession, tutorial_id: int) -> None:
    """Drop a tutorial from the SQLite index (PostgreSQL's goes with the row)."""
    if session.get_bind().dialect.name != "postgresql":
        await session.execute(
            text("DELETE FROM tutorial_index WHERE rowid = :id"), {"id": tutorial_id}
        )


__all__ = [
    "SEARCH_OBJECTS",
    "PostgresSearch",
    "SearchQuery",
    "SqliteSearch",
    "TutorialSearch",
    "forget_index",
    "include_in_schema",
    "is_search_object",
    "search_for",
    "tag",
]
