"""How much each skill found in a help request matters to the need.

A request names its need and, often, the context around it: "n'arrive pas à se connecter
à son compte ameli, elle n'a pas d'adresse mail", "l'envoyer en pdf". Adding up every skill
found lets a generalist who practises everything mentioned beat the person who teaches
the need itself. Each detected skill gets a weight, the product of:

* its *centrality* in the sentence: the object of a need ("n'arrive pas à", "comment",
  "besoin de", "veut", "c'est une …") counts double, the first skill named a quarter more;
  a negated mention ("pas de compte", "ni de mail", "sans") counts a fifth and a mention of
  a format or channel ("en pdf", "par sms") half;
* its *specificity* in the network: ``ln(1 + members / holders)`` (an IDF), so that a
  skill held by few counts more than one most members declared.

Weights are scaled so that the heaviest is 1. A skill the request carries without being
found in its text (set by a coordinator) counts as a central one.

>>> from skills.matching import default_matcher
>>> text = "comment déclarer ses impôts ? elle n'a pas d'adresse mail"
>>> found = default_matcher().extract(text)
>>> weights = need_weights(text, found, {"impots-gouv": 5, "email": 5}, 40)
>>> {slug: round(w, 2) for slug, w in sorted(weights.items())}
{'email': 0.08, 'impots-gouv': 1.0}
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence

from skills.matching import SkillMatch
from skills.normalize import fold

__all__ = ["centrality", "need_weights", "specificity"]

CENTRAL = 2.0
FIRST = 1.25
NEGATED = 0.2
INCIDENTAL = 0.5
_REACH = 8  # a need marker governs the skills up to this many words after it

# Folded word sequences that announce the need (what follows is its object).
_NEED_MARKERS: tuple[tuple[str, ...], ...] = tuple(
    tuple(marker.split())
    for marker in (
        "arrive pas", "arrive plus", "parvient pas", "comment", "besoin", "aide pour",
        "aider", "sait pas", "sait plus", "veut", "voudrait", "souhaite", "doit", "faut",
        "apprendre", "c est", "probleme", "perdu", "bloque", "bloquee", "galere",
        "ne comprend pas", "comprend pas", "installer", "utiliser",
    )
)  # fmt: skip
# Words that negate what follows ("pas de compte", "ni de mail", "sans adresse").
_NEGATORS = frozenset({"sans", "ni", "aucun", "aucune", "jamais"})
_PARTITIVES = frozenset({"de", "d", "du", "des"})
# A word right before a skill that makes it the format, channel or device, not the need
# ("en pdf", "par sms", "depuis son smartphone")...
_INCIDENTAL = frozenset({"en", "par", "via", "depuis"})
# ...and, for a skill after the first named, the words that make it a destination or a
# possession or the device used ("pour la MDPH", "à la caf", "elle a un iphone", "sur
# l'ordinateur").
_CONTEXT = frozenset(
    {("pour", "la"), ("pour", "le"), ("pour", "l"), ("pour", "les"), ("a", "la"), ("au",),
     ("aux",), ("a", "un"), ("a", "une"), ("a", "son"), ("a", "sa"), ("a", "ses"),
     ("a", "deja", "un"), ("a", "deja", "une"), ("sur", "l"), ("sur", "son"), ("sur", "sa"),
     ("sur", "un"), ("sur", "une")}
)  # fmt: skip
_CLAUSE = re.compile(r"[,.;:!?()\[\]\n]+|\s(?:mais|car|donc|parce)\s", re.IGNORECASE)


def _clauses(text: str) -> list[int]:
    """The clause number of each word of ``fold(text)``."""
    numbers: list[int] = []
    for number, part in enumerate(_CLAUSE.split(text)):
        numbers.extend([number] * len(fold(part).split()))
    return numbers


def _negated(tokens: list[str], start: int) -> bool:
    """Whether the words just before `start` negate the mention ("pas de", "ni", "sans")."""
    before = tokens[max(0, start - 4) : start]
    if any(word in _NEGATORS for word in before):
        return True
    return any(
        word in {"pas", "plus"} and i + 1 < len(before) and before[i + 1] in _PARTITIVES
        for i, word in enumerate(before)
    )


def _in_context(tokens: list[str], start: int) -> bool:
    """Whether the words right before `start` make the mention a destination or a
    possession ("pour la", "à la", "a un", "a sa")."""
    return any(tuple(tokens[max(0, start - len(words)) : start]) == words for words in _CONTEXT)


def _governed(tokens: list[str], clauses: list[int], start: int) -> bool:
    """Whether a need marker comes before `start` in the same clause, close enough."""
    clause = clauses[start] if start < len(clauses) else -1
    for first in range(max(0, start - _REACH), start):
        if first < len(clauses) and clauses[first] != clause:
            continue
        for marker in _NEED_MARKERS:
            end = first + len(marker)
            if end <= start and tuple(tokens[first:end]) == marker:
                return True
    return False


def centrality(text: str, matches: Sequence[SkillMatch]) -> dict[str, float]:
    """How central each matched skill is to the need of `text` (see the module doc)."""
    tokens = fold(text).split()
    clauses = _clauses(text)
    if len(clauses) != len(tokens):  # folding split a word differently: no clauses
        clauses = [0] * len(tokens)
    weights: dict[str, float] = {}
    placed = sorted((m for m in matches if m.span[0] >= 0), key=lambda m: (m.span[0], m.skill.slug))
    first_seen = False
    for match in placed:
        start = match.span[0]
        if _negated(tokens, start):
            weight = NEGATED
        else:
            weight = 1.0
            # "en pdf" may be the form found itself: its first word counts as the one before.
            leading = tokens[start] if match.span[1] - start > 1 else ""
            if (
                leading in _INCIDENTAL
                or (start > 0 and tokens[start - 1] in _INCIDENTAL)
                or (first_seen and _in_context(tokens, start))
            ):
                weight *= INCIDENTAL
            if _governed(tokens, clauses, start):
                weight *= CENTRAL
            if not first_seen:
                weight *= FIRST
                first_seen = True
        weights[match.skill.slug] = max(weight, weights.get(match.skill.slug, 0.0))
    for match in matches:
        weights.setdefault(match.skill.slug, CENTRAL)
    return weights


def specificity(
    slugs: Collection[str], holders: Mapping[str, int], members: int
) -> dict[str, float]:
    """``ln(1 + members / holders)`` for each skill (a skill nobody holds: as if one did)."""
    total = max(members, 1)
    return {slug: math.log1p(total / max(holders.get(slug, 0), 1)) for slug in slugs}


def need_weights(
    text: str,
    matches: Sequence[SkillMatch],
    holders: Mapping[str, int],
    members: int,
    requested: Collection[str] = (),
) -> dict[str, float]:
    """Each skill's weight in the need (centrality × specificity), the heaviest at 1.

    `matches` are the skills found in `text` (with their spans); `requested` the skills the
    request carries (all of them get a weight; those not found in the text count as central).
    """
    central = centrality(text, matches)
    slugs = set(requested) or set(central)
    for slug in slugs:
        central.setdefault(slug, CENTRAL)
    specific = specificity(slugs, holders, members)
    raw = {slug: central[slug] * specific[slug] for slug in slugs}
    top = max(raw.values(), default=0.0)
    return {slug: value / top for slug, value in raw.items()} if top > 0 else {}
