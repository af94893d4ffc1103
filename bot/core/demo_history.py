"""A plausible past quarter for the demo network, so `/stats` and the report show real figures.

Requests in every state over the last hundred days, a few deflected by a tutorial, and an
exchange session six weeks ago with its answers and notes. Everything is dated relative to
the demo's clock; nothing here is due for reminders, escalations or notices.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.core.types import RequestStatus, RsvpAnswer, Urgency
from storage.db import UnitOfWork

S = RequestStatus


@dataclass(frozen=True, slots=True)
class DemoCase:
    """One past request: who asked, who helped, what, when, and how far it went."""

    author: str
    helper: str | None
    text: str
    skills: tuple[str, ...]
    days_ago: int
    status: RequestStatus
    hours_to_claim: float | None = None
    hours_to_solve: float | None = None
    tutorial: str | None = None  # the title of the demo tutorial that answered it


DEMO_CASES = (
    DemoCase("Amina", "Karim", "Attestation ameli pour un dossier de logement.", ("ameli",), 96,
             S.CLOSED, 1.5, 20),
    DemoCase("Sophie", "Claire", "Affiche pour l'atelier CV de mars.", ("scribus",), 90,
             S.CLOSED, 5, 48),
    DemoCase("Bruno", "Sophie", "Première déclaration d'impôts en ligne d'un jeune.",
             ("impots-gouv",), 84, S.CLOSED, 0.5, 6),
    DemoCase("Amina", None, "Comment modéliser un objet simple dans Blender ?", ("blender",), 80,
             S.CANCELLED),
    DemoCase("Karim", "Amina", "Actualisation France Travail impossible sur le téléphone.",
             ("france-travail",), 75, S.CLOSED, 3, 30),
    DemoCase("Sophie", None, "Télécharger une attestation de droits ameli.", ("ameli",), 70,
             S.CLOSED, tutorial="Télécharger une attestation de droits ameli sans mot de passe"),
    DemoCase("Claire", "Bruno", "Ajouter notre EPN sur la carte OpenStreetMap.",
             ("openstreetmap",), 62, S.CLOSED, 26, 70),
    DemoCase("Amina", "Karim", "Compte CAF bloqué après trois essais.", ("caf",), 55, S.CLOSED,
             2, 26),
    DemoCase("Bruno", "Claire", "Publier un article sur le site WordPress.", ("wordpress",), 41,
             S.CLOSED, 8, 50),
    DemoCase("Sophie", "Karim", "Se connecter avec FranceConnect sans téléphone.",
             ("franceconnect",), 33, S.CLOSED, 1, 4),
    DemoCase("Karim", None, "Faire l'actualisation mensuelle France Travail.",
             ("france-travail",), 27, S.CLOSED, tutorial="Faire l'actualisation mensuelle sur "
             "France Travail"),
    DemoCase("Claire", "Karim", "Carte Vitale perdue : la commander en ligne.", ("ameli",), 12,
             S.CLAIMED, 6),
    DemoCase("Amina", "Sophie", "Avis d'impôt introuvable dans l'espace particulier.",
             ("impots-gouv",), 4, S.RESOLVED, 4, 70),
    DemoCase("Bruno", None, "Monter une courte vidéo pour présenter l'EPN.", ("montage-video",), 6,
             S.OPEN),
)  # fmt: skip
"""Fourteen past requests (two answered by a tutorial before being posted)."""

SESSION_DAYS_AGO = 42
SESSION_ANSWERS = {
    "Amina": RsvpAnswer.YES,
    "Karim": RsvpAnswer.YES,
    "Claire": RsvpAnswer.YES,
    "Bruno": RsvpAnswer.MAYBE,
    "Sophie": RsvpAnswer.NO,
}


async def seed_history(
    uow: UnitOfWork, now: datetime, members: dict[str, int], tutorials: dict[str, int]
) -> None:
    """Add the past requests and session inside the demo's unit of work."""
    slugs = {slug for case in DEMO_CASES for slug in case.skills}
    skills = await uow.skills.by_slugs(slugs)
    for case in DEMO_CASES:
        created = now - timedelta(days=case.days_ago)
        request_id = await uow.requests.add(
            author_id=members[case.author], text=case.text, urgency=Urgency.WEEK, now=created
        )
        await uow.requests.set_skills(
            request_id, [skills[slug].id for slug in case.skills if slug in skills]
        )
        values = _fields(case, created, members)
        if case.tutorial is not None:
            values["solved_by_tutorial_id"] = tutorials[case.tutorial]
        await uow.requests.update_fields(request_id, created, **values)
        if case.tutorial is not None:
            await uow.tutorials.add_feedback(
                tutorials[case.tutorial], members[case.author], "helped", created
            )
    await _seed_session(uow, now, members)


def _fields(case: DemoCase, created: datetime, members: dict[str, int]) -> dict[str, Any]:
    values: dict[str, Any] = {"status": case.status.value, "next_check_at": None}
    if case.tutorial is not None:
        values.update(closed_at=created + timedelta(minutes=2))
        return values
    if case.helper is not None and case.hours_to_claim is not None:
        values.update(
            helper_id=members[case.helper],
            claimed_at=created + timedelta(hours=case.hours_to_claim),
        )
    if case.hours_to_solve is not None:
        solved = created + timedelta(hours=case.hours_to_solve)
        values.update(resolved_at=solved)
        if case.status is S.CLOSED:
            values.update(closed_at=solved + timedelta(hours=2), thanked=True)
    if case.status is S.CANCELLED:
        values.update(closed_at=created + timedelta(days=3))
    return values


async def _seed_session(uow: UnitOfWork, now: datetime, members: dict[str, int]) -> None:
    day = (now - timedelta(days=SESSION_DAYS_AGO)).replace(hour=8, minute=0, second=0)
    session_id = await uow.sessions.add(
        starts_at=day,
        ends_at=day + timedelta(hours=3),
        timezone="Europe/Paris",
        place="EPN Résoudre",
        agenda="Démarches CAF ; cartographier nos lieux ; indicateurs d'évaluation",
        now=day - timedelta(days=30),
    )
    await uow.sessions.set_notes(
        session_id, "Douze participants. Suite : un atelier OpenStreetMap au printemps.", day
    )
    for name, answer in SESSION_ANSWERS.items():
        await uow.sessions.answer(
            session_id=session_id, member_id=members[name], answer=answer, now=day
        )
