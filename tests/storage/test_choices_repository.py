"""The remembered messages: one row per message, the newest answer of a chat, lists closed
once each even when two changes close them at the same moment (both databases)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.app import App
from bot.core import choices, requests
from bot.core.choices import Outcome
from bot.core.types import Member, NewChoice, Role, ShownAction


async def _member(app: App, name: str) -> Member:
    async with app.services.uow() as uow:
        member = await uow.members.add(
            display_name=name,
            role=Role.MEMBER,
            locale="fr",
            structure_id=None,
            now=app.services.clock.now(),
        )
        await uow.commit()
    return member


def _shown(member: Member, ref: str, answer: str, *actions: str, request: int | None = None,
           first: int = 1) -> NewChoice:  # fmt: skip
    return NewChoice(
        platform="telegram",
        chat_id="1001",
        message_ref=ref,
        member_id=member.id,
        request_id=request,
        origin="answer",
        answer=answer,
        actions=tuple(ShownAction(label, f"/{label}") for label in actions),
        first_number=first,
    )


async def test_the_newest_answer_holds_the_lists_and_an_edit_keeps_its_message(app: App) -> None:
    amina = await _member(app, "Amina")
    now = app.services.clock.now()
    async with app.services.uow() as uow:
        await uow.choices.record(_shown(amina, "1", "a", "old"), now)
        await uow.choices.record(_shown(amina, "2", "b", "oui", "non"), now)
        await uow.choices.record(_shown(amina, "3", "b", "aide", first=3), now)
        await uow.choices.record(_shown(amina, "4", "c"), now)  # no list: supersedes nothing
        await uow.commit()
    async with app.services.uow() as uow:
        newest = await uow.choices.newest_lists(amina.id, "telegram", "1001")
        assert [(c.message_ref, c.first_number) for c in newest] == [("2", 1), ("3", 3)]
        assert newest[1].numbered(3) == ShownAction("aide", "/aide")
        assert newest[1].numbered(1) is None and newest[0].numbered(2) == ShownAction("non", "/non")
        assert await uow.choices.newest_lists(amina.id, "telegram", "other chat") == []
        # The same message shown again (edited) is one row, in its place: no newer list.
        await uow.choices.record(_shown(amina, "3", "d", "new one", first=3), now)
        await uow.commit()
    async with app.services.uow() as uow:
        newest = await uow.choices.newest_lists(amina.id, "telegram", "1001")
        assert [(c.message_ref, c.answer) for c in newest] == [("2", "b"), ("3", "b")]
        assert newest[1].actions == (ShownAction("new one", "/new one"),)
        assert len(await uow.choices.all_for(amina.id)) == 4
        assert await uow.choices.forget_shown_before(now + timedelta(seconds=1)) == 4


async def test_two_changes_at_once_close_each_list_once(app: App) -> None:
    amina = await _member(app, "Amina")
    services = app.services
    submitted = await requests.ask(services, amina, "souci ameli")
    request_id = submitted.request.id
    async with services.uow() as uow:
        for n in range(10):
            shown = _shown(amina, str(n), str(n), "annuler", request=request_id)
            await uow.choices.record(shown, services.clock.now())
        await uow.commit()

    async def settle(outcome: Outcome) -> int:
        async with services.uow() as uow:
            edited = await choices.settle(uow, services.clock.now(), request_id, outcome, None)
            await uow.commit()
        return edited

    results = await asyncio.gather(*(settle(o) for o in (Outcome.TAKEN, Outcome.CANCELLED) * 3))
    assert sum(results) == 10
    async with services.uow() as uow:
        edits = await uow.outbox.find(kind=choices.OUTCOME_KIND)
        assert sorted(int(e.params["choice_id"]) for e in edits) == sorted(
            c.id for c in await uow.choices.all_for(amina.id)
        )
        assert all(e.dedup_key == f"choice_outcome:{e.params['choice_id']}" for e in edits)
        assert all((e.target_platform, e.target_chat) == ("telegram", "1001") for e in edits)
