"""Help requests, their skills, relay messages and skill gaps."""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Executable,
    Integer,
    Row,
    Select,
    Table,
    Update,
    and_,
    bindparam,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from domain.records import (
    HelpRequest,
    Moved,
    RelayMessage,
    RequestStatus,
    SkillRow,
    SkillSource,
    Urgency,
)
from storage.models import (
    HelpRequestModel,
    MemberModel,
    RelayMessageModel,
    RequestSkillModel,
    SkillGapModel,
    SkillModel,
    StructureModel,
)
from storage.repositories._core import execute_core
from storage.repositories._upsert import insert_for

_MEMBERS: Table = MemberModel.__table__  # type: ignore[assignment]
_STRUCTURES: Table = StructureModel.__table__  # type: ignore[assignment]
_REQUESTS: Table = HelpRequestModel.__table__  # type: ignore[assignment]
_REQUEST_SKILLS: Table = RequestSkillModel.__table__  # type: ignore[assignment]
_SKILLS: Table = SkillModel.__table__  # type: ignore[assignment]
_SKILL_COLUMNS = (
    _SKILLS.c.id,
    _SKILLS.c.slug,
    _SKILLS.c.label_fr,
    _SKILLS.c.label_en,
    _SKILLS.c.source,
)


def _request_query() -> Select[Any]:
    """The request's columns, then its author's name and structure and its helper's name
    (plain rows: no ORM instance enters the session, so Core UPDATEs never leave one stale)."""
    author = _MEMBERS.alias("author")
    helper = _MEMBERS.alias("helper")
    structures = _STRUCTURES
    return (
        select(*_REQUESTS.c, author.c.display_name, structures.c.name, helper.c.display_name)
        .select_from(_REQUESTS)
        .outerjoin(author, author.c.id == _REQUESTS.c.author_id)
        .outerjoin(structures, structures.c.id == author.c.structure_id)
        .outerjoin(helper, helper.c.id == _REQUESTS.c.helper_id)
    )


def _get_statement() -> Select[Any]:
    """One statement for a request with its people and skills: one row per skill, by French
    label (one row with NULL skill columns when it has none)."""
    query = _request_query().add_columns(*_SKILL_COLUMNS)
    return (
        query.outerjoin(_REQUEST_SKILLS, _REQUEST_SKILLS.c.request_id == _REQUESTS.c.id)
        .outerjoin(_SKILLS, _SKILLS.c.id == _REQUEST_SKILLS.c.skill_id)
        .where(_REQUESTS.c.id == bindparam("request_id", type_=Integer))
        .order_by(_SKILLS.c.label_fr)
    )


# Built once: statements are immutable, and a prebuilt one keeps its cache key (every
# step of a request reads it).
_GET = _get_statement()
_SKILLS_OF = (
    select(_REQUEST_SKILLS.c.request_id, *_SKILL_COLUMNS)
    .join(_SKILLS, _SKILLS.c.id == _REQUEST_SKILLS.c.skill_id)
    .where(_REQUEST_SKILLS.c.request_id.in_(bindparam("request_ids", expanding=True)))
    .order_by(_SKILLS.c.label_fr)
)
_ADD = insert(_REQUESTS)  # run with the new row's values
_WIDTH = len(_REQUESTS.c)
_AT = {name: index for index, name in enumerate(_REQUESTS.c.keys())}


def _skill(row: Sequence[Any]) -> SkillRow:
    """A skill from (id, slug, label_fr, label_en, source)."""
    return SkillRow(
        id=row[0], slug=row[1], label_fr=row[2], label_en=row[3], source=SkillSource(row[4])
    )


def _step_due(now: datetime) -> tuple[ColumnElement[bool], ...]:
    """An unclaimed request whose next matching or escalation step is due at `now`."""
    return (
        HelpRequestModel.status.in_([RequestStatus.OPEN.value, RequestStatus.OFFERED.value]),
        HelpRequestModel.next_check_at <= now,
    )


def _update(
    request_id: int,
    only_if: Mapping[str, Any] | None,
    allowed: tuple[str, ...] | None,
    **values: Any,
) -> tuple[Update, dict[str, Any]]:
    """One conditional UPDATE of a request, and what to run it with: these `values`, if the
    columns of `only_if` hold what it says (None: empty) and, with `allowed`, if its status
    is one of these (then it returns the request's status and people)."""
    checked = only_if or {}
    statement = _update_statement(
        tuple(sorted(values)),
        tuple(sorted((column, expected is None) for column, expected in checked.items())),
        allowed,
    )
    params: dict[str, Any] = {"request_id": request_id}
    params.update((f"set_{column}", value) for column, value in values.items())
    params.update((f"if_{column}", value) for column, value in checked.items() if value is not None)
    return statement, params


@functools.cache
def _update_statement(
    columns: tuple[str, ...], checks: tuple[tuple[str, bool], ...], allowed: tuple[str, ...] | None
) -> Update:
    """`_update`'s statement for one shape (columns set, columns checked and whether against
    empty, states allowed), built once: a statement used again keeps its cache key."""
    where = [_REQUESTS.c.id == bindparam("request_id")]
    if allowed is not None:
        where.append(_REQUESTS.c.status.in_(allowed))
    for column, empty in checks:
        attribute = _REQUESTS.c[column]
        where.append(attribute.is_(None) if empty else attribute == bindparam(f"if_{column}"))
    statement = (
        update(_REQUESTS)
        .where(and_(*where))
        .values({column: bindparam(f"set_{column}") for column in columns})
    )
    if allowed is None:
        return statement
    return statement.returning(_REQUESTS.c.status, _REQUESTS.c.author_id, _REQUESTS.c.helper_id)


class RequestRepository:
    """Store help requests and move them through their states with conditional UPDATEs."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _execute(
        self, statement: Executable, params: Mapping[str, Any] | list[dict[str, Any]] | None = None
    ) -> CursorResult[Any]:
        """Run a Core statement in this unit of work (these statements read and write plain
        rows, no ORM objects)."""
        return await execute_core(self._session, statement, params)

    async def add(
        self,
        *,
        author_id: int,
        text: str,
        urgency: Urgency,
        now: datetime,
        status: RequestStatus = RequestStatus.OPEN,
        skill_ids: Iterable[int] = (),
    ) -> int:
        """Store a new request (open unless told otherwise) with the skills it needs, and
        return its number.

        It is due for matching at once: if the process stops before matching it, the next
        periodic check does.
        """
        result = await self._execute(
            _ADD,
            {
                "author_id": author_id,
                "text": text,
                "urgency": urgency.value,
                "status": status.value,
                "round": 0,
                "next_check_at": now,
                "created_at": now,
                "updated_at": now,
                "thanked": False,
            },
        )
        key = result.inserted_primary_key
        assert key is not None
        request_id = int(key[0])
        await self._insert_skills(request_id, skill_ids)
        return request_id

    async def get(self, request_id: int) -> HelpRequest | None:
        """The request with its people and skills, if it exists (one statement)."""
        rows = (await self._execute(_GET, {"request_id": request_id})).all()
        if not rows:
            return None
        skills = tuple(_skill(row[_WIDTH + 3 :]) for row in rows if row[_WIDTH + 3] is not None)
        return self._record(rows[0], skills)

    async def list_involving(self, member_id: int, limit: int = 20) -> list[HelpRequest]:
        """The member's own requests and the ones they hold, newest first."""
        rows = (
            await self._execute(
                _request_query()
                .where(or_(_REQUESTS.c.author_id == member_id, _REQUESTS.c.helper_id == member_id))
                .order_by(_REQUESTS.c.id.desc())
                .limit(limit)
            )
        ).all()
        if not rows:
            return []
        skills: dict[int, list[SkillRow]] = {row[_AT["id"]]: [] for row in rows}
        for found in await self._execute(_SKILLS_OF, {"request_ids": list(skills)}):
            skills[found[0]].append(_skill(found[1:]))
        return [self._record(row, tuple(skills[row[_AT["id"]]])) for row in rows]

    @staticmethod
    def _record(row: Row[Any], skills: tuple[SkillRow, ...]) -> HelpRequest:
        """A request from a row of `_request_query` (the request's columns, then the names)."""
        author_name, author_structure, helper_name = row[_WIDTH : _WIDTH + 3]
        return HelpRequest(
            id=row[_AT["id"]],
            author_id=row[_AT["author_id"]],
            author_name=author_name,
            author_structure=author_structure,
            text=row[_AT["text"]],
            urgency=Urgency(row[_AT["urgency"]]),
            status=RequestStatus(row[_AT["status"]]),
            helper_id=row[_AT["helper_id"]],
            helper_name=helper_name,
            round=row[_AT["round"]],
            created_at=row[_AT["created_at"]],
            claimed_at=row[_AT["claimed_at"]],
            resolved_at=row[_AT["resolved_at"]],
            closed_at=row[_AT["closed_at"]],
            alerted_at=row[_AT["alerted_at"]],
            next_check_at=row[_AT["next_check_at"]],
            skills=skills,
        )

    async def set_skills(self, request_id: int, skill_ids: Iterable[int]) -> None:
        """Replace the skills a request needs."""
        await self._execute(
            _REQUEST_SKILLS.delete().where(_REQUEST_SKILLS.c.request_id == request_id)
        )
        await self._insert_skills(request_id, skill_ids)

    async def _insert_skills(self, request_id: int, skill_ids: Iterable[int]) -> None:
        wanted = sorted(set(skill_ids))
        if wanted:
            await self._execute(
                insert_for(self._session, _REQUEST_SKILLS),
                [{"request_id": request_id, "skill_id": skill_id} for skill_id in wanted],
            )

    async def transition(
        self,
        request_id: int,
        *,
        allowed_from: Collection[RequestStatus],
        to: RequestStatus,
        now: datetime,
        only_if: dict[str, Any] | None = None,
        **values: Any,
    ) -> Moved | None:
        """Move a request to `to` only if it is in one of `allowed_from` (and matches `only_if`).

        One conditional UPDATE: under concurrency exactly one caller wins, on SQLite and on
        PostgreSQL alike. Returns the request as this statement left it (its people as they
        were when it changed, e.g. the helper who took it a moment before a cancel), or None
        when this caller lost.
        """
        allowed = tuple(sorted(status.value for status in allowed_from))
        statement, params = _update(
            request_id, only_if, allowed, status=to.value, updated_at=now, **values
        )
        row = (await self._execute(statement, params)).mappings().first()
        if row is None:
            return None
        return Moved(
            status=RequestStatus(row["status"]),
            author_id=row["author_id"],
            helper_id=row["helper_id"],
        )

    async def update_fields(
        self, request_id: int, now: datetime, only_if: dict[str, Any] | None = None, **values: Any
    ) -> bool:
        """Change fields of a request without changing its state (optionally conditional)."""
        statement, params = _update(request_id, only_if, None, updated_at=now, **values)
        return (await self._execute(statement, params)).rowcount == 1

    async def due_for_check(self, now: datetime, limit: int = 100) -> list[int]:
        """Open or offered requests whose next matching or escalation step is due."""
        rows = await self._session.scalars(
            select(HelpRequestModel.id)
            .where(*_step_due(now))
            .order_by(HelpRequestModel.next_check_at)
            .limit(limit)
        )
        return list(rows)

    async def claim_due(self, request_id: int, now: datetime) -> bool:
        """Lock the request for this transaction if its next step is still due.

        False when another worker holds it (PostgreSQL `FOR UPDATE SKIP LOCKED`: its step
        is under way there, this worker moves on) or when its step is no longer due (another
        worker ran it). SQLite has one writer at a time: the row is only checked.
        """
        found = await self._session.scalar(
            select(HelpRequestModel.id)
            .where(HelpRequestModel.id == request_id, *_step_due(now))
            .with_for_update(skip_locked=True)
        )
        return found is not None

    async def resolved_before(self, cutoff: datetime, limit: int = 100) -> list[int]:
        """Requests marked solved before `cutoff` that their author has not confirmed."""
        rows = await self._session.scalars(
            select(HelpRequestModel.id)
            .where(
                HelpRequestModel.status == RequestStatus.RESOLVED.value,
                HelpRequestModel.resolved_at <= cutoff,
            )
            .order_by(HelpRequestModel.id)
            .limit(limit)
        )
        return list(rows)

    async def add_relay(
        self, *, request_id: int, sender_id: int, text: str, now: datetime, held: bool = False
    ) -> RelayMessage:
        """Keep a message of the request's thread (`held`: not passed on yet)."""
        row = RelayMessageModel(
            request_id=request_id, sender_id=sender_id, text=text, created_at=now, held=held
        )
        self._session.add(row)
        await self._session.flush()
        return RelayMessage(row.id, request_id, sender_id, text, now, held)

    async def relay(self, relay_id: int) -> RelayMessage | None:
        """One message of a thread."""
        row = await self._session.get(RelayMessageModel, relay_id)
        if row is None:
            return None
        return RelayMessage(
            row.id, row.request_id, row.sender_id, row.text, row.created_at, row.held
        )

    async def set_held_relay(self, relay_id: int, *, text: str, held: bool) -> bool:
        """Change the text of a held message, and pass it on (`held=False`) or keep it held;
        False when it is not held (any more): it was passed on already, or erased."""
        result = await self._session.execute(
            update(RelayMessageModel)
            .where(RelayMessageModel.id == relay_id, RelayMessageModel.held.is_(True))
            .values(text=text, held=held)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def thread(self, request_id: int) -> list[RelayMessage]:
        """The request's relayed messages, oldest first."""
        rows = await self._session.scalars(
            select(RelayMessageModel)
            .where(RelayMessageModel.request_id == request_id)
            .order_by(RelayMessageModel.id)
        )
        return [
            RelayMessage(r.id, r.request_id, r.sender_id, r.text, r.created_at, r.held)
            for r in rows
        ]

    async def record_gap(
        self, request_id: int, skill_ids: Iterable[int | None], now: datetime
    ) -> None:
        """Remember that no helper fitted these skills of the request (once per skill)."""
        values = [
            {"request_id": request_id, "skill_id": skill_id, "created_at": now}
            for skill_id in set(skill_ids)
        ]
        if values:
            await self._session.execute(
                insert_for(self._session, SkillGapModel.__table__).on_conflict_do_nothing(  # type: ignore[arg-type]
                    index_elements=["request_id", "skill_id"]
                ),
                values,
            )

    async def gaps(self, request_id: int) -> list[int | None]:
        """The skills recorded as gaps for a request."""
        rows = await self._session.scalars(
            select(SkillGapModel.skill_id).where(SkillGapModel.request_id == request_id)
        )
        return list(rows)
