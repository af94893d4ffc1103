"""With `[tutorials] review_required = true`, a member's change to an approved tutorial waits
for a coordinator: the approved version stays what the network reads (search included),
coordinators are told once per change, and they publish or refuse it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import App
from bot.core.clock import FixedClock
from bot.core.types import Role
from tests.chat.test_privacy import everything_stored
from tests.chat.test_tutorials import PHONE, solve, write_up
from tests.helpers import Conversation, addressed_to, prepared_app


@pytest.fixture
async def strict_app(database_url: str, clock: FixedClock) -> AsyncIterator[App]:
    async with prepared_app(
        database_url, clock, tutorials={"review_required": True}
    ) as application:
        yield application


@pytest.fixture
async def network(strict_app: App) -> AsyncIterator[Conversation]:
    """Karim wrote tutorial #1, Claire approved it; Sophie reads."""
    chat = Conversation(strict_app)
    try:
        await chat.join("Amina")
        await chat.join("Karim", structure="EPN Résoudre")
        await chat.join("Sophie")
        await chat.join("Claire", Role.COORDINATOR)
        await chat.declare("Karim", "ameli (former)")
        await solve(chat, "attestation ameli")
        saved = await write_up(chat, "Attestation introuvable.", "Aller sur ameli.fr")
        assert "va la lire" in saved or "relecture" in saved or "lira" in saved, saved
        assert "est publié" in await chat.say("Claire", "/tuto publier 1")
        await chat.tick()
        yield chat
    finally:
        await chat.console.close()


async def test_a_change_waits_while_the_approved_version_stays_public(
    network: Conversation,
) -> None:
    chat = network
    answer = await chat.say("Karim", "/tuto modifier 1 etapes Aller sur un site DOUTEUX")
    assert "coordination" in answer.lower() and "DOUTEUX" in answer
    # delivered with the answer (the terminal delivers what is queued after each line)
    assert "Un tutoriel publié a été modifié" in addressed_to(answer, "Claire")
    public = await chat.say("Sophie", "/tuto 1")
    assert "Aller sur ameli.fr" in public and "DOUTEUX" not in public
    assert "Aucun tutoriel" in await chat.say("Sophie", "/tuto douteux")
    again = await chat.say("Karim", "/tuto modifier 1 titre Titre changé")
    assert "a été modifié" not in addressed_to(again + await chat.tick(), "Claire")  # told once
    mine = await chat.say("Karim", "/tuto 1")
    assert "Aller sur ameli.fr" in mine and "DOUTEUX" in mine and "Titre changé" in mine
    assert "#1" in await chat.say("Claire", "/tuto asuivre")
    assert "relira" in await chat.say("Karim", "/tuto publier 1")  # only a coordinator can
    assert "DOUTEUX" not in await chat.say("Sophie", "/tuto 1")

    assert "est publié" in await chat.say("Claire", "/tuto publier 1")
    public = await chat.say("Sophie", "/tuto 1")
    assert "DOUTEUX" in public and "Titre changé" in public and "ameli.fr" not in public
    assert "#1" in await chat.say("Sophie", "/tuto douteux")
    assert "#1" not in await chat.say("Claire", "/tuto asuivre")


async def test_a_coordinator_refuses_a_change(network: Conversation) -> None:
    chat = network
    await chat.say("Karim", "/tuto modifier 1 probleme Tout autre chose")
    assert "refusée" in await chat.say("Claire", "/tuto refuser 1")
    assert "Attestation introuvable" in await chat.say("Karim", "/tuto 1")
    assert "Aucune modification" in await chat.say("Claire", "/tuto refuser 1")
    assert "coordination" in (await chat.say("Karim", "/tuto refuser 1")).lower()


async def test_personal_data_in_a_change_is_guarded_before_it_is_published(
    network: Conversation,
) -> None:
    chat = network
    await chat.say("Karim", f"/tuto modifier 1 probleme Appeler Mme Durand au {PHONE}.")
    guarded = await chat.say("Claire", "/tuto publier 1")
    assert "données personnelles" in guarded
    assert PHONE not in await chat.say("Sophie", "/tuto 1")
    assert "est publié" in await chat.say("Claire", "/tuto masquer 1")
    public = await chat.say("Sophie", "/tuto 1")
    assert PHONE not in public and "[téléphone]" in public


async def test_a_coordinators_own_change_applies_at_once(network: Conversation) -> None:
    chat = network
    await chat.say("Claire", "/tuto modifier 1 ajouter Télécharger l'attestation")
    assert "Télécharger l'attestation" in await chat.say("Sophie", "/tuto 1")


async def test_a_pending_change_goes_when_its_author_is_erased(network: Conversation) -> None:
    """The change Karim proposed is his text, never published: erasing him erases it."""
    chat = network
    await chat.say("Karim", "/tuto modifier 1 etapes Aller sur REVISIONKARIM")
    await chat.say("Karim", "/oublier")
    assert "oublié" in await chat.say("Karim", "/oublier confirmer")
    stored = await everything_stored(chat.app)
    assert [(table, column) for table, column, value in stored if "REVISIONKARIM" in value] == []
    assert "ameli.fr" in await chat.say("Sophie", "/tuto 1")  # the approved entry stays
