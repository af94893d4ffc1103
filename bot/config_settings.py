"""The configuration's sections as the use-cases, the transports and the monitoring read them.

`bot.config` validates the file; this module turns its sections into the settings objects the
rest of the bot takes (durations as timedelta, days and clock times parsed, what depends on
another section resolved). It imports the use-cases' settings, hence SQLAlchemy: only the
application (`bot.app`) imports it, never `bot.config` nor `samu --help`. The transports'
and the monitoring's settings are imported by the function that builds them, as in bot.app.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bot.config import DAYS, Config, clock_time, quiet_window
from bot.core.business_hours import QuietHours
from bot.core.clock import Clock
from bot.core.observe import Observer
from bot.core.services import (
    DigestSettings,
    ErasureHook,
    FileSettings,
    InviteDefaults,
    MemberHook,
    PlaceSettings,
    RequestSettings,
    RetentionSettings,
    Services,
    SessionSettings,
    SkillSettings,
    TutorialSettings,
    UowFactory,
    WorkerSettings,
)
from bot.core.types import Urgency
from skills import SkillMatcher

if TYPE_CHECKING:
    from bot.monitoring.probe import Limits
    from bot.transports.matrix import MatrixSettings
    from bot.transports.telegram import TelegramSettings

# The average length of a month, in days (a tutorial goes stale after so many months).
DAYS_PER_MONTH = 30.44


def services_of(
    config: Config,
    *,
    uow: UowFactory,
    read: UowFactory,
    clock: Clock,
    matcher: SkillMatcher,
    observer: Observer,
    after_erasure: ErasureHook,
    member_changed: MemberHook,
) -> Services:
    """The use-cases' services: every section's settings, with the pieces the application
    wires in (the database's units of work, the clock, the matcher and the hooks)."""
    timezone = config.bot.timezone
    return Services(
        uow=uow,
        read=read,
        clock=clock,
        matcher=matcher,
        invites=InviteDefaults(
            expires_days=config.invites.expires_days,
            uses=config.invites.uses,
            matrix_user_id=config.matrix.user_id if config.matrix.enabled else "",
        ),
        default_locale=config.bot.default_locale,
        requests=request_settings(config),
        skills=SkillSettings.of(
            config.skills.max_teaching,
            config.skills.max_practising,
            config.skills.max_discovering,
        ),
        sessions=SessionSettings(
            rule=config.sessions.rule,
            announce_days=config.sessions.announce_days,
            reminder_days=tuple(config.sessions.reminder_days),
            coordinator_days=config.sessions.coordinator_days,
            timezone=timezone,
            places=tuple(config.sessions.places),
            organizer_email=config.sessions.organizer_email,
        ),
        digest=DigestSettings(
            enabled=config.digest.enabled,
            weekday=DAYS.index(config.digest.day),
            at=clock_time(config.digest.time),
            timezone=timezone,
        ),
        tutorials=TutorialSettings(
            licence=config.tutorials.licence,
            review_required=config.tutorials.review_required,
            stale_after=timedelta(days=round(DAYS_PER_MONTH * config.tutorials.stale_after_months)),
        ),
        retention=RetentionSettings(config.privacy.retention_months, timezone),
        files=FileSettings(max_bytes=round(config.files.max_size_mb * 1024 * 1024)),
        worker=WorkerSettings(takeover_after=timedelta(seconds=config.workers.takeover_seconds)),
        places=PlaceSettings(timezone=timezone),
        observer=observer,
        after_erasure=after_erasure,
        member_changed=member_changed,
    )


def request_settings(config: Config) -> RequestSettings:
    """The requests section of the configuration, as the use-cases read it."""
    section = config.requests
    start, end = quiet_window(section.quiet_hours)

    def per_urgency(hours: object) -> dict[Urgency, timedelta]:
        return {urgency: timedelta(hours=getattr(hours, urgency.value)) for urgency in Urgency}

    return RequestSettings(
        offers_per_round=section.offers_per_round,
        max_offers_per_day=section.max_offers_per_day,
        quiet=QuietHours(
            start=start, end=end, weekends=section.quiet_weekends, timezone=config.bot.timezone
        ),
        first_escalation=per_urgency(section.first_escalation_hours),
        coordinator_alert=per_urgency(section.coordinator_alert_hours),
        auto_confirm_after=timedelta(days=section.auto_confirm_days),
        announce_to=(
            (("telegram", config.telegram.announce_chat_id),)
            if config.telegram.enabled and config.telegram.announce_chat_id
            else ()
        ),
    )


def matrix_settings(config: Config) -> MatrixSettings:
    """The [matrix] section, as the transport reads it."""
    from bot.transports.matrix import MatrixSettings  # imports matrix-nio: only when needed

    section = config.matrix
    return MatrixSettings(
        homeserver=section.homeserver,
        user_id=section.user_id,
        password=section.password,
        access_token=section.access_token,
        device_name=section.device_name,
        store_path=section.store_path,
        encryption=section.encryption,
        allowed_rooms=tuple(section.allowed_rooms),
        allowed_homeservers=tuple(section.allowed_homeservers),
        pace_seconds=section.pace_seconds,
    )


def telegram_settings(config: Config) -> TelegramSettings:
    """The [telegram] section, as the transport reads it."""
    from bot.transports.telegram import TelegramSettings  # python-telegram-bot: only when needed

    section = config.telegram
    return TelegramSettings(
        token=section.token,
        base_url=section.base_url,
        mode=section.mode,
        webhook_listen=section.webhook_listen,
        webhook_port=section.webhook_port,
        webhook_path=section.webhook_path,
        webhook_public_url=section.webhook_public_url,
        webhook_secret=section.webhook_secret,
        private_interval=section.private_interval,
        private_burst=section.private_burst,
        read_timeout=section.read_timeout_seconds,
    )


def probe_limits(config: Config) -> Limits:
    """When the monitoring's readiness check turns to 503 ([monitoring] section)."""
    from bot.monitoring.probe import Limits

    section = config.monitoring
    period = config.requests.check_every_seconds
    return Limits(
        outbox_stuck_after=timedelta(seconds=section.outbox_stuck_seconds),
        tick_late_after=timedelta(seconds=period * section.late_ticks),
        database_timeout=section.database_timeout_seconds,
    )
