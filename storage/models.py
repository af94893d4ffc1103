"""The relational schema (SQLAlchemy 2 declarative models).

Every change here needs an Alembic migration in `storage/migrations/versions/`; the tests check
that the models and the migrated schema agree.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.tables import INVITES, JOIN_ATTEMPTS, METADATA
from storage.types import UTCDateTime


class Base(DeclarativeBase):
    """Declarative base with stable constraint names (needed for SQLite batch migrations)."""

    metadata = METADATA


class StructureModel(Base):
    """A partner organisation ("annuaire des acteurs")."""

    __tablename__ = "structures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InviteModel(Base):
    """An invitation code; `uses` is only ever increased by a conditional UPDATE (the table is
    declared in `storage.tables`)."""

    __table__ = INVITES

    id: Mapped[int]
    code: Mapped[str]
    role: Mapped[str]
    structure_id: Mapped[int | None]
    max_uses: Mapped[int]
    uses: Mapped[int]
    expires_at: Mapped[datetime | None]
    created_by: Mapped[int | None]
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class JoinAttemptModel(Base):
    """Tries of invitation codes by one chat account, counted in a time window (throttling;
    the table is declared in `storage.tables`)."""

    __table__ = JOIN_ATTEMPTS

    platform: Mapped[str]
    user_id: Mapped[str]
    tries: Mapped[int]
    window_started_at: Mapped[datetime]


# The coordinators and administrators, as `MemberRepository.coordinators` reads them (the
# roles written out, not parameters: SQLite uses a partial index only then). Their index holds
# them alone, by status and name; an index on the role would not do on SQLite once ANALYZE has
# run: it sees one role in most rows, and scans the whole table.
COORDINATING = "role IN ('coordinator', 'admin')"


class MemberModel(Base):
    """A person of the network."""

    __tablename__ = "members"
    # Partial: WHERE `COORDINATING`, as migration 0016 creates it (the migrations make the
    # schema; a test reads the predicate back on both databases). Written here, its
    # `sqlite_where`/`postgresql_where` would make SQLAlchemy import both dialects with this
    # module: the PostgreSQL one (2.2 MB, 44 ms) on every SQLite start.
    __table_args__ = (Index("ix_members_coordinators", "status", "display_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    display_name: Mapped[str] = mapped_column(String(80))
    structure_id: Mapped[int | None] = mapped_column(
        ForeignKey("structures.id", ondelete="SET NULL"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    locale: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class IdentityModel(Base):
    """One account of a member on one platform (console, telegram, matrix)."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("platform", "platform_user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_user_id: Mapped[str] = mapped_column(String(255))
    chat_id: Mapped[str] = mapped_column(String(255))
    preferred: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SkillModel(Base):
    """A skill: seeded from the taxonomy (by slug) or proposed by a member."""

    __tablename__ = "skills"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    label_fr: Mapped[str] = mapped_column(String(120))
    label_en: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    area: Mapped[str | None] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(16), index=True)
    proposed_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # A network skill (a proposal a coordinator promoted): its other names, one a line, and
    # the taxonomy skill it is a case of. A replaced proposal: the slug of the skill that
    # replaced it. When a coordinator validated or replaced it.
    aliases: Mapped[str | None] = mapped_column(Text)
    parent_slug: Mapped[str | None] = mapped_column(String(80))
    replaced_by: Mapped[str | None] = mapped_column(String(80))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MemberSkillModel(Base):
    """A member's declared level on a skill."""

    __tablename__ = "member_skills"
    # Candidates of a skill, best level first, with their member id: read from the index alone.
    __table_args__ = (
        Index("ix_member_skills_skill_level_member", "skill_id", "level", "member_id"),
    )

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    skill_id: Mapped[int] = mapped_column(
        ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MatchingVersionModel(Base):
    """The version of what matching reads about members (one row, id 1): bumped by database
    triggers on every change of a member's skills, status or existence (migration 0012)."""

    __tablename__ = "matching_version"
    # Kept by the triggers from the other tables: `samu db copy` does not copy it.
    __table_args__ = ({"info": {"derived": True}},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)


class MatchingChangeModel(Base):
    """Each member's latest change seen by matching, with the version it made (kept by the
    same triggers; no foreign key: a removed member's change stays until read)."""

    __tablename__ = "matching_changes"
    __table_args__ = ({"info": {"derived": True}},)

    member_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, index=True)


class DialogStateModel(Base):
    """The step a member has reached in a multi-step conversation."""

    __tablename__ = "dialog_states"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    step: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProcessedEventModel(Base):
    """A platform event already handled (Telegram update id, Matrix event id)."""

    __tablename__ = "processed_events"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # The worker handling it, and when it finished: a row left unfinished by a worker that
    # died is taken over by the next worker that receives the event again.
    worker: Mapped[str | None] = mapped_column(String(64))
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WorkerModel(Base):
    """A `samu run` process sharing the database, and when it last showed it was alive."""

    __tablename__ = "workers"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TransportStateModel(Base):
    """Small persisted values of the transports (e.g. the Matrix sync token)."""

    __tablename__ = "transport_state"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class HelpRequestModel(Base):
    """A help request; `text` may be erased later while the statistics row stays."""

    __tablename__ = "help_requests"
    __table_args__ = (
        Index("ix_help_requests_status_next_check", "status", "next_check_at"),
        # A helper's open claims (matching counts them), from the index alone.
        Index("ix_help_requests_helper_status", "helper_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str | None] = mapped_column(Text)
    urgency: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    helper_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    round: Mapped[int] = mapped_column(Integer, default=0)
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    thanked: Mapped[bool] = mapped_column(Boolean, default=False)
    solved_by_tutorial_id: Mapped[int | None] = mapped_column(
        ForeignKey("tutorials.id", ondelete="SET NULL", use_alter=True)
    )


class RequestSkillModel(Base):
    """A skill a request needs (detected in its text or set by its author)."""

    __tablename__ = "request_skills"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("help_requests.id", ondelete="CASCADE"), primary_key=True
    )
    skill_id: Mapped[int] = mapped_column(
        ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class OfferModel(Base):
    """A request offered to a helper, and their answer."""

    __tablename__ = "offers"
    __table_args__ = (
        UniqueConstraint("request_id", "helper_id"),
        Index("ix_offers_helper_offered_id", "helper_id", "offered_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("help_requests.id", ondelete="CASCADE"))
    helper_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RelayMessageModel(Base):
    """A message between the author and the helper of a request."""

    __tablename__ = "relay_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("help_requests.id", ondelete="CASCADE"), index=True
    )
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Stored but not passed on yet: personal data was found, its author has not chosen.
    held: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class AttachmentModel(Base):
    """A file a member sent (a screenshot, a document), kept in the database with its request.

    It belongs to a request (sent with it: `relay_id` empty) or to a message of its thread
    (`relay_id`); until its sender says where it goes, to neither (`request_id` empty). It is
    erased with the texts it came with (retention, `/oublier`). The content lives in the row:
    one backup, one transaction with the request, and every worker reads it from PostgreSQL.
    """

    __tablename__ = "attachments"
    __table_args__ = (
        Index("ix_attachments_request_relay", "request_id", "relay_id"),
        # A sender's files waiting to be placed, newest last.
        Index("ix_attachments_sender_created", "sender_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("help_requests.id", ondelete="CASCADE")
    )
    relay_id: Mapped[int | None] = mapped_column(
        ForeignKey("relay_messages.id", ondelete="CASCADE"), index=True
    )
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SkillGapModel(Base):
    """A request no helper could be found for, per missing skill (for the indicators)."""

    __tablename__ = "skill_gaps"
    __table_args__ = (UniqueConstraint("request_id", "skill_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("help_requests.id", ondelete="CASCADE"))
    skill_id: Mapped[int | None] = mapped_column(
        ForeignKey("skills.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class OutboxModel(Base):
    """Every message to a member is a row first; the dispatcher delivers it once.

    A row is for a member (`recipient_id`, on whichever network they use) or, for
    announcements, for one chat (`target_platform` + `target_chat`, e.g. the network's group).
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_recipient_pending", "recipient_id", "sent_at", "failed_at", "id"),
        Index("ix_outbox_due", "sent_at", "failed_at", "not_before"),
        Index("ix_outbox_delivery", "platform", "chat_id", "delivery_ref"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    target_platform: Mapped[str | None] = mapped_column(String(16))
    target_chat: Mapped[str | None] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    dedup_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime())
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    platform: Mapped[str | None] = mapped_column(String(16))
    chat_id: Mapped[str | None] = mapped_column(String(255))
    delivery_ref: Mapped[str | None] = mapped_column(String(255))
    # Set while a worker sends the row: if that worker dies before recording the outcome,
    # the platform may or may not have the message (see OutboxRepository.claim_due).
    attempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ChoiceModel(Base):
    """A message the bot showed in a chat, remembered for what people do with it afterwards.

    `request_id`: the help request it is about (a reply to it reaches that request's thread,
    its buttons follow the request's state). `actions`: the list it offered, numbered from
    `first_number` (typed numbers choose from the newest `answer` of a chat, that is the
    newest group of lists shown together). `closed_at`: when its actions stopped meaning
    anything (the message was edited to say what became of its request).
    """

    __tablename__ = "choices"
    __table_args__ = (
        UniqueConstraint("platform", "chat_id", "message_ref"),
        # The newest lists of a member in a chat (and the rows a member's erasure removes).
        Index("ix_choices_member_chat", "member_id", "platform", "chat_id", "id"),
        # The lists of a request still showing their actions.
        Index("ix_choices_request_closed", "request_id", "closed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(255))
    message_ref: Mapped[str] = mapped_column(String(255))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("help_requests.id", ondelete="CASCADE")
    )
    origin: Mapped[str] = mapped_column(String(40))
    answer: Mapped[str] = mapped_column(String(64))
    actions: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    action_count: Mapped[int] = mapped_column(Integer)
    first_number: Mapped[int] = mapped_column(Integer)
    shown_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TutorialModel(Base):
    """A write-up of a solved case (a draft until the tutorial base publishes it)."""

    __tablename__ = "tutorials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("help_requests.id", ondelete="SET NULL"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    asker_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(Text)
    solution: Mapped[str] = mapped_column(Text)  # the steps, one per line
    status: Mapped[str] = mapped_column(String(16), index=True)
    language: Mapped[str] = mapped_column(String(8), default="fr")
    licence: Mapped[str] = mapped_column(String(40), default="Etalab-2.0")
    audience: Mapped[str] = mapped_column(String(200), default="")  # tags, comma-separated
    skills_text: Mapped[str] = mapped_column(Text, default="")  # skill labels, for searching
    helped_count: Mapped[int] = mapped_column(Integer, default=0)
    flag_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


Index("ix_tutorials_helped_count_id", TutorialModel.helped_count, TutorialModel.id)


class TutorialRevisionModel(Base):
    """A change to a reviewed tutorial waiting for a coordinator (the entry itself stays as
    reviewed, and public, until the change is approved)."""

    __tablename__ = "tutorial_revisions"

    tutorial_id: Mapped[int] = mapped_column(
        ForeignKey("tutorials.id", ondelete="CASCADE"), primary_key=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(Text)
    solution: Mapped[str] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(String(200), default="")
    themes: Mapped[str] = mapped_column(String(400), default="")  # comma-separated
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TutorialSkillModel(Base):
    """A skill a tutorial is about."""

    __tablename__ = "tutorial_skills"

    tutorial_id: Mapped[int] = mapped_column(
        ForeignKey("tutorials.id", ondelete="CASCADE"), primary_key=True
    )
    skill_id: Mapped[int] = mapped_column(
        ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class TutorialThemeModel(Base):
    """A theme a tutorial is tagged with (the taxonomy's closed list)."""

    __tablename__ = "tutorial_themes"

    tutorial_id: Mapped[int] = mapped_column(
        ForeignKey("tutorials.id", ondelete="CASCADE"), primary_key=True
    )
    theme: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class TutorialFeedbackModel(Base):
    """A member said a tutorial helped them, or that it looks out of date (once each)."""

    __tablename__ = "tutorial_feedback"

    tutorial_id: Mapped[int] = mapped_column(
        ForeignKey("tutorials.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TutorialWordModel(Base):
    """A folded word found in the tutorial base: the vocabulary that query typos are fixed to."""

    __tablename__ = "tutorial_words"

    word: Mapped[str] = mapped_column(String(64), primary_key=True)


class ExchangeSessionModel(Base):
    """A quarterly exchange session ("temps d'échange entre professionnels")."""

    __tablename__ = "exchange_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    timezone: Mapped[str] = mapped_column(String(64))
    place: Mapped[str | None] = mapped_column(String(120))
    agenda: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RsvpModel(Base):
    """A member's answer to a session invitation."""

    __tablename__ = "rsvps"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("exchange_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    answer: Mapped[str] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PlaceModel(Base):
    """A place of digital mediation ("lieu de médiation numérique" of the national schema).

    Imported places carry the file's `id` as `source_id`; a structure of the network has its
    own entry (`structure_id`), completed by its coordinators. `services` is the bit mask of
    the schema's services (bits in `skills/data/place_services.toml`). The index on
    (latitude, longitude, services) serves the nearest-places search by bounding box, the
    service filtered in the index itself.
    """

    __tablename__ = "places"
    __table_args__ = (Index("ix_places_position_services", "latitude", "longitude", "services"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[str] = mapped_column(String(200), unique=True)
    structure_id: Mapped[int | None] = mapped_column(
        ForeignKey("structures.id", ondelete="CASCADE"), unique=True
    )
    pivot: Mapped[str | None] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(250))
    commune: Mapped[str | None] = mapped_column(String(120))
    commune_key: Mapped[str | None] = mapped_column(String(120), index=True)
    postal_code: Mapped[str | None] = mapped_column(String(5), index=True)
    insee_code: Mapped[str | None] = mapped_column(String(5))
    address: Mapped[str | None] = mapped_column(String(250))
    address_extra: Mapped[str | None] = mapped_column(String(250))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    typologies: Mapped[str | None] = mapped_column(String(250))
    phone: Mapped[str | None] = mapped_column(String(40))
    emails: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(Text)
    hours: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    services: Mapped[int] = mapped_column(Integer, default=0)
    publics: Mapped[str | None] = mapped_column(Text)
    fees: Mapped[str | None] = mapped_column(String(60))
    access_modes: Mapped[str | None] = mapped_column(Text)
    support_modes: Mapped[str | None] = mapped_column(Text)
    booking_url: Mapped[str | None] = mapped_column(Text)
    accessibility_url: Mapped[str | None] = mapped_column(Text)
    updated_on: Mapped[date | None] = mapped_column(Date)
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("place_imports.id", ondelete="SET NULL"), index=True
    )
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PlaceImportModel(Base):
    """One run of `samu lieux import`: how far it got, so that a crash resumes there.

    `key` identifies the file (its name, size and the hash of its start); `rows_done` is the
    last data row committed with its batch, in the same transaction.
    """

    __tablename__ = "place_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
