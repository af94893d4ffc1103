"""Engines, sessions and the unit of work."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload
from urllib.parse import quote

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage import sqlite_driver
from storage.candidate_index import CandidateIndex
from storage.leader import LeaderLock
from storage.turns import Turns, TurnTimeout
from storage.urls import ASYNC_DRIVERS, DRIVERS, DatabaseUrlError, check_url

# The repositories are imported by the first unit of work that uses each one: a command that
# reads invitations (`samu invite list`) loads neither the others nor their record types.
if TYPE_CHECKING:
    from storage.repositories.attachments import AttachmentRepository
    from storage.repositories.candidates import CandidateRepository
    from storage.repositories.choices import ChoiceRepository
    from storage.repositories.dialogs import DialogRepository
    from storage.repositories.events import EventRepository
    from storage.repositories.indicators import IndicatorRepository
    from storage.repositories.invites import InviteRepository
    from storage.repositories.members import MemberRepository
    from storage.repositories.offers import OfferRepository
    from storage.repositories.outbox import OutboxRepository
    from storage.repositories.places import PlaceRepository
    from storage.repositories.privacy import PrivacyRepository
    from storage.repositories.requests import RequestRepository
    from storage.repositories.sessions import SessionRepository
    from storage.repositories.skills import SkillRepository
    from storage.repositories.stats import StatsRepository
    from storage.repositories.structures import StructureRepository
    from storage.repositories.tutorial_revisions import TutorialRevisionRepository
    from storage.repositories.tutorials import TutorialRepository


R = TypeVar("R")


class _Repository(Generic[R]):
    """A repository of the unit of work, made over its session the first time it is used in
    it, and imported then: a command that reads invitations (`samu invite list`) loads no
    other repository nor their record types."""

    def __init__(self, name: str) -> None:
        self._class = name

    def __set_name__(self, owner: type, attribute: str) -> None:
        self._attribute = attribute
        self._module = f"storage.repositories.{attribute}"  # uow.invites: …invites

    @overload
    def __get__(self, uow: None, owner: type) -> _Repository[R]: ...
    @overload
    def __get__(self, uow: UnitOfWork, owner: type) -> R: ...
    def __get__(self, uow: UnitOfWork | None, owner: type) -> _Repository[R] | R:
        if uow is None:
            return self
        # The import statement's own path (`importlib.import_module` would hide it from
        # `python -X importtime`, which the import tests and profiles read).
        module = __import__(self._module, fromlist=[self._class])
        made: R = getattr(module, self._class)(uow.session)
        uow.__dict__[self._attribute] = made  # found there from now on, until the next use
        return made


class StorageUnavailable(Exception):
    """The database cannot be reached right now (restarting, network cut, locked too long).

    Nothing of the unit of work was written; the same work can be tried again later.
    """


# PostgreSQL error classes that mean "try again later": connection exception, insufficient
# resources, operator intervention (shutdown, starting up); and serialization / deadlock.
_TRANSIENT_SQLSTATE_CLASSES = ("08", "53", "57")
_TRANSIENT_SQLSTATES = ("40001", "40P01")
# SQLite's words for the same situation; "readonly" and "disk i/o" also come when the file
# was deleted, moved or made read-only under a running process (SQLITE_READONLY_DBMOVED).
_TRANSIENT_SQLITE_WORDS = ("locked", "busy", "unable to open", "readonly", "disk i/o")


def is_unavailable(error: BaseException) -> bool:
    """Whether an error means "the database is not there right now" rather than a bug."""
    if isinstance(error, StorageUnavailable | InterfaceError | OSError):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    if isinstance(code, str) and code:
        return code[:2] in _TRANSIENT_SQLSTATE_CLASSES or code in _TRANSIENT_SQLSTATES
    message = str(error.orig).lower()
    return isinstance(error, OperationalError) and any(
        word in message for word in _TRANSIENT_SQLITE_WORDS
    )


def normalize_url(url: str) -> str:
    """Return the async-driver form of a database URL.

    `sqlite:///samu.db` and `postgresql://…` are accepted as well as their explicit
    `+aiosqlite` / `+asyncpg` forms.
    """
    drivername = check_url(url)
    try:
        parsed = make_url(url)
    except Exception as exc:  # SQLAlchemy raises ArgumentError with its own wording
        raise DatabaseUrlError(f"cannot read database URL {url!r}") from exc
    if drivername in ASYNC_DRIVERS:
        return parsed.render_as_string(hide_password=False)
    return parsed.set(drivername=DRIVERS[drivername]).render_as_string(hide_password=False)


# How long a unit of work waits for SQLite (for its turn in this process, or for another
# process's transaction) before the database counts as unavailable.
SQLITE_BUSY_SECONDS = 5.0


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, open transactions (see _begin_immediate).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={round(SQLITE_BUSY_SECONDS * 1000)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Deleted and overwritten content is zeroed on disk, not left in free space: an erased
    # member's words do not stay readable in the file (see also `Database.checkpoint`).
    cursor.execute("PRAGMA secure_delete=ON")
    _use_write_ahead_log(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # SQLite's own lower() folds only ASCII letters: "élodie" would not find "Élodie" (nor a
    # structure typed in lower case), which PostgreSQL's does. Python's, as PostgreSQL's.
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


# How many times a new connection waits for another one's transaction before it gives up
# switching a fresh database file to write-ahead logging.
_WAL_SWITCH_ATTEMPTS = 3


def _use_write_ahead_log(cursor: Any) -> None:
    # Switching the journal mode fails at once, without waiting for busy_timeout, while
    # another connection holds a transaction: two processes opening a brand-new file together
    # (two `samu db upgrade`) would see "database is locked". The waiting is done by an empty
    # write transaction, which does honour busy_timeout; by then the other connection has
    # usually made the file WAL already.
    for attempt in range(_WAL_SWITCH_ATTEMPTS):
        cursor.execute("PRAGMA journal_mode")
        if str(cursor.fetchone()[0]).lower() == "wal":
            return
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except Exception as exc:
            if "locked" not in str(exc) or attempt == _WAL_SWITCH_ATTEMPTS - 1:
                raise
        cursor.execute("BEGIN IMMEDIATE")
        cursor.execute("ROLLBACK")


# Where a connection keeps the identity of the SQLite file it opened (its device and inode).
_OPENED_FILE = "samu_sqlite_file"


def _file_identity(path: Path) -> tuple[int, int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


def _remember_file(path: Path) -> Any:
    def remember(_dbapi_connection: Any, record: Any) -> None:
        record.info[_OPENED_FILE] = _file_identity(path)

    return remember


def check_sqlite_file(path: Path, opened: tuple[int, int] | None) -> None:
    """Raise StorageUnavailable unless the file a connection opened is still at `path` and
    writable. In WAL mode SQLite goes on writing into a file deleted, replaced or made
    read-only under it, and what it wrote would be lost: the work is kept for later instead.

    (Two `stat` calls on a local file: microseconds, not worth a thread.)
    """
    now = _file_identity(path)
    if now is None:
        raise StorageUnavailable(f"the database file {path} is missing")
    if opened is not None and now != opened:
        raise StorageUnavailable(f"the database file {path} was replaced")
    if not os.access(path, os.W_OK):
        raise StorageUnavailable(f"the database file {path} is read-only")


# The execution option that opens a read-only unit of work (see `Database.uow`).
_READ_ONLY = "samu_read_only"
# Set in a pooled SQLite connection's info while it refuses writes (PRAGMA query_only).
_QUERY_ONLY = "samu_query_only"


def _begin_immediate(connection: Any) -> None:
    # A deferred SQLite transaction that reads then writes fails at once ("database is locked")
    # when another connection wrote in between; taking the write lock up front makes
    # concurrent units of work wait their turn (busy_timeout) instead.
    # A read-only unit of work takes no lock up front (it reads a snapshot of the WAL and
    # never waits for a writer) and, as a guard, its connection refuses writes meanwhile.
    read_only = bool(connection.get_execution_options().get(_READ_ONLY))
    if read_only or connection.info.get(_QUERY_ONLY):
        connection.exec_driver_sql(f"PRAGMA query_only={'ON' if read_only else 'OFF'}")
        connection.info[_QUERY_ONLY] = read_only
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _writable_again(dbapi_connection: Any, record: Any) -> None:
    # A connection back in the pool accepts writes again, whatever its last unit of work was
    # (the next write transaction would switch it back anyway: see _begin_immediate).
    if dbapi_connection is None or record is None or not record.info.get(_QUERY_ONLY):
        return
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA query_only=OFF")
        cursor.close()
    except Exception:  # e.g. a connection already closed: it is never used again
        return
    record.info[_QUERY_ONLY] = False


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL or an in-memory database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).absolute()


def _existing_file_only(url: str) -> str:
    """The URL that opens a SQLite file read-write without ever creating it: a file deleted
    under a running process is reported unavailable, not silently replaced by an empty one."""
    path = sqlite_file(url)
    if path is None:
        return url
    return (
        make_url(url)
        .set(database="file:" + quote(str(path)), query={"mode": "rw", "uri": "true"})
        .render_as_string(hide_password=False)
    )


def create_engine(url: str, *, create_file: bool = True, **kwargs: Any) -> AsyncEngine:
    """Create an async engine for `url`, with the SQLite settings this project relies on.

    Without `create_file`, a SQLite file that does not exist is never created (see
    `create_sqlite_file`), and connecting to it fails as an unavailable database.
    """
    normalized = normalize_url(url)
    if not create_file:
        normalized = _existing_file_only(normalized)
    if normalized.startswith("postgresql"):
        # A server restart leaves dead connections in the pool: test each one before use.
        kwargs.setdefault("pool_pre_ping", True)
    if normalized.startswith("sqlite"):

        async def connect() -> sqlite_driver.OneTripConnection:
            arguments, keywords = engine.dialect.create_connect_args(engine.url)
            return await sqlite_driver.connect(*arguments, **keywords)

        kwargs.setdefault("async_creator", connect)
    engine = create_async_engine(normalized, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _configure_sqlite)
        event.listen(engine.sync_engine, "begin", _begin_immediate)
        event.listen(engine.sync_engine.pool, "checkin", _writable_again)
        path = sqlite_file(url)
        if path is not None:
            event.listen(engine.sync_engine, "connect", _remember_file(path))
    return engine


class ReadOnlyViolation(Exception):
    """A write was attempted in a read-only unit of work (a bug: nothing was written)."""


def _refused_write(error: BaseException) -> bool:
    """Whether `error` is the database refusing a write in a read-only transaction."""
    if not isinstance(error, DBAPIError):
        return False
    code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    if code == "25006":  # read_only_sql_transaction
        return True
    return "readonly database" in str(error.orig).lower()


class UnitOfWork:
    """One transaction and the repositories that work inside it.

    Use as `async with db.uow() as uow: …; await uow.commit()`. Leaving the block without a
    commit rolls everything back, so a failure never leaves half-written rows.

    A read-only unit of work (`db.uow(read_only=True)`) waits for no writer: on SQLite it
    neither queues in this process's turns nor takes the write lock (a deferred BEGIN reads
    a consistent snapshot), on PostgreSQL it is a READ ONLY transaction; any write in it
    raises ReadOnlyViolation on leaving the block (a bug, never "unavailable": nothing was
    written, and trying again would fail the same way).
    """

    session: AsyncSession

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        turns: Turns | None = None,
        sqlite_path: Path | None = None,
        candidate_index: CandidateIndex | None = None,
        *,
        read_only: bool = False,
    ) -> None:
        self._sessions = sessions
        self._turns = turns
        self._sqlite_path = sqlite_path
        self._candidate_index = candidate_index
        self.read_only = read_only

    async def __aenter__(self) -> UnitOfWork:
        if self._turns is not None:
            try:
                await self._turns.take()
            except TurnTimeout as error:
                raise StorageUnavailable(str(error)) from error
        self.session = self._sessions()
        if self.read_only:
            try:
                # The transaction begins now, with its options (see _begin_immediate).
                await self.session.connection(
                    execution_options={_READ_ONLY: True, "postgresql_readonly": True}
                )
            except BaseException as error:
                await self.__aexit__(type(error), error, error.__traceback__)
                raise
        for name in _REPOSITORIES:  # made anew, over this session, when first used
            self.__dict__.pop(name, None)
        return self

    structures: _Repository[StructureRepository] = _Repository("StructureRepository")
    members: _Repository[MemberRepository] = _Repository("MemberRepository")
    invites: _Repository[InviteRepository] = _Repository("InviteRepository")
    skills: _Repository[SkillRepository] = _Repository("SkillRepository")
    dialogs: _Repository[DialogRepository] = _Repository("DialogRepository")
    events: _Repository[EventRepository] = _Repository("EventRepository")
    requests: _Repository[RequestRepository] = _Repository("RequestRepository")
    attachments: _Repository[AttachmentRepository] = _Repository("AttachmentRepository")
    offers: _Repository[OfferRepository] = _Repository("OfferRepository")
    outbox: _Repository[OutboxRepository] = _Repository("OutboxRepository")
    tutorials: _Repository[TutorialRepository] = _Repository("TutorialRepository")
    tutorial_revisions: _Repository[TutorialRevisionRepository] = _Repository(
        "TutorialRevisionRepository"
    )
    sessions: _Repository[SessionRepository] = _Repository("SessionRepository")
    stats: _Repository[StatsRepository] = _Repository("StatsRepository")
    privacy: _Repository[PrivacyRepository] = _Repository("PrivacyRepository")
    indicators: _Repository[IndicatorRepository] = _Repository("IndicatorRepository")
    choices: _Repository[ChoiceRepository] = _Repository("ChoiceRepository")
    places: _Repository[PlaceRepository] = _Repository("PlaceRepository")

    @property
    def candidates(self) -> CandidateRepository:
        """CandidateRepository over this unit of work's session (with the candidate index)."""
        made = self.__dict__.get("candidates")
        if made is None:
            from storage.repositories.candidates import CandidateRepository

            made = self.__dict__["candidates"] = CandidateRepository(
                self.session, self.offers, self._candidate_index
            )
        return made

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        refused = exc is not None and self.read_only and _refused_write(exc)
        unavailable = exc is not None and not refused and is_unavailable(exc)
        try:
            if unavailable:
                # Not pooled again (e.g. a SQLite file deleted under it): a new connection
                # opens the database once it is back.
                await self.session.invalidate()
            else:
                await self.session.rollback()
                await self.session.close()
        except Exception as cleanup:
            if exc is None or not is_unavailable(cleanup):
                raise
            await self.session.invalidate()  # the connection is gone; do not pool it again
        finally:
            if self._turns is not None:
                self._turns.give_back()
        if refused:
            raise ReadOnlyViolation(f"a write in a read-only unit of work: {exc}") from exc
        if unavailable and not isinstance(exc, StorageUnavailable):
            raise StorageUnavailable(str(exc)) from exc

    async def commit(self) -> None:
        """Make everything done in this unit of work permanent.

        Raises StorageUnavailable (nothing written) when a SQLite file was deleted, replaced
        or made read-only since it was opened.
        """
        if (
            self._sqlite_path is not None
            and not self.read_only  # nothing to lose: it wrote nothing
            and self.session.in_transaction()
        ):
            connection = await self.session.connection()
            check_sqlite_file(self._sqlite_path, connection.info.get(_OPENED_FILE))
        await self.session.commit()


# The repositories a unit of work makes when first used (see `UnitOfWork.__aenter__`).
_REPOSITORIES = (
    *(name for name, value in vars(UnitOfWork).items() if isinstance(value, _Repository)),
    "candidates",
)


def create_sqlite_file(url: str) -> Path | None:
    """Create the (empty) SQLite file of `url` if it does not exist; the file created, if any."""
    path = sqlite_file(normalize_url(url))
    if path is None or path.exists():
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(exist_ok=False)
    return path


class Database:
    """An engine and the factory of units of work over it."""

    def __init__(self, engine: AsyncEngine, url: str = "") -> None:
        self.engine = engine
        self.url = url
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._turns = Turns(SQLITE_BUSY_SECONDS) if engine.dialect.name == "sqlite" else None
        self._sqlite_path = sqlite_file(url) if url and self._turns is not None else None
        # An in-memory SQLite database is one connection shared by every unit of work: reads
        # take their turn too.
        self._reads_queue = self._turns is not None and sqlite_file(str(engine.url)) is None
        # Matching from memory: built by `build_candidate_index` (the app does at start);
        # until then, and when disabled, candidates come from SQL.
        self.candidate_index = CandidateIndex(partial(self.uow, read_only=True))

    @classmethod
    def from_url(cls, url: str, *, create_file: bool = True) -> Database:
        """Open (lazily) the database at `url` (see `create_engine` for `create_file`)."""
        return cls(create_engine(url, create_file=create_file), url)

    def missing_file(self) -> Path | None:
        """The SQLite file this database should be in, when it does not exist."""
        path = sqlite_file(normalize_url(self.url)) if self.url else None
        return path if path is not None and not path.exists() else None

    def describe(self) -> str:
        """The URL as configured, for people to read: without its password, and a SQLite file
        named by its path (the engine may open it through a `file:` URI)."""
        if not self.url:
            return self.engine.url.render_as_string(hide_password=True)
        return make_url(normalize_url(self.url)).render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self.engine.dialect.name

    def uow(self, *, read_only: bool = False) -> UnitOfWork:
        """A new unit of work (use it with `async with`); a `read_only` one waits for no
        writer and refuses writes (see UnitOfWork)."""
        turns = None if read_only and not self._reads_queue else self._turns
        return UnitOfWork(
            self._sessions,
            turns,
            self._sqlite_path,
            self.candidate_index,
            read_only=read_only,
        )

    async def build_candidate_index(self) -> None:
        """Load the in-memory candidate index from the database (see `storage.candidate_index`)."""
        await self.candidate_index.catch_up()

    def leader_lock(self, job: str) -> LeaderLock:
        """The election of one worker for `job` among those sharing this database."""
        return LeaderLock(self.engine, job)

    async def ping(self) -> None:
        """Ask the database `SELECT 1`; raises StorageUnavailable when it does not answer
        (for SQLite, also when its file is gone or replaced: a connection opened before
        would still answer)."""
        async with self.uow() as uow:
            connection = await uow.session.connection()
            await connection.execute(text("SELECT 1"))
            if self._sqlite_path is not None:
                check_sqlite_file(self._sqlite_path, connection.info.get(_OPENED_FILE))

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A bare session, for maintenance code that needs no repository."""
        async with self._sessions() as session:
            yield session

    async def checkpoint(self) -> None:
        """SQLite: copy the write-ahead log into the database file and empty it, so that old
        versions of erased rows do not stay in the `-wal` file (nothing to do on PostgreSQL,
        whose WAL and dead rows are documented in docs/deploy.md)."""
        if self._turns is None:
            return
        try:
            await self._turns.take()
        except TurnTimeout as error:
            raise StorageUnavailable(str(error)) from error
        try:
            async with self.engine.connect() as connection:
                raw = await connection.get_raw_connection()
                driver = raw.driver_connection
                assert driver is not None
                await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            self._turns.give_back()

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
