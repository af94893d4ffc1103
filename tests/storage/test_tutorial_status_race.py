"""A tutorial's status changes in one conditional update (issue 15): two changes racing from
the same state (two presses of [Publier], a coordinator's check at the same moment), 50
times on every backend — exactly one wins, and the loser changes nothing."""

from __future__ import annotations

import asyncio

from bot.app import App
from bot.core.types import TutorialStatus

ROUNDS = 50


async def _draft(app: App, n: int) -> int:
    async with app.services.uow() as uow:
        tutorial_id = await uow.tutorials.add(
            request_id=None,
            author_id=None,
            title=f"Brouillon {n}",
            problem="Une attestation ameli introuvable.",
            steps=["Ouvrir ameli.fr"],
            skill_ids=[],
            now=app.services.clock.now(),
        )
        await uow.commit()
    return tutorial_id


async def _change(app: App, tutorial_id: int, status: TutorialStatus) -> bool:
    async with app.services.uow() as uow:
        changed = await uow.tutorials.update(
            tutorial_id,
            app.services.clock.now(),
            expected_status=TutorialStatus.DRAFT,
            status=status,
            title=f"Titre {status.value}",
        )
        await uow.commit()
    return changed


async def test_two_changes_from_the_same_state_one_wins(app: App) -> None:
    for n in range(ROUNDS):
        tutorial_id = await _draft(app, n)
        first, second = (TutorialStatus.PUBLISHED, TutorialStatus.REVIEW)[:: 1 - 2 * (n % 2)]
        won = await asyncio.gather(
            _change(app, tutorial_id, first), _change(app, tutorial_id, second)
        )
        assert sorted(won) == [False, True], n
        winner = first if won[0] else second
        async with app.services.uow() as uow:
            stored = await uow.tutorials.get(tutorial_id)
        assert stored is not None
        assert stored.status is winner and stored.title == f"Titre {winner.value}", n


async def test_a_change_from_another_state_changes_nothing(app: App) -> None:
    tutorial_id = await _draft(app, 0)
    assert await _change(app, tutorial_id, TutorialStatus.PUBLISHED)
    assert not await _change(app, tutorial_id, TutorialStatus.REVIEW)  # no longer a draft
    async with app.services.uow() as uow:
        stored = await uow.tutorials.get(tutorial_id)
    assert stored is not None and stored.status is TutorialStatus.PUBLISHED
