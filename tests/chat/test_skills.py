"""Declaring skills in the terminal: canonical names, levels, proposed skills, dialogs."""

from __future__ import annotations

from bot.app import App
from bot.core.types import Role
from tests.helpers import Conversation


async def test_three_skills_with_a_misspelling_and_an_unknown_one(chat: Conversation) -> None:
    await chat.join("Alice")
    answer = await chat.say(
        "Alice", "/competences ajouter wordpres, démarches CAF, tricot (former)"
    )
    assert "WordPress — je pratique" in answer
    assert "CAF" in answer
    assert "tricot" in answer and "proposée" in answer
    listing = await chat.say("Alice", "/competences")
    assert "WordPress — je pratique" in listing
    assert "wordpres " not in listing
    assert "tricot (proposée) — je peux former" in listing


async def test_a_skill_written_twice_is_told_once_with_the_level_kept(
    chat: Conversation,
) -> None:
    await chat.join("Alice")
    answer = await chat.say("Alice", "/competences ajouter ameli, ameli, compte ameli (former)")
    assert answer.count("ameli (Assurance Maladie)") == 1
    assert "ameli (Assurance Maladie) — je peux former" in answer
    assert "— je peux former" in await chat.say("Alice", "/competences")


async def test_the_highest_level_given_in_one_list_is_kept_and_said(chat: Conversation) -> None:
    await chat.join("Alice")
    answer = await chat.say(
        "Alice",
        "/competences ajouter smartphone (je peux former), téléphone portable (je pratique)",
    )
    assert "Smartphone — je peux former" in answer
    assert "« téléphone portable (je pratique) », c'est encore Smartphone" in answer
    assert "le niveau le plus haut" in answer
    assert "Smartphone — je peux former" in await chat.say("Alice", "/competences")
    # In the other order the higher level wins as well, and nothing needs saying.
    await chat.join("Bob")
    answer = await chat.say("Bob", "/competences ajouter sécu (je pratique), ameli (former)")
    assert "le niveau le plus haut" not in answer
    assert "— je peux former" in await chat.say("Bob", "/competences")


async def test_level_given_inline_or_changed_afterwards(chat: Conversation) -> None:
    await chat.join("Alice")
    await chat.say("Alice", "/competences ajouter ameli (former), scribus (je découvre)")
    listing = await chat.say("Alice", "/competences")
    assert "— je peux former" in listing and "Scribus (PAO) — je découvre" in listing
    answer = await chat.say("Alice", "/competences niveau scribus je pratique")
    assert "Scribus (PAO) — je pratique" in answer
    # Re-adding without a level keeps the level already declared.
    await chat.say("Alice", "/competences ajouter scribus")
    assert "Scribus (PAO) — je pratique" in await chat.say("Alice", "/competences")


async def test_level_change_through_the_offered_actions(chat: Conversation) -> None:
    await chat.join("Alice")
    await chat.say("Alice", "/competences ajouter wordpress")
    listing = await chat.say("Alice", "/competences")
    assert "[2]" in listing
    which = await chat.say("Alice", "2")  # Change a level
    assert "[1] WordPress" in which
    levels = await chat.say("Alice", "1")
    assert "[3] je peux former" in levels
    done = await chat.say("Alice", "3")
    assert "WordPress — je peux former" in done


async def test_did_you_mean_replaces_a_proposed_skill(chat: Conversation) -> None:
    await chat.join("Alice")
    answer = await chat.say("Alice", "/competences ajouter scrib (former)")
    assert "scrib" in answer and "proposée" in answer
    line = next(line for line in answer.splitlines() if "Scribus" in line and "[" in line)
    number = line.split("]")[0].strip(" [")
    replaced = await chat.say("Alice", number)
    assert "Scribus (PAO) — je peux former" in replaced
    listing = await chat.say("Alice", "/competences")
    assert "scrib " not in listing and "Scribus (PAO) — je peux former" in listing


async def test_remove_skills(chat: Conversation) -> None:
    await chat.join("Alice")
    await chat.say("Alice", "/competences ajouter ameli, scribus, tricot")
    answer = await chat.say("Alice", "/competences retirer Scribus, tricot, blender")
    assert "Scribus" in answer and "tricot" in answer and "blender" in answer
    listing = await chat.say("Alice", "/competences")
    assert "Scribus" not in listing and "tricot" not in listing and "mel" in listing.lower()


async def test_english_command_names_and_words_work(chat: Conversation) -> None:
    await chat.join("Alice")
    await chat.say("Alice", "/language en")
    answer = await chat.say("Alice", "/skills add wordpress (can teach)")
    assert "WordPress — can teach" in answer
    assert "Your skills" in await chat.say("Alice", "/skills")


async def test_add_dialog_survives_a_restart(chat: Conversation, app: App) -> None:
    await chat.join("Alice")
    await chat.say("Alice", "/competences ajouter")
    restarted = App.build(app.config, clock=app.services.clock)
    try:
        answer = await Conversation(restarted).say("Alice", "openstreetmap, blender")
    finally:
        await restarted.close()
    assert "OpenStreetMap" in answer and "Blender" in answer


async def test_a_command_abandons_the_question_in_progress(chat: Conversation) -> None:
    await chat.join("Alice")
    await chat.say("Alice", "/competences ajouter")
    await chat.say("Alice", "/profil")
    answer = await chat.say("Alice", "ameli")
    assert "pas compris" in answer


async def test_proposed_skills_are_visible_to_coordinators_only(chat: Conversation) -> None:
    await chat.join("Alice")
    await chat.join("Claire", Role.COORDINATOR)
    await chat.say("Alice", "/competences ajouter macramé numérique")
    assert "macramé numérique" not in await chat.say("Alice", "/competences proposees")
    listing = await chat.say("Claire", "/competences proposees")
    assert "macramé numérique" in listing and "Alice" in listing
    assert "[1]" in await chat.say("Claire", "/membres")
