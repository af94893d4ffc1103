"""The skills a request's matching looks for, and how much each one weighs in its need.

`skill_weights` reads what it needs from the database; matching from memory reads the same
from the candidate index (`matching._from_memory`) and calls `looked_for`, `weighed` and
`weights_of` itself.
"""

from __future__ import annotations

from bot.core.skills import with_network
from bot.core.types import HelpRequest
from skills.matching import SkillMatcher
from skills.proposed import PROPOSED_DISCOUNT, similar_to
from skills.weighting import need_weights
from storage.db import UnitOfWork

RELATIVE = 0.5
"""A parent or child of a requested skill weighs this much of it ("smartphone" holders for
a request about an iPhone, "iphone" holders for one about a smartphone)."""


WIDEN_BELOW = 20
"""The relatives of a requested skill are looked for only when fewer members than this
hold the skill itself: the hierarchy widens a thin search, and a skill many hold has
better helpers than those of a parent or child (it also keeps the fast path of a lone
common skill)."""

Holders = tuple[dict[str, tuple[int, int]], int]
"""Each skill's id and how many members declare it (whatever their status), by slug; how
many members are active."""


async def skill_weights(
    uow: UnitOfWork, request: HelpRequest, matcher: SkillMatcher
) -> tuple[list[int], dict[int, float] | None]:
    """The skills to look for and each one's weight in the request's need, by skill id
    (`skills.weighting`): how central its mention is in the text, and how few members of
    the network hold it; the parents and children of the skills few hold are looked for
    too, at `RELATIVE` of the weight, and the proposed skills similar to the text at
    `PROPOSED_DISCOUNT` (`proposed_matches`). No weights (None) for a lone skill without
    them. Read from the database in `uow` (matching reads the same from the index)."""
    network, proposals = await uow.skills.matchable()
    extended = with_network(matcher, network)
    by_slug, related = looked_for(request, extended)
    holders = await uow.offers.holders([*by_slug, *related]) if weighed(by_slug, related) else None
    return weights_of(request, extended, proposals, by_slug, related, holders)


def looked_for(
    request: HelpRequest, matcher: SkillMatcher
) -> tuple[dict[str, int], dict[str, str]]:
    """The request's own skills (id by slug) and their relatives (the skill each is a
    relative of, by slug)."""
    by_slug = {skill.slug: skill.id for skill in request.skills}
    related = {
        other: slug
        for slug in by_slug
        for other in matcher.taxonomy.relatives(slug)
        if other not in by_slug
    }
    return by_slug, related


def weighed(by_slug: dict[str, int], related: dict[str, str]) -> bool:
    """Whether the skills need weights (and so the holders' counts): several, or relatives."""
    return len(by_slug) >= 2 or bool(related)


def weights_of(
    request: HelpRequest,
    matcher: SkillMatcher,
    proposals: list[tuple[int, str, str]],
    by_slug: dict[str, int],
    related: dict[str, str],
    holders: Holders | None,
) -> tuple[list[int], dict[int, float] | None]:
    """`skill_weights` from what was read (`holders` is None when not `weighed`)."""
    ids, weights = _taxonomy_weights(request, matcher, by_slug, related, holders)
    similar = proposed_matches(request, proposals)
    if not similar:
        return ids, weights
    merged = dict(weights) if weights is not None else dict.fromkeys(ids, 1.0)
    for skill_id, _, _ in similar:
        merged.setdefault(skill_id, PROPOSED_DISCOUNT)
    if len(merged) < 2:
        return list(merged), None
    return sorted(merged), merged


def proposed_matches(
    request: HelpRequest, proposals: list[tuple[int, str, str]]
) -> list[tuple[int, str, str]]:
    """The proposals (id, slug, label: those some member declares, `matchable`) whose label
    is similar to the request's text (`skills.proposed`): their holders are candidates, at
    a discount. The central need weighs 1, so at an equal level a holder of its taxonomy
    skill always has the higher fit."""
    text = request.text or ""
    if not text.strip():
        return []
    own = {skill.id for skill in request.skills}
    return [
        proposals[i]
        for i in similar_to(text, [label for _, _, label in proposals])
        if proposals[i][0] not in own
    ]


def _taxonomy_weights(
    request: HelpRequest,
    matcher: SkillMatcher,
    by_slug: dict[str, int],
    related: dict[str, str],
    holders_read: Holders | None,
) -> tuple[list[int], dict[int, float] | None]:
    """`skill_weights` of the request's own skills and their relatives."""
    if holders_read is None:
        return list(by_slug.values()), None
    holders, members = holders_read
    text = request.text or ""  # erased once the request is closed for long enough
    found = [match for match in matcher.extract(text) if match.skill.slug in by_slug]
    weights = need_weights(
        text,
        found,
        {slug: holders[slug][1] if slug in holders else 0 for slug in by_slug},
        members,
        requested=by_slug,
    )
    by_id = {by_slug[slug]: weight for slug, weight in weights.items()}
    for slug, source in related.items():
        if holders.get(source, (0, 0))[1] >= WIDEN_BELOW:
            continue  # enough members hold the skill itself
        if holders.get(slug, (0, 0))[1] > 0:  # held by nobody: nothing to look for
            skill_id = holders[slug][0]
            by_id[skill_id] = max(RELATIVE * weights[source], by_id.get(skill_id, 0.0))
    if len(by_id) < 2:
        return list(by_id), None
    return sorted(by_id), by_id
