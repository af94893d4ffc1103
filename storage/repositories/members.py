"""Members and their identities on each platform."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CursorResult, Select, bindparam, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.records import DialogState, Identity, Member, MemberStatus, Role
from storage.models import DialogStateModel, IdentityModel, MemberModel, StructureModel
from storage.repositories.dialogs import dialog_record


def member_query() -> Select[MemberModel, str]:
    """Members with their structure's name."""
    return select(MemberModel, StructureModel.name).outerjoin(
        StructureModel, StructureModel.id == MemberModel.structure_id
    )


def member_record(row: MemberModel, structure_name: str | None) -> Member:
    """A member row as a record."""
    return Member(
        id=row.id,
        display_name=row.display_name,
        role=Role(row.role),
        locale=row.locale,
        status=MemberStatus(row.status),
        structure_id=row.structure_id,
        structure_name=structure_name,
        created_at=row.created_at,
    )


def _identity(row: IdentityModel) -> Identity:
    return Identity(
        id=row.id,
        member_id=row.member_id,
        platform=row.platform,
        platform_user_id=row.platform_user_id,
        chat_id=row.chat_id,
        preferred=row.preferred,
    )


# Built once (bound to `platform` and `platform_user_id` when run): every message reads its
# sender with one of these, and a statement built anew costs ~0.1 ms to build and key.
_BY_IDENTITY = (
    member_query()
    .join(IdentityModel, IdentityModel.member_id == MemberModel.id)
    .where(
        IdentityModel.platform == bindparam("platform"),
        IdentityModel.platform_user_id == bindparam("platform_user_id"),
    )
)
_BY_IDENTITY_WITH_DIALOG = _BY_IDENTITY.add_columns(DialogStateModel).outerjoin(
    DialogStateModel, DialogStateModel.member_id == MemberModel.id
)

# Whom a request nobody can take is reported to (matching asks on every such request).
_COORDINATING = (Role.COORDINATOR, Role.ADMIN)
_COORDINATORS = (
    member_query()
    .where(
        # The roles written out, as `models.COORDINATING` writes them (their partial index).
        MemberModel.role.in_([literal(role.value, literal_execute=True) for role in _COORDINATING]),
        MemberModel.status == MemberStatus.ACTIVE.value,
    )
    .order_by(MemberModel.display_name)
)


class MemberRepository:
    """Read, add and update members and identities."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, member_id: int) -> Member | None:
        """The member with this id, if any."""
        found = (
            await self._session.execute(member_query().where(MemberModel.id == member_id))
        ).first()
        return member_record(found[0], found[1]) if found else None

    async def by_identity(self, platform: str, platform_user_id: str) -> Member | None:
        """The member who owns this platform account, if any."""
        found = (
            await self._session.execute(
                _BY_IDENTITY, {"platform": platform, "platform_user_id": platform_user_id}
            )
        ).first()
        return member_record(found[0], found[1]) if found else None

    async def by_identity_with_dialog(
        self, platform: str, platform_user_id: str
    ) -> tuple[Member, DialogState | None] | None:
        """The member who owns this platform account, if any, and their open dialog, if
        any (one statement: `by_identity` and `DialogRepository.get`)."""
        found = (
            await self._session.execute(
                _BY_IDENTITY_WITH_DIALOG,
                {"platform": platform, "platform_user_id": platform_user_id},
            )
        ).first()
        if found is None:
            return None
        member, structure_name, dialog = found
        return member_record(member, structure_name), (
            None if dialog is None else dialog_record(dialog)
        )

    async def by_name(self, display_name: str) -> list[Member]:
        """Members whose display name is this one, ignoring case."""
        query = member_query().where(
            func.lower(MemberModel.display_name) == display_name.strip().lower()
        )
        return [
            member_record(model, name) for model, name in (await self._session.execute(query)).all()
        ]

    async def list_all(self, *, include_left: bool = False) -> list[Member]:
        """Members ordered by structure then name (left members only on request)."""
        query = member_query().order_by(StructureModel.name, MemberModel.display_name)
        if not include_left:
            query = query.where(MemberModel.status != MemberStatus.LEFT.value)
        return [
            member_record(model, name) for model, name in (await self._session.execute(query)).all()
        ]

    async def coordinators(self) -> list[Member]:
        """Active coordinators and administrators, by name."""
        return [
            member_record(model, name)
            for model, name in (await self._session.execute(_COORDINATORS)).all()
        ]

    async def add(
        self,
        *,
        display_name: str,
        role: Role,
        locale: str,
        structure_id: int | None,
        now: datetime,
    ) -> Member:
        """Create an active member."""
        row = MemberModel(
            display_name=display_name,
            role=role.value,
            locale=locale,
            status=MemberStatus.ACTIVE.value,
            structure_id=structure_id,
            created_at=now,
            updated_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        member = await self.get(row.id)
        assert member is not None
        return member

    async def add_identity(
        self,
        *,
        member_id: int,
        platform: str,
        platform_user_id: str,
        chat_id: str,
        now: datetime,
    ) -> Identity:
        """Attach a platform account to a member (it must not belong to anyone yet)."""
        row = IdentityModel(
            member_id=member_id,
            platform=platform,
            platform_user_id=platform_user_id,
            chat_id=chat_id,
            preferred=True,
            created_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return _identity(row)

    async def move_chat(self, identity_id: int, *, old_chat: str, new_chat: str) -> bool:
        """Reach an account through another chat, unless someone moved it meanwhile."""
        result = await self._session.execute(
            update(IdentityModel)
            .where(IdentityModel.id == identity_id, IdentityModel.chat_id == old_chat)
            .values(chat_id=new_chat)
        )
        assert isinstance(result, CursorResult)
        return result.rowcount == 1

    async def identities(self, member_id: int) -> list[Identity]:
        """The member's accounts, preferred first."""
        rows = await self._session.scalars(
            select(IdentityModel)
            .where(IdentityModel.member_id == member_id)
            .order_by(IdentityModel.preferred.desc(), IdentityModel.id)
        )
        return [_identity(row) for row in rows]

    async def update_profile(
        self,
        member_id: int,
        now: datetime,
        *,
        display_name: str | None = None,
        structure_id: int | None = None,
        locale: str | None = None,
        status: MemberStatus | None = None,
    ) -> Member:
        """Change the given profile fields; the others stay as they are."""
        values: dict[str, object] = {"updated_at": now}
        if display_name is not None:
            values["display_name"] = display_name
        if structure_id is not None:
            values["structure_id"] = structure_id
        if locale is not None:
            values["locale"] = locale
        if status is not None:
            values["status"] = status.value
        await self._session.execute(
            update(MemberModel).where(MemberModel.id == member_id).values(**values)
        )
        member = await self.get(member_id)
        if member is None:
            raise LookupError(f"member {member_id} does not exist")
        return member
