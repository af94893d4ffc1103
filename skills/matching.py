"""Match what members type (a skill name, a help request) to taxonomy entries.

:class:`SkillMatcher` builds its indexes once from a :class:`Taxonomy`:
folded labels and aliases, their space-less ("compact") forms, their stemmed
forms, and a list for fuzzy matching with rapidfuzz.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

from skills.normalize import STOP_WORDS, fold, stem, stems
from skills.taxonomy import Skill, SkillKind, Taxonomy, load_taxonomy

__all__ = ["RECOGNISED", "SUGGEST", "SkillMatch", "SkillMatcher", "default_matcher"]

RECOGNISED = 0.85
"""At or above this confidence a phrase is taken to mean the skill."""
SUGGEST = 0.7
"""Between SUGGEST and RECOGNISED a skill is offered as "did you mean"."""

_EXACT, _COMPACT, _STEMMED = 1.0, 0.97, 0.95
_EXACT_ONLY_MAX_LEN = 3  # inputs this short are never stemmed nor fuzzy-matched
_SHORT_LEN = 5  # fuzzy scores of inputs up to this length are damped...
_SHORT_DAMPING = 0.9  # ...so that "cafe" is only a suggestion for "caf"
_EXTRACT_FUZZY = 0.9
_MAX_WINDOW = 6


@dataclass(frozen=True, slots=True)
class SkillMatch:
    """A skill found for some text, how sure we are, and the label/alias that matched."""

    skill: Skill
    confidence: float
    matched: str
    span: tuple[int, int] = (-1, -1)
    """Where it was found in a free sentence (`extract`): first and past-last word of the
    folded text; (-1, -1) for a short phrase."""


@dataclass(frozen=True, slots=True)
class _Form:
    """One searchable form of a skill: its label, an alias or its slug."""

    skill: Skill
    text: str  # as written in the taxonomy, reported back as SkillMatch.matched
    folded: str
    stem_key: str  # "" when the form must not be matched by stems
    in_text: bool  # may be found inside free text by extract()


def _framed(tokens: list[str]) -> bool:
    """Whether a phrase starts and ends with a content (non stop) word."""
    return bool(tokens) and tokens[0] not in STOP_WORDS and tokens[-1] not in STOP_WORDS


def _trim(tokens: list[str]) -> list[str]:
    """Drop the stop words at both ends of a phrase."""
    start, end = 0, len(tokens)
    while start < end and tokens[start] in STOP_WORDS:
        start += 1
    while end > start and tokens[end - 1] in STOP_WORDS:
        end -= 1
    return tokens[start:end]


def _stem_key(folded: str) -> str:
    """Order-insensitive key of the stems of a folded phrase ("" if none)."""
    return " ".join(sorted({stem(word) for word in folded.split() if word not in STOP_WORDS}))


def _sorted_words(folded: str) -> str:
    """A folded phrase with its words in order: what token_sort_ratio compares."""
    return " ".join(sorted(folded.split()))


def _make_form(skill: Skill, text: str) -> _Form:
    folded = fold(text)
    content = stems(folded)
    # Stems only for forms framed by content words: "créer un formulaire"
    # would leave the bare stem of "formulaire" and match any mention of it.
    stemmable = len(folded) >= _SHORT_LEN and bool(content) and _framed(folded.split())
    # Competences are generic ("programmation", "partage"): found in free text
    # only through specific multi-word forms.
    in_text = skill.kind is not SkillKind.COMPETENCE or len(content) >= 2
    return _Form(skill, text, folded, _stem_key(folded) if stemmable else "", in_text)


def _forms(skill: Skill) -> Iterator[_Form]:
    for text in (skill.label_fr, skill.label_en, *skill.aliases):
        form = _make_form(skill, text)
        if form.folded:
            yield form
    # The slug ("digcomp-2-4", "france-titres") is matched exactly, never by stems.
    slug = _make_form(skill, skill.slug)
    yield _Form(skill, skill.slug, slug.folded, "", slug.in_text)


@dataclass(frozen=True)
class _Indexes:
    """The lookups of one taxonomy's forms (see `_build_indexes`)."""

    exact: dict[str, _Form]
    compact: dict[str, _Form]
    stemmed: dict[str, _Form]
    fuzzy_forms: list[_Form]
    fuzzy_choices: list[str]
    # The same choices with their words sorted, so that a phrase is compared with each by
    # plain Indel similarity (token_sort_ratio would sort each choice's words on every call).
    sorted_choices: list[str]
    # Positions of the fuzzy choices by length, to compare a phrase only with the choices
    # long enough and short enough to reach the cutoff (see `SkillMatcher._within_reach`).
    by_length: dict[int, list[int]]
    # The most words a form has (up to `_MAX_WINDOW`): the widest window read in a text.
    window: int
    # For each word that starts a form found in free text, the most words such a form has:
    # the only windows of a text that its exact pass looks up.
    starts: dict[str, int]


def _build_indexes(taxonomy: Taxonomy) -> _Indexes:
    exact: dict[str, _Form] = {}
    compact: dict[str, _Form] = {}
    stemmed: dict[str, _Form] = {}
    ambiguous_stems: set[str] = set()
    for skill in taxonomy:
        for form in _forms(skill):
            exact.setdefault(form.folded, form)
            squeezed = form.folded.replace(" ", "")
            if len(squeezed) > _EXACT_ONLY_MAX_LEN:
                compact.setdefault(squeezed, form)
            if form.stem_key:
                other = stemmed.setdefault(form.stem_key, form)
                if other.skill.slug != skill.slug:
                    ambiguous_stems.add(form.stem_key)
    for key in ambiguous_stems:
        del stemmed[key]
    fuzzy_forms = list(exact.values())
    fuzzy_choices = [form.folded for form in fuzzy_forms]
    by_length: dict[int, list[int]] = {}
    for index, choice in enumerate(fuzzy_choices):
        by_length.setdefault(len(choice), []).append(index)
    window = min(_MAX_WINDOW, max((len(k.split()) for k in exact), default=1))
    sorted_choices = [_sorted_words(choice) for choice in fuzzy_choices]
    starts: dict[str, int] = {}
    for key, form in exact.items():
        if form.in_text:
            first, *rest = key.split()
            starts[first] = min(window, max(starts.get(first, 0), 1 + len(rest)))
    return _Indexes(
        exact,
        compact,
        stemmed,
        fuzzy_forms,
        fuzzy_choices,
        sorted_choices,
        by_length,
        window,
        starts,
    )


class SkillMatcher:
    """Finds taxonomy skills in short phrases and free sentences."""

    def __init__(self, taxonomy: Taxonomy | Callable[[], Taxonomy]) -> None:
        """A matcher over ``taxonomy``, or over what the given function loads the first time the
        taxonomy is read; its indexes are built on first use (a few tenths of a second: a
        command-line action that never reads a text pays for neither)."""
        self._taxonomy = taxonomy if isinstance(taxonomy, Taxonomy) else None
        self._load = taxonomy if not isinstance(taxonomy, Taxonomy) else None
        self._built: _Indexes | None = None
        self._reach: dict[tuple[int, float], tuple[list[int], list[str]]] = {}
        self._extracted = functools.lru_cache(maxsize=512)(self._extract_tuple)
        self._extended = functools.lru_cache(maxsize=4)(self._build_extended)

    @property
    def taxonomy(self) -> Taxonomy:
        """The skills this matcher knows (loaded on first read when given as a function)."""
        if self._taxonomy is None:
            assert self._load is not None
            self._taxonomy = self._load()
        return self._taxonomy

    @property
    def _indexes(self) -> _Indexes:
        if self._built is None:
            self._built = _build_indexes(self.taxonomy)
        return self._built

    def with_skills(self, extra: tuple[Skill, ...]) -> SkillMatcher:
        """A matcher over this taxonomy plus `extra` skills (the network's own), which are
        found in texts like the others; the same matcher when there are none. The last few
        are remembered: the network's skills change rarely."""
        return self._extended(extra) if extra else self

    def _build_extended(self, extra: tuple[Skill, ...]) -> SkillMatcher:
        taxonomy = self.taxonomy
        known = {skill.slug for skill in taxonomy}
        added = tuple(skill for skill in extra if skill.slug not in known)
        return SkillMatcher(
            Taxonomy(version=taxonomy.version, areas=taxonomy.areas, skills=(*taxonomy, *added))
        )

    def _lookup(self, folded: str, *, in_text: bool) -> SkillMatch | None:
        """Exact, compact then stemmed lookup of one folded phrase."""
        candidates: list[tuple[_Form | None, float]] = [(self._indexes.exact.get(folded), _EXACT)]
        if len(folded) > _EXACT_ONLY_MAX_LEN:
            candidates.append((self._indexes.compact.get(folded.replace(" ", "")), _COMPACT))
        if len(folded) >= _SHORT_LEN:
            candidates.append((self._indexes.stemmed.get(_stem_key(folded)), _STEMMED))
            # "la sécu", "l'ANTS": the name without the articles around it.
            trimmed = " ".join(_trim(folded.split()))
            if trimmed != folded:
                candidates.append((self._indexes.exact.get(trimmed), _STEMMED))
        for form, confidence in candidates:
            if form is not None and (form.in_text or not in_text):
                return SkillMatch(form.skill, confidence, form.text)
        return None

    def _fuzzy(self, folded: str, limit: int, cutoff: float) -> list[tuple[_Form, float]]:
        """Best fuzzy candidates with their confidence (several per skill possible)."""
        damping = _SHORT_DAMPING if len(folded) <= _SHORT_LEN else 1.0
        score_cutoff = 100 * cutoff / damping
        reachable, choices = self._within_reach(len(folded), score_cutoff)
        # token_sort_ratio: the Indel similarity of the phrases with their words sorted.
        found = _indel_extract()(
            _sorted_words(folded), choices, limit=limit, score_cutoff=score_cutoff
        )
        return [
            (self._indexes.fuzzy_forms[reachable[i]], round(score / 100 * damping, 4))
            for _, score, i in found
        ]

    def _within_reach(self, length: int, score_cutoff: float) -> tuple[list[int], list[str]]:
        """The choices whose length lets them score `score_cutoff`, and their positions (in
        order; computed once per length and cutoff: a few hundred keys at most, since no
        choice is within reach of a phrase much longer than the longest one).

        token_sort_ratio is the Indel similarity of the sorted words: at least |a - b|
        characters differ between lengths a and b, so its score is at most
        100 · 2·min(a, b) / (a + b); the other choices cannot reach the cutoff.
        """
        key = (length, score_cutoff)
        if key not in self._reach:
            reachable = sorted(
                index
                for other, indexes in self._indexes.by_length.items()
                if 200 * min(length, other) >= score_cutoff * (length + other) - 1e-9
                for index in indexes
            )
            self._reach[key] = (reachable, [self._indexes.sorted_choices[i] for i in reachable])
        return self._reach[key]

    def _candidates(self, phrase: str, limit: int, cutoff: float) -> list[SkillMatch]:
        folded = fold(phrase)
        if not folded:
            return []
        found: list[SkillMatch] = []
        if (hit := self._lookup(folded, in_text=False)) is not None:
            found.append(hit)
        if len(folded) > _EXACT_ONLY_MAX_LEN:
            fuzzy = self._fuzzy(folded, limit * 4 + 4, cutoff)
            found.extend(SkillMatch(form.skill, score, form.text) for form, score in fuzzy)
        return _best_per_skill(found)[:limit]

    def match(self, phrase: str) -> SkillMatch | None:
        """Return the skill a short phrase names, if recognised (confidence >= RECOGNISED)."""
        best = self._candidates(phrase, 1, RECOGNISED)
        return best[0] if best else None

    def suggest(self, phrase: str, limit: int = 3) -> list[SkillMatch]:
        """Return up to ``limit`` "did you mean" candidates, best first (confidence >= SUGGEST)."""
        return self._candidates(phrase, limit, SUGGEST) if limit > 0 else []

    def extract(self, text: str) -> list[SkillMatch]:
        """:meth:`find_in_text`, remembered for the last few hundred texts: a request's text
        is read when it is sent and again each time it is matched."""
        return list(self._extracted(text))

    def find_in_text(self, text: str) -> list[SkillMatch]:
        """Return every tool, service (or specifically named competence) in a free sentence.

        Windows of 1 to a few words are looked up exactly first, then by stems,
        then fuzzily (windows of 5+ characters, high bar). Overlapping hits are
        settled in favour of the one with more content words, then the longer
        one; a word serves one match only. One match per skill, best first.
        """
        tokens = fold(text).split()
        used = [False] * len(tokens)
        found: list[SkillMatch] = []
        for exact_pass in (True, False):
            hits: list[tuple[int, int, int, SkillMatch]] = []
            windows = self._exact_windows if exact_pass else self._framed_windows
            for start, end in windows(tokens):
                if any(used[start:end]):
                    continue
                window = tokens[start:end]
                hit = self._find_in_window(window, exact_pass=exact_pass)
                if hit is not None:
                    content = sum(token not in STOP_WORDS for token in window)
                    hits.append((content, end - start, start, hit))
            for _, size, start, hit in sorted(hits, key=lambda h: (-h[0], -h[1], h[2])):
                if not any(used[start : start + size]):
                    found.append(replace(hit, span=(start, start + size)))
                    used[start : start + size] = [True] * size
        return _best_per_skill(found)

    def _extract_tuple(self, text: str) -> tuple[SkillMatch, ...]:
        return tuple(self.find_in_text(text))

    def _exact_windows(self, tokens: list[str]) -> Iterator[tuple[int, int]]:
        """The windows a form found in free text can fill exactly: those that start with the
        first word of such a form, up to its length (the others cannot be in `exact`)."""
        starts = self._indexes.starts
        for start, token in enumerate(tokens):
            for size in range(min(starts.get(token, 0), len(tokens) - start), 0, -1):
                yield start, start + size

    def _framed_windows(self, tokens: list[str]) -> Iterator[tuple[int, int]]:
        """The windows that start and end on a content word (the only ones looked up by
        stems and fuzzily), up to the widest form."""
        widest = self._indexes.window
        for start, token in enumerate(tokens):
            if token in STOP_WORDS:
                continue
            for end in range(min(start + widest, len(tokens)), start, -1):
                if tokens[end - 1] not in STOP_WORDS:
                    yield start, end

    def _find_in_window(self, window: list[str], *, exact_pass: bool) -> SkillMatch | None:
        phrase = " ".join(window)
        if exact_pass:
            form = self._indexes.exact.get(phrase)
            return SkillMatch(form.skill, _EXACT, form.text) if form and form.in_text else None
        # Stems and fuzzy: the windows start and end on a content word (`_framed_windows`).
        if (hit := self._lookup(phrase, in_text=True)) is not None:
            return hit
        if len(phrase) < _SHORT_LEN or len(window) > 3:
            return None
        # Fuzzy hits in free text: long forms of tools and services only.
        fuzzy = [
            SkillMatch(form.skill, score, form.text)
            for form, score in self._fuzzy(phrase, 5, _EXTRACT_FUZZY)
            if form.skill.kind is not SkillKind.COMPETENCE and len(form.folded) >= _SHORT_LEN
        ]
        return max(fuzzy, key=lambda m: m.confidence, default=None)


@functools.cache
def _indel_extract() -> Callable[..., list[tuple[str, float, int]]]:
    """rapidfuzz's `process.extract` scoring by Indel similarity (`fuzz.ratio`), imported by
    the first phrase that needs it (~4 MB of compiled code), not at start."""
    from rapidfuzz import fuzz, process

    return functools.partial(process.extract, scorer=fuzz.ratio, processor=None)


def _best_per_skill(matches: Iterable[SkillMatch]) -> list[SkillMatch]:
    """Keep the most confident match of each skill, most confident first."""
    best: dict[str, SkillMatch] = {}
    for found in matches:
        kept = best.get(found.skill.slug)
        if kept is None or found.confidence > kept.confidence:
            best[found.skill.slug] = found
    return sorted(best.values(), key=lambda m: (-m.confidence, m.skill.slug))


@functools.cache
def default_matcher() -> SkillMatcher:
    """Return the (cached) matcher over the packaged taxonomy, read when first needed."""
    return SkillMatcher(load_taxonomy)
