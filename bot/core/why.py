"""Why a request went to whom (`/pourquoi N`, for coordinators): the skills found with their
weight in the need, and each helper offered with their levels and load."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.services import Services
from bot.core.types import SkillRow, SkillSource
from bot.core.weights import proposed_matches, skill_weights
from skills import SkillLevel
from skills.proposed import PROPOSED_DISCOUNT


@dataclass(frozen=True, slots=True)
class HelperWhy:
    """A helper the request was offered to, in the order asked, as they are now."""

    name: str
    levels: list[tuple[SkillRow, SkillLevel]]
    """Their levels on the request's skills (the others are not listed)."""
    open_claims: int
    recent_offers: int


@dataclass(frozen=True, slots=True)
class Why:
    """The weights matching gives the request's skills, and whom it was offered to."""

    request_id: int
    weights: list[tuple[SkillRow, float]]
    """The request's skills, heaviest first (weight 1 when it has a single skill), then the
    proposed skills looked for because the text is similar to their label (their source is
    `SkillSource.PROPOSED`)."""
    relatives: int
    """How many parent or child skills were looked for too (at half weight)."""
    helpers: list[HelperWhy]


def _alone(skill: SkillRow) -> float:
    """The weight of the only skill looked for: 1, or the discount of a proposed one."""
    return PROPOSED_DISCOUNT if skill.source is SkillSource.PROPOSED else 1.0


async def why(services: Services, request_id: int) -> Why | None:
    """The explanation of request `request_id`'s matching (the load counted over
    `services.requests.recent_window`); None if there is no such request."""
    matcher = services.matcher
    recent_since = services.clock.now() - services.requests.recent_window
    async with services.uow() as uow:
        request = await uow.requests.get(request_id)
        if request is None:
            return None
        ids, by_id = await skill_weights(uow, request, matcher)
        _, proposals = await uow.skills.matchable()
        similar = await uow.skills.by_slugs(
            slug for _, slug, _ in proposed_matches(request, proposals)
        )
        shown = [*request.skills, *similar.values()]
        own = {skill.id for skill in shown}
        weights = sorted(
            ((skill, (by_id or {}).get(skill.id, _alone(skill))) for skill in shown),
            key=lambda pair: (-pair[1], pair[0].slug),
        )
        offers = await uow.offers.of_request(request_id)
        helpers = [offer.helper_id for offer in offers]
        loads = await uow.offers.loads_and_last(helpers, recent_since, recent_since)
        found: list[HelperWhy] = []
        for helper in helpers:
            member = await uow.members.get(helper)
            declared = await uow.skills.of_member(helper)
            claims, recent, _, _ = loads.get(helper, (0, 0, 0, 0))
            found.append(
                HelperWhy(
                    name=member.display_name if member else "?",
                    levels=[(ms.skill, ms.level) for ms in declared if ms.skill.id in own],
                    open_claims=claims,
                    recent_offers=recent,
                )
            )
    return Why(request_id, weights, len(set(ids) - own), found)
