"""Evaluation indicators: SQL aggregates on a hand-made history, with numbers counted by hand.

The history (times in UTC; the network's timezone is Europe/Paris, UTC+2 until 25 October
2026 and UTC+1 after). Q4 2026 in Paris is [2026-09-30 22:00Z, 2026-12-31 23:00Z).

Members: Amina (Mission locale), Bruno (EPN Résoudre), Karim (Mission locale),
Léa (no structure), Zoé (EPN Résoudre, gone). Skills and the members who can help
(practising or teaching, not gone):
ameli: Karim, Bruno (Amina only discovers) → 2 · blender: Léa → 1 ·
excel: nobody (Zoé teaches it but is gone, Karim only discovers) → 0 · pix: Bruno, Karim, Léa → 3

Q4 requests:
 R1  Amina  09-30 22:30Z (1 Oct, Paris)  ameli   claimed by Karim +2 h, resolved +1 d, closed
 R2  Bruno  10-10 09:00  ameli, blender   claimed by Léa +4 h, resolved +3 d (not confirmed yet)
 R3  Amina  10-20 09:00  excel            open
 R4  Léa    11-02 09:00  blender          offered
 R5  Amina  11-05 09:00  pix              claimed by Bruno +1 h
 R6  Karim  11-10 09:00  ameli            claimed by Bruno +6 h, then cancelled by Karim
 R7  Bruno  11-20 09:00  (no skill)       cancelled while open
 R8  Amina  12-01 09:00  blender          draft, never sent
 R9  Léa    12-03 09:00  excel            deflected: a tutorial answered the draft
 R10 Bruno  12-05 09:00  ameli            claimed by Karim +30 min, resolved +2 h, closed
 R11 Karim  12-31 23:30Z (1 Jan 2027 in Paris): next quarter
Q3 requests:
 P1  Amina  09-30 21:30Z (30 Sep, Paris)  ameli  claimed by Karim +1 h, resolved +10 h, closed
 P2  Bruno  08-10 09:00  pix     open
 P3  Léa    07-15 09:00  excel   deflected
 P4  Karim  06-30 12:00  open (Q2)
Sessions: S1 10 Dec 2026 (Amina yes, Bruno yes, Karim maybe, Léa yes then no);
S2 15 Nov 2026 cancelled (Karim yes); S3 20 Sep 2026 (Amina, Bruno, Karim yes); S4 Jan 2027.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.core import indicators
from bot.core.clock import FixedClock
from bot.core.indicators import (
    HelpFlow,
    MonthStates,
    Period,
    PeriodKind,
    SessionAttendance,
    SkillDemand,
    StructureActivity,
)
from bot.core.services import Services
from domain.figures import FlowCount, SessionCounts, SkillAsked, StructureCounts
from domain.records import MemberStatus, RequestStatus, Role, RsvpAnswer, TutorialStatus, Urgency
from skills import SkillLevel, default_matcher
from storage.db import Database, UnitOfWork

S = RequestStatus
PARIS = "Europe/Paris"
Q4_START = datetime(2026, 9, 30, 22, 0, tzinfo=UTC)  # 1 Oct 2026 00:00 in Paris
Q4_END = datetime(2026, 12, 31, 23, 0, tzinfo=UTC)  # 1 Jan 2027 00:00 in Paris
Q3_START = datetime(2026, 6, 30, 22, 0, tzinfo=UTC)  # 1 Jul 2026 00:00 in Paris
ML, EPN = "Mission locale", "EPN Résoudre"
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A moment of 2026, in UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def services_of(db: Database) -> Services:
    """The use-cases' services over `db`, on 20 December at noon (only `compare` reads the time)."""
    return Services(uow=db.uow, clock=FixedClock(at(12, 20, 12)), matcher=default_matcher())


async def _request(
    uow: UnitOfWork,
    author: int,
    created: datetime,
    skills: list[int],
    status: RequestStatus = S.OPEN,
    helper: int | None = None,
    claim: timedelta | None = None,
    resolve: timedelta | None = None,
    close: timedelta | None = None,
    tutorial: int | None = None,
) -> None:
    """A request moved straight to `status`; claim/resolve/close are delays after `created`."""
    request_id = await uow.requests.add(
        author_id=author, text="besoin", urgency=Urgency.WEEK, now=created
    )
    await uow.requests.set_skills(request_id, skills)
    if status is not S.OPEN:
        moved = await uow.requests.transition(
            request_id,
            allowed_from=[S.OPEN],
            to=status,
            now=created,
            helper_id=helper,
            claimed_at=created + claim if claim else None,
            resolved_at=created + resolve if resolve else None,
            closed_at=created + close if close else None,
            solved_by_tutorial_id=tutorial,
        )
        assert moved


async def seed(db: Database) -> dict[str, int]:
    """Write the history of the module docstring; returns the session numbers."""
    now = at(6, 1)
    async with db.uow() as uow:
        ml = (await uow.structures.add(ML, now)).id
        epn = (await uow.structures.add(EPN, now)).id
        people = {}
        for name, structure in (
            ("Amina", ml),
            ("Bruno", epn),
            ("Karim", ml),
            ("Léa", None),
            ("Zoé", epn),
        ):
            member = await uow.members.add(
                display_name=name, role=Role.MEMBER, locale="fr", structure_id=structure, now=now
            )
            people[name] = member.id
        amina, bruno, karim, lea, zoe = people.values()
        await uow.members.update_profile(zoe, now, status=MemberStatus.LEFT)
        skill = {
            slug: (
                await uow.skills.add_proposed(slug=slug, label=label, proposed_by=karim, now=now)
            ).id
            for slug, label in (
                ("ameli", "Ameli"),
                ("blender", "Blender"),
                ("excel", "Excel"),
                ("pix", "Pix"),
            )
        }
        levels = [
            (karim, "ameli", SkillLevel.TEACHING),
            (bruno, "ameli", SkillLevel.PRACTISING),
            (amina, "ameli", SkillLevel.DISCOVERING),
            (lea, "blender", SkillLevel.PRACTISING),
            (amina, "blender", SkillLevel.DISCOVERING),
            (zoe, "excel", SkillLevel.TEACHING),
            (karim, "excel", SkillLevel.DISCOVERING),
            (bruno, "pix", SkillLevel.TEACHING),
            (karim, "pix", SkillLevel.PRACTISING),
            (lea, "pix", SkillLevel.TEACHING),
        ]
        for member_id, slug, level in levels:
            await uow.skills.set_level(
                member_id=member_id, skill_id=skill[slug], level=level, now=now
            )
        tutorial = await uow.tutorials.add(
            request_id=None,
            author_id=karim,
            title="Ameli",
            problem="Compte bloqué",
            steps=["Ouvrir le site"],
            skill_ids=[],
            now=now,
            status=TutorialStatus.PUBLISHED,
        )
        ameli, blender, excel, pix = skill.values()

        await _request(
            uow, amina, at(9, 30, 22, 30), [ameli], S.CLOSED, karim, 2 * HOUR, DAY, 2 * DAY
        )
        await _request(uow, bruno, at(10, 10), [ameli, blender], S.RESOLVED, lea, 4 * HOUR, 3 * DAY)
        await _request(uow, amina, at(10, 20), [excel])
        await _request(uow, lea, at(11, 2), [blender], S.OFFERED)
        await _request(uow, amina, at(11, 5), [pix], S.CLAIMED, bruno, HOUR)
        await _request(uow, karim, at(11, 10), [ameli], S.CANCELLED, bruno, 6 * HOUR, close=DAY)
        await _request(uow, bruno, at(11, 20), [], S.CANCELLED, close=DAY)
        await _request(uow, amina, at(12, 1), [blender], S.DRAFT)
        await _request(uow, lea, at(12, 3), [excel], S.CLOSED, close=HOUR / 6, tutorial=tutorial)
        await _request(uow, bruno, at(12, 5), [ameli], S.CLOSED, karim, HOUR / 2, 2 * HOUR, 3 * DAY)
        await _request(uow, karim, at(12, 31, 23, 30), [ameli])

        await _request(
            uow, amina, at(9, 30, 21, 30), [ameli], S.CLOSED, karim, HOUR, 10 * HOUR, DAY
        )
        await _request(uow, bruno, at(8, 10), [pix])
        await _request(uow, lea, at(7, 15), [excel], S.CLOSED, close=HOUR / 12, tutorial=tutorial)
        await _request(uow, karim, at(6, 30, 12), [])

        sessions = {}
        for name, starts, place in (
            ("S1", at(12, 10, 8), "Médiathèque"),
            ("S2", at(11, 15, 8), None),
            ("S3", at(9, 20, 7), "EPN"),
            ("S4", datetime(2027, 1, 14, 8, tzinfo=UTC), None),
        ):
            sessions[name] = await uow.sessions.add(
                starts_at=starts,
                ends_at=starts + 3 * HOUR,
                timezone=PARIS,
                place=place,
                agenda=None,
                now=now,
            )
        await uow.sessions.change(sessions["S2"], now, status="cancelled")
        answers = [
            ("S1", amina, RsvpAnswer.YES),
            ("S1", bruno, RsvpAnswer.YES),
            ("S1", karim, RsvpAnswer.MAYBE),
            ("S1", lea, RsvpAnswer.YES),
            ("S1", lea, RsvpAnswer.NO),  # Léa changed her mind: only her last answer counts
            ("S2", karim, RsvpAnswer.YES),
            ("S3", amina, RsvpAnswer.YES),
            ("S3", bruno, RsvpAnswer.YES),
            ("S3", karim, RsvpAnswer.YES),
            ("S4", amina, RsvpAnswer.YES),
        ]
        for name, member_id, answer in answers:
            await uow.sessions.answer(
                session_id=sessions[name], member_id=member_id, answer=answer, now=now
            )
        await uow.commit()
    return sessions


async def test_request_counts_of_a_quarter(db: Database) -> None:
    await seed(db)
    async with db.uow() as uow:
        counts = await uow.indicators.requests(Q4_START, Q4_END)
        previous = await uow.indicators.requests(Q3_START, Q4_START)
    # Posted in Q4: R1-R7 and R10 (R8 is a draft, R9 deflected, R11 is in January in Paris).
    assert counts.asked == 8
    # Claimed: R1, R2, R5, R6 (cancelled after the claim, the claim stays) and R10.
    assert counts.claimed == 5
    # Resolved or closed: R1, R2, R10, plus the deflected R9 (cancelled R6 and R7 are not).
    assert counts.solved == 4
    assert counts.deflected == 1  # R9
    # Q3: P1 and P2 posted (P1 at 23:30 on 30 Sep in Paris; P4 is in Q2), P3 deflected.
    assert (previous.asked, previous.claimed, previous.solved, previous.deflected) == (2, 1, 2, 1)


async def test_durations_are_raw_seconds(db: Database) -> None:
    await seed(db)
    async with db.uow() as uow:
        durations = await uow.indicators.durations(Q4_START, Q4_END)
    # To the claim: R10 30 min, R5 1 h, R1 2 h, R2 4 h, R6 6 h.
    assert durations.to_claim == [1800, 3600, 7200, 14400, 21600]
    # To the solution (resolved_at): R10 2 h, R1 1 day, R2 3 days; R9 (deflected) left out.
    assert durations.to_solution == [7200, 86400, 259200]


async def test_skills_asked_with_their_helpers(db: Database) -> None:
    await seed(db)
    async with db.uow() as uow:
        skills = await uow.indicators.skills(Q4_START, Q4_END)
    assert skills == [
        SkillAsked("ameli", "Ameli", "Ameli", 4, 2),  # R1, R2, R6, R10; Karim and Bruno
        SkillAsked("blender", "Blender", "Blender", 2, 1),  # R2, R4 (R8 is a draft); Léa
        SkillAsked("excel", "Excel", "Excel", 1, 0),  # R3 (R9 deflected); Zoé is gone
        SkillAsked("pix", "Pix", "Pix", 1, 3),  # R5; Bruno, Karim, Léa
    ]


async def test_structures_and_who_helps_whom(db: Database) -> None:
    await seed(db)
    async with db.uow() as uow:
        structures = await uow.indicators.structures(Q4_START, Q4_END)
        flows = await uow.indicators.help_flows(Q4_START, Q4_END)
    assert structures == [
        # Asked: Amina R1, R3, R5 + Karim R6. Helped: Karim R1, R10.
        StructureCounts(ML, 4, 2),
        # Asked: Bruno R2, R7, R10. Helped: Bruno R5, R6 (cancelled after his claim).
        StructureCounts(EPN, 3, 2),
        # No structure: Léa asked R4 (R9 deflected) and helped with R2.
        StructureCounts(None, 1, 1),
    ]
    assert flows == [
        FlowCount(EPN, ML, 2),  # Bruno helped Amina (R5) and Karim (R6)
        FlowCount(ML, EPN, 1),  # Karim helped Bruno (R10)
        FlowCount(ML, ML, 1),  # Karim helped Amina (R1)
        FlowCount(None, EPN, 1),  # Léa helped Bruno (R2)
    ]


async def test_sessions_of_the_period_with_their_answers(db: Database) -> None:
    ids = await seed(db)
    async with db.uow() as uow:
        sessions = await uow.indicators.sessions(Q4_START, Q4_END)
        earlier = await uow.indicators.sessions(Q3_START, Q4_START)
    # S2 is cancelled, S4 in January: only S1, where Léa's last answer is "no".
    assert sessions == [SessionCounts(ids["S1"], at(12, 10, 8), "Médiathèque", 2, 1, 1)]
    assert earlier == [SessionCounts(ids["S3"], at(9, 20, 7), "EPN", 3, 0, 0)]


async def test_requests_per_month_in_the_network_timezone(db: Database) -> None:
    await seed(db)
    async with db.uow() as uow:
        months = await uow.indicators.month_states(Q4_START, Q4_END, PARIS)
    assert months == {
        date(2026, 10, 1): {"closed": 1, "resolved": 1, "open": 1},  # R1 (1 Oct in Paris), R2, R3
        date(2026, 11, 1): {"offered": 1, "claimed": 1, "cancelled": 2},  # R4, R5, R6 and R7
        date(2026, 12, 1): {"deflected": 1, "closed": 1},  # R9, R10 (R8 is a draft)
    }


def test_calendar_periods_in_paris() -> None:
    now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    quarter = indicators.period_of(PeriodKind.QUARTER, now, PARIS)
    assert quarter == Period(PeriodKind.QUARTER, Q4_START, Q4_END, PARIS)
    assert indicators.previous(quarter) == Period(PeriodKind.QUARTER, Q3_START, Q4_START, PARIS)
    month = indicators.period_of(PeriodKind.MONTH, now, PARIS)
    # November starts after the switch to winter time (UTC+1).
    assert (month.start, month.end) == (at(10, 31, 23), at(11, 30, 23))
    assert indicators.previous(month).start == Q4_START  # October starts in summer time
    year = indicators.period_of(PeriodKind.YEAR, now, PARIS)
    assert (year.start, year.end) == (datetime(2025, 12, 31, 23, tzinfo=UTC), Q4_END)
    # 22:30 UTC on 30 September is already 1 October in Paris.
    late = indicators.period_of(PeriodKind.QUARTER, at(9, 30, 22, 30), PARIS)
    assert late.start == Q4_START
    assert indicators.kind_of(Q4_START, Q4_END) is PeriodKind.QUARTER
    assert indicators.kind_of(month.start, month.end) is PeriodKind.MONTH


async def test_indicators_of_a_quarter_and_the_previous_one(db: Database) -> None:
    ids = await seed(db)
    quarter = Period(PeriodKind.QUARTER, Q4_START, Q4_END, PARIS)
    services = services_of(db)
    figures = await indicators.compute(services, quarter)
    assert (figures.asked, figures.claimed, figures.solved, figures.deflected) == (8, 5, 4, 1)
    assert figures.median_to_claim == timedelta(hours=2)  # of 30 min, 1 h, 2 h, 4 h, 6 h
    assert figures.median_to_solution == timedelta(days=1)  # of 2 h, 1 day, 3 days
    assert figures.deflection_share == 0.25  # R9 of R1, R2, R9, R10
    assert figures.skill_gaps == [
        SkillDemand("blender", "Blender", "Blender", 2, 1),
        SkillDemand("excel", "Excel", "Excel", 1, 0),
    ]
    assert figures.structures == [
        StructureActivity(ML, 4, 2),
        StructureActivity(EPN, 3, 2),
        StructureActivity(indicators.NO_STRUCTURE, 1, 1),
    ]
    assert figures.sessions == [SessionAttendance(ids["S1"], at(12, 10, 8), "Médiathèque", 2, 1, 1)]
    assert figures.attendance == 2

    current, before = await indicators.compare(services, PeriodKind.QUARTER, PARIS)
    assert current == figures  # the current quarter, up to now: the same figures
    assert before.period == Period(PeriodKind.QUARTER, Q3_START, Q4_START, PARIS)
    # Q3: P1 and P2 asked, P1 claimed after 1 h and resolved after 10 h, P3 deflected; S3.
    assert (before.asked, before.claimed, before.solved, before.deflected) == (2, 1, 2, 1)
    assert before.median_to_claim == timedelta(hours=1)
    assert before.median_to_solution == timedelta(hours=10)
    assert before.deflection_share == 0.5
    assert before.skill_gaps == []  # ameli (2 helpers) and pix (3)
    assert before.attendance == 3

    current, before = await indicators.compare(services, PeriodKind.MONTH, PARIS)
    assert current.period == Period(PeriodKind.MONTH, at(11, 30, 23), Q4_END, PARIS)
    # December: R10 asked and claimed (R8 is a draft); R10 and the deflected R9 solved; S1.
    assert (current.asked, current.claimed, current.solved, current.deflected) == (1, 1, 2, 1)
    assert (current.deflection_share, current.attendance) == (0.5, 2)
    # November: R4, R5, R6, R7 asked; R5 and R6 claimed; nothing solved; S2 is cancelled.
    assert (before.asked, before.claimed, before.solved, before.deflected) == (4, 2, 0, 0)
    assert (before.median_to_solution, before.deflection_share, before.attendance) == (
        None,
        None,
        0,
    )


async def test_report_data(db: Database) -> None:
    await seed(db)
    report = await indicators.report_data(services_of(db), Q4_START, Q4_END, PARIS)
    assert report.indicators.period == Period(PeriodKind.QUARTER, Q4_START, Q4_END, PARIS)
    assert report.indicators.asked == 8
    # A calendar quarter is compared with the calendar quarter before (P4 is in Q2).
    assert report.previous.period == Period(PeriodKind.QUARTER, Q3_START, Q4_START, PARIS)
    assert (report.previous.asked, report.previous.solved) == (2, 2)
    assert report.per_month == [
        MonthStates(date(2026, 10, 1), {"closed": 1, "resolved": 1, "open": 1}),
        MonthStates(date(2026, 11, 1), {"offered": 1, "claimed": 1, "cancelled": 2}),
        MonthStates(date(2026, 12, 1), {"deflected": 1, "closed": 1}),
    ]
    assert report.hours_to_claim == [0.5, 1.0, 2.0, 4.0, 6.0]
    assert [skill.slug for skill in report.skills] == ["ameli", "blender", "excel", "pix"]
    assert report.help_flows == [
        HelpFlow(EPN, ML, 2),
        HelpFlow(ML, EPN, 1),
        HelpFlow(ML, ML, 1),
        HelpFlow(indicators.NO_STRUCTURE, EPN, 1),
    ]


async def test_report_of_any_span_compares_with_the_same_length_before(db: Database) -> None:
    await seed(db)
    since, until = at(11, 10), at(12, 10)  # 30 days: compared with 11 October - 10 November
    report = await indicators.report_data(services_of(db), since, until, PARIS)
    assert report.indicators.period.kind is PeriodKind.MONTH
    assert (report.previous.period.start, report.previous.period.end) == (at(10, 11), since)
    # R6, R7 and R10 (R8 is a draft, R9 deflected) against R3, R4 and R5.
    assert (report.indicators.asked, report.previous.asked) == (3, 3)
    # R10 and the deflected R9 solved, against none.
    assert (report.indicators.solved, report.previous.solved) == (2, 0)
    assert report.per_month == [
        MonthStates(date(2026, 11, 1), {"cancelled": 2}),  # R6, R7
        MonthStates(date(2026, 12, 1), {"deflected": 1, "closed": 1}),  # R9, R10
    ]
