"""Profile changes, languages, and every kind of bad input."""

from __future__ import annotations

from bot.chat.types import ChatType, Incoming
from tests.helpers import Conversation


async def test_profile_name_structure_language(chat: Conversation) -> None:
    await chat.join("Alice")
    profile = await chat.say("Alice", "/profil")
    assert "Alice" in profile and "Mission locale" in profile and "Français" in profile
    assert "C'est fait" in await chat.say("Alice", "/nom Alice Martin")
    assert "Alice Martin" in await chat.say("Alice", "/profil")
    unknown = await chat.say("Alice", "/structure Nulle Part")
    assert "[1] EPN Résoudre" in unknown
    assert "EPN Résoudre" in await chat.say("Alice", "1")
    assert "English" in await chat.say("Alice", "/langue en")
    assert "Name: Alice Martin" in await chat.say("Alice", "/profile")
    assert "Usage" not in await chat.say("Alice", "/langue fr")
    assert "Utilisation" in await chat.say("Alice", "/langue klingon")


async def test_name_asked_when_not_given_and_checked(chat: Conversation) -> None:
    await chat.join("Alice")
    assert "?" in await chat.say("Alice", "/nom")
    assert "Alice B." in await chat.say("Alice", "Alice B.")
    assert "60" in await chat.say("Alice", "/nom " + "x" * 61)


async def test_unknown_command_points_to_help(chat: Conversation) -> None:
    await chat.join("Alice")
    answer = await chat.say("Alice", "/voler")
    assert "/aide" in answer


async def test_accents_and_case_in_command_names_do_not_matter(chat: Conversation) -> None:
    await chat.join("Alice")
    assert "compétence" in await chat.say("Alice", "/Compétences")


async def test_empty_and_overlong_messages(chat: Conversation) -> None:
    await chat.join("Alice")
    assert "vide" in await chat.say("Alice", "   ")
    assert "4 000" in await chat.say("Alice", "a" * 4001)


async def test_control_characters_are_dropped_and_markup_kept_as_text(chat: Conversation) -> None:
    await chat.join("Alice")
    answer = await chat.say("Alice", "/nom <b>Ali\x1b[31mce</b>")
    assert "<b>Ali[31mce</b>" in answer
    assert "\x1b" not in answer


async def test_emoji_and_right_to_left_text_survive(chat: Conversation) -> None:
    await chat.join("Alice")
    answer = await chat.say("Alice", "/nom أمينة 👩🏽‍💻")
    assert "أمينة 👩🏽‍💻" in answer


async def test_group_chat_stays_silent_for_strangers_and_free_text(chat: Conversation) -> None:
    await chat.join("Alice")
    router = chat.app.router

    def in_group(user: str, text: str) -> Incoming:
        return Incoming(
            platform="console", user_id=user, chat_id="group-1", text=text, chat_type=ChatType.GROUP
        )

    assert await router.handle(in_group("mallory", "/competences")) == []
    assert await router.handle(in_group("alice", "bonjour à tous")) == []
    [private_only] = await router.handle(in_group("alice", "/competences"))
    assert "privé" in private_only.text
    [help_in_group] = await router.handle(in_group("alice", "/aide"))
    assert "/competences" in help_in_group.text


async def test_unexpected_failure_gets_a_polite_answer(chat: Conversation, monkeypatch) -> None:
    await chat.join("Alice")
    from bot.core import skills

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(skills, "declared", broken)
    answer = await chat.say("Alice", "/competences")
    assert "Réessayez" in answer
    assert "disk on fire" not in answer


async def test_a_mistyped_command_suggests_the_closest_one_as_a_button(
    chat: Conversation,
) -> None:
    await chat.join("Alice")
    typo = await chat.say("Alice", "/demnde souci avec ameli pour un jeune")
    assert "Vouliez-vous dire /demande ?" in typo and "[1] /demande" in typo
    pressed = await chat.say("Alice", "1")  # the same words, now a request
    assert "ameli" in pressed.lower() and "Vouliez-vous" not in pressed
    nothing_close = await chat.say("Alice", "/xyzzy")
    assert "Je ne connais pas cette commande." in nothing_close
    assert "Vouliez-vous" not in nothing_close and "/aide" in nothing_close
    # A member is never pointed to a coordinators' command.
    assert "/assigner" not in await chat.say("Alice", "/assginer 3 Karim")
    await chat.say("Alice", "/langue en")
    assert "Did you mean /help?" in await chat.say("Alice", "/hepl")


async def test_every_usage_line_shows_an_example(chat: Conversation) -> None:
    from bot.core.types import Role

    await chat.join("Claire", Role.COORDINATOR)
    for command in chat.app.router.commands:
        if not command.usage:
            continue
        shown = await chat.say("Claire", f"/aide {command.name}")
        assert "Utilisation : /" in shown, command.name
        assert "Par exemple : /" + command.name in shown, command.name


async def test_the_examples_of_the_usage_lines_are_understood(chat: Conversation) -> None:
    """An example that the command itself refuses would teach the wrong thing."""
    from bot.chat.i18n import translator
    from bot.core.types import Role

    await chat.join("Claire", Role.COORDINATOR)
    french = translator("fr")
    for command in chat.app.router.commands:
        if not command.example or command.name in ("oublier", "start"):
            continue  # erasing Claire, or joining twice, tells nothing about the wording
        answer = await chat.say("Claire", f"/{command.name} {french._(command.example)}")
        assert f"Utilisation : /{command.name} " not in answer, (command.name, answer)
        await chat.say("Claire", "/annuler")
