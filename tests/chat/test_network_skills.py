"""Proposed skills: matched by similar text at a discount, and promoted by coordinators into
the network's own skills or replaced by a known one (issue 21)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from bot.core.types import Role, SkillSource
from skills import SkillMatcher
from storage.statements import statement_kind
from tests.helpers import Conversation


async def offered(chat: Conversation, request_id: int) -> list[str]:
    """Who the request was offered to, in the order they were asked."""
    async with chat.app.services.uow() as uow:
        return [name for name, _, _ in await uow.offers.shown_to(request_id)]


async def _genially_network(chat: Conversation) -> None:
    """Amina, Sophie who teaches Genially, and Claire, a coordinator who made Genially (alias
    genialy) a skill of the network."""
    await chat.join("Amina")
    await chat.join("Sophie")
    await chat.join("Claire", Role.COORDINATOR)
    await chat.declare("Sophie", "Genially (je peux former)")
    await chat.say("Claire", "/competences valider Genially sous Canva alias genialy")


async def source_of(chat: Conversation, slug: str) -> SkillSource | None:
    async with chat.app.services.uow() as uow:
        row = await uow.skills.by_slug(slug)
    return row.source if row else None


async def test_a_request_similar_to_a_proposed_skill_reaches_its_holders(
    chat: Conversation,
) -> None:
    await chat.join("Amina")
    await chat.join("Sophie")
    await chat.join("Bruno")
    await chat.join("Claire", Role.COORDINATOR)
    await chat.declare("Sophie", "Genially (je peux former)")
    await chat.declare("Bruno", "scribus (je peux former)")
    await chat.say("Amina", "/demande elle doit faire une présentation sur Genially pour demain")
    assert await offered(chat, 1) == ["Sophie"]
    why = await chat.say("Claire", "/pourquoi 1")
    assert "Genially (compétence proposée, texte proche) — 0,40" in why
    assert "Sophie : Genially (compétence proposée, texte proche) — je peux former" in why


async def test_a_proposed_skill_never_passes_the_need_at_an_equal_or_higher_level(
    chat: Conversation,
) -> None:
    await chat.join("Amina")
    await chat.join("Sophie")  # teaches a proposed skill the text is similar to
    await chat.join("Karim")  # teaches the need
    await chat.join("Léa")  # practises the need: a lower level than Sophie's, still first
    await chat.declare("Sophie", "attestation de droits (je peux former)")
    await chat.declare("Karim", "ameli (je peux former)")
    await chat.declare("Léa", "ameli (je pratique)")
    await chat.say(
        "Amina",
        "/demande elle n'arrive pas à se connecter à ameli pour télécharger son attestation "
        "de droits",
    )
    assert await offered(chat, 1) == ["Karim", "Léa", "Sophie"]


async def test_a_coordinator_validates_a_proposal_into_the_network_skills(
    chat: Conversation,
) -> None:
    await chat.join("Amina")
    await chat.join("Sophie")
    await chat.join("Bruno")
    await chat.join("Claire", Role.COORDINATOR)
    await chat.declare("Sophie", "Genially (je peux former)")
    listing = await chat.say("Claire", "/competences proposees")
    assert "Valider « Genially »" in listing and "Remplacer « Genially » par…" in listing
    done = await chat.say("Claire", "/competences valider Genially sous Canva alias genialy")
    assert "« Genially » est maintenant une compétence du réseau." in done
    assert "Elle fait partie de : Canva" in done
    assert "Aussi reconnue sous : genialy." in done
    assert "maintenant au 1 membre qui l'a déclarée" in done
    assert await source_of(chat, "x-genially") is SkillSource.NETWORK
    # Found in request texts by its alias, like a taxonomy skill; its holder keeps it.
    await chat.say("Amina", "/demande elle n'arrive pas à utiliser genialy")
    assert await offered(chat, 1) == ["Sophie"]
    assert "Genially — 1,00" in await chat.say("Claire", "/pourquoi 1")
    assert "Genially — je peux former" in await chat.say("Sophie", "/competences")
    assert "(proposée)" not in await chat.say("Sophie", "/competences")
    # Declared by its alias afterwards, it is the network's skill, not a new proposal.
    assert "Genially — je pratique" in await chat.say("Bruno", "/competences ajouter genialy")
    assert "Genially" not in await chat.say("Claire", "/competences proposees")
    # The old button tells the truth.
    again = await chat.say("Claire", "/competences valider x-genially")
    assert "« Genially » a déjà été validée : c'est une compétence du réseau." in again


async def test_a_member_may_not_validate_nor_merge_and_is_told_why(chat: Conversation) -> None:
    await chat.join("Sophie")
    await chat.declare("Sophie", "Genially (je peux former)")
    for typed in ("/competences valider Genially", "/competences fusionner Genially avec canva"):
        answer = await chat.say("Sophie", typed)
        assert "Seule la coordination examine les compétences proposées." in answer
    assert await source_of(chat, "x-genially") is SkillSource.PROPOSED
    assert "(proposée)" in await chat.say("Sophie", "/competences")


async def test_a_name_of_a_known_skill_is_refused_with_replace_suggested(
    chat: Conversation,
) -> None:
    await chat.join("Sophie")
    await chat.join("Claire", Role.COORDINATOR)
    await chat.declare("Sophie", "Genially (je peux former)")
    answer = await chat.say("Claire", "/competences valider Genially alias canva")
    assert "« canva » désigne déjà : Canva" in answer
    assert "Remplacer par Canva" in answer
    assert await source_of(chat, "x-genially") is SkillSource.PROPOSED
    unknown = await chat.say("Claire", "/competences valider Genially sous tricotage")
    assert "Je ne connais pas la compétence « tricotage »." in unknown
    assert await source_of(chat, "x-genially") is SkillSource.PROPOSED


async def test_careless_validations_get_the_usage(chat: Conversation) -> None:
    await chat.join("Sophie")
    await chat.join("Claire", Role.COORDINATOR)
    await chat.declare("Sophie", "Genially (je peux former)")
    for typed in (
        "/competences valider",
        "/competences valider ²",
        "/competences valider " + "Genially " * 80,
        "/competences valider Genially alias",
        "/competences valider Genially alias ², ³",
        "/competences valider Genially sous canva sous scribus",
        "/competences fusionner",
        "/competences fusionner Genially avec",
    ):
        answer = await chat.say("Claire", typed)
        assert "Utilisation :" in answer, typed
    assert "Aucune compétence proposée ne s'appelle « tricot »." in await chat.say(
        "Claire", "/competences valider tricot"
    )
    assert "Aucune compétence proposée ne s'appelle « ameli »." in await chat.say(
        "Claire", "/competences valider ameli"
    )
    assert await source_of(chat, "x-genially") is SkillSource.PROPOSED


async def test_a_coordinator_replaces_a_proposal_for_everyone_who_declared_it(
    chat: Conversation,
) -> None:
    await chat.join("Sophie")
    await chat.join("Bruno")
    await chat.join("Claire", Role.COORDINATOR)
    await chat.declare("Sophie", "Padlet (je peux former)")
    await chat.declare("Bruno", "Padlet (je découvre), Canva (je pratique)")
    choose = await chat.say("Claire", "/competences fusionner x-padlet")
    assert "Remplacer « Padlet » par quelle compétence ?" in choose
    done = await chat.say("Claire", "/competences fusionner x-padlet avec canva")
    assert "« Padlet » est remplacée par : Canva" in done
    assert "Les 2 membres qui l'avaient déclarée ont maintenant Canva" in done
    assert "Canva — je peux former" in await chat.say("Sophie", "/competences")
    bruno = await chat.say("Bruno", "/competences")
    assert "Canva — je pratique" in bruno and "Padlet" not in bruno  # the higher level kept
    assert "Padlet" not in await chat.say("Claire", "/competences proposees")
    old = await chat.say("Claire", "/competences valider x-padlet")
    assert "« Padlet » a déjà été remplacée, par : Canva" in old
    # Typed again later, the proposal is its replacement.
    assert "Canva" in await chat.say("Bruno", "/competences ajouter padlet")


async def test_the_buttons_of_the_proposals_list_validate_and_offer_replacements(
    chat: Conversation,
) -> None:
    await chat.join("Sophie")
    await chat.join("Claire", Role.COORDINATOR)
    await chat.declare("Sophie", "Genially (je peux former), Padlet (je pratique)")
    listing = await chat.say("Claire", "/competences proposees")

    def number(answer: str, label: str) -> str:
        line = next(line for line in answer.splitlines() if label in line and "[" in line)
        return line.split("]")[0].strip(" [")

    done = await chat.say("Claire", number(listing, "Valider « Genially »"))
    assert "« Genially » est maintenant une compétence du réseau." in done
    listing = await chat.say("Claire", "/competences proposees")
    choose = await chat.say("Claire", number(listing, "Remplacer « Padlet » par…"))
    assert "Remplacer « Padlet » par quelle compétence ?" in choose
    assert await source_of(chat, "x-padlet") is SkillSource.PROPOSED


async def test_a_proposal_with_a_long_name_keeps_buttons_telegram_can_carry(
    chat: Conversation,
) -> None:
    long_name = "Remboursements complémentaires santé solidaire expliqués"  # 56 characters
    await chat.join("Sophie")
    await chat.join("Claire", Role.COORDINATOR)
    await chat.declare("Sophie", f"{long_name} (je pratique)")
    await chat.say("Claire", "/competences proposees")
    pending = chat.console._pending[chat.key("Claire")]
    payloads = [action.payload for action in pending if "Remboursements" in action.label]
    assert len(payloads) == 2
    # Telegram refuses callback data over 64 bytes: the button would silently be left out.
    assert all(len(payload.encode("utf-8")) <= 64 for payload in payloads), payloads
    [merge] = [p for p in payloads if "fusionner" in p]
    choose = await chat.say("Claire", merge)
    assert "par quelle compétence ?" in choose
    [validate] = [p for p in payloads if "valider" in p]
    assert "est maintenant une compétence du réseau" in await chat.say("Claire", validate)
    # The same button pressed again, and a number that names no proposal.
    assert "a déjà été validée" in await chat.say("Claire", validate)
    missing = await chat.say("Claire", "/competences valider #999999")
    assert "#999999" in missing and "Traceback" not in missing
    # A taxonomy skill's number is not a proposal.
    async with chat.app.services.uow() as uow:
        canva = await uow.skills.by_slug("canva")
    assert canva is not None
    refused = await chat.say("Claire", f"/competences valider #{canva.id}")
    assert "compétence du réseau" not in refused


async def test_the_members_who_declared_a_proposal_are_told_what_coordinators_decided(
    chat: Conversation,
) -> None:
    await chat.join("Sophie")
    await chat.join("Bruno")
    await chat.join("Claire", Role.COORDINATOR)
    await chat.declare("Sophie", "Genially (je peux former)")
    await chat.declare("Bruno", "Padlet (je pratique)")
    await chat.say("Bruno", "/langue en")
    told = await chat.say("Claire", "/competences valider Genially")
    assert "La coordination a ajouté votre compétence « Genially »" in told
    assert "Les demandes qui la citent vous parviennent maintenant." in told
    assert told.count("Genially") == told.count("« Genially »")  # nothing to Bruno about it
    told = await chat.say("Claire", "/competences fusionner Padlet avec Canva")
    assert "In your skills, “Padlet” is now Canva." in told
    assert "Your level is kept." in told
    # Said once: the same review again changes nothing and tells no one again.
    again = await chat.say("Claire", "/competences fusionner Padlet avec Canva")
    assert "is now Canva" not in again


async def test_a_demande_reads_the_network_skills_with_the_ones_it_names(
    chat: Conversation,
) -> None:
    """One statement reads the network's skills (to find them in the text) and the taxonomy
    skills the text names (to store them with the request)."""
    await _genially_network(chat)
    kinds: list[str] = []

    def record(*args: Any) -> None:
        kinds.append(statement_kind(args[2]))

    engine = chat.app.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        await chat.say("Amina", "/demande elle n'arrive pas à utiliser genialy ni ameli")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    async with chat.app.services.uow() as uow:
        [request] = await uow.requests.list_involving((await chat.member("Amina")).id)
    assert sorted(skill.slug for skill in request.skills) == ["ameli", "x-genially"]
    before_storing = kinds[: kinds.index("INSERT help_requests")]
    assert before_storing.count("SELECT skills") == 1, kinds


async def test_a_request_in_a_network_with_its_own_skills_is_read_once(
    chat: Conversation, monkeypatch: Any
) -> None:
    """The text of a `/demande` is read (skill detection, ~1 ms) once, with the network's
    own skills as matching keeps them, not once with the taxonomy's and again with the
    network's; and the network's skill it names is found and offered."""
    await _genially_network(chat)
    read: list[str] = []
    find_in_text = SkillMatcher.find_in_text

    def counted(self: SkillMatcher, text: str) -> list[Any]:
        read.append(text)
        return find_in_text(self, text)

    monkeypatch.setattr(SkillMatcher, "find_in_text", counted)
    # A text not read before in this process (the matchers remember the texts they read).
    text = f"elle n'arrive pas à utiliser genialy pour son exposé ({chat.app.db.dialect})"
    await chat.say("Amina", f"/demande {text}")
    assert await offered(chat, 1) == ["Sophie"]
    assert read.count(text) == 1, read
