"""`samu doctor`: check the configuration and the database, say what is wrong and how to fix it."""

from __future__ import annotations

from bot.app import App
from bot.chat.i18n import LOCALES, Translator, translator
from bot.config import MAKE_SECRET
from bot.config_settings import telegram_settings
from bot.doctor_check import Check
from bot.doctor_places import folder_checks, monitoring_check
from skills import TaxonomyError, load_taxonomy


async def diagnose(app: App, t: Translator) -> list[Check]:
    """Run every check; never raises."""
    _ = t._
    config = app.config
    checks = [Check(True, _("Configuration: {source}").format(source=config.source))]
    checks.append(await _database_check(app, t))
    checks += _package_checks(t)
    if config.telegram.enabled:
        checks += await _telegram_checks(app, t)
    if config.matrix.enabled:
        checks += await _matrix_checks(app, t)
    checks += await folder_checks(config, t)
    checks += await monitoring_check(config, t)
    if not (config.console.enabled or config.telegram.enabled or config.matrix.enabled):
        checks.append(
            Check(False, _("No transport is enabled."), _("Set [console] enabled = true."))
        )
    return checks


async def _database_check(app: App, t: Translator) -> Check:
    """Whether the database answers, and whether its schema is this version's."""
    _ = t._
    try:
        status = await app.schema()
    except Exception as exc:  # any driver error means the same thing to the person
        return Check(
            False,
            _("Database unreachable: {error}").format(error=str(exc).splitlines()[0]),
            _("Check [database] url in the configuration, or $SAMU_DATABASE_URL."),
        )
    if status.from_newer_version:
        return Check(
            False,
            _(
                "The database comes from a newer version of samu (revision {current}; "
                "this version knows up to {head})."
            ).format(current=status.current, head=status.head),
            _("Install that newer version, or restore a backup made with this one."),
        )
    if status.up_to_date:
        return Check(
            True, _("Database schema up to date ({revision}).").format(revision=status.head)
        )
    return Check(
        False,
        _("Database schema out of date ({current}, needs {head}).").format(
            current=status.current or "-", head=status.head
        ),
        _("Run: samu db upgrade"),
    )


def _package_checks(t: Translator) -> list[Check]:
    """The data the package ships: the skill taxonomy and the message catalogs."""
    _ = t._
    checks: list[Check] = []
    try:
        taxonomy = load_taxonomy()
        checks.append(
            Check(
                True,
                _("Skill taxonomy {version}: {n} skills.").format(
                    version=taxonomy.version, n=len(taxonomy)
                ),
            )
        )
    except TaxonomyError as exc:
        checks.append(
            Check(
                False,
                _("Skill taxonomy invalid: {error}").format(error=exc),
                _("Reinstall the package."),
            )
        )
    for locale in LOCALES:
        try:
            translator(locale)
        except Exception as exc:
            checks.append(
                Check(
                    False,
                    _("Catalog {locale} unreadable: {error}").format(locale=locale, error=exc),
                    _("Reinstall the package."),
                )
            )
    return checks


async def _telegram_checks(app: App, t: Translator) -> list[Check]:
    """Whether Telegram knows the token, and the webhook's secret in webhook mode."""
    _ = t._
    config = app.config
    # python-telegram-bot is imported only when Telegram is enabled (see bot.app's imports).
    from bot.transports.telegram import bot_username

    checks: list[Check] = []
    try:
        username = await bot_username(telegram_settings(config))
    except Exception as exc:
        checks.append(
            Check(
                False,
                _("Telegram unreachable: {error}").format(error=exc),
                _("Check [telegram] token (or SAMU_TELEGRAM_TOKEN) and the network."),
            )
        )
    else:
        checks.append(Check(True, _("Telegram: the bot is @{username}.").format(username=username)))
    if config.telegram.mode == "webhook":
        checks.append(_webhook_secret(config.telegram.webhook_secret, t))
    return checks


async def _matrix_checks(app: App, t: Translator) -> list[Check]:
    """The Matrix account configured, and a login as `samu run` does it."""
    _ = t._
    matrix = app.config.matrix
    shown = Check(
        True,
        _("Matrix: {user} on {homeserver} (encryption: {encryption}).").format(
            user=matrix.user_id,
            homeserver=matrix.homeserver,
            encryption=_("on") if matrix.encryption else _("off"),
        ),
    )
    return [shown, await _matrix_login(app, t)]


# A secret shorter than this could be guessed by someone who tries many (token_urlsafe(32)
# makes 43 characters).
MIN_SECRET_LENGTH = 32


def _webhook_secret(secret: str, t: Translator) -> Check:
    """Webhook mode: the secret that keeps anyone else from posting updates to the bot."""
    _ = t._
    make = _("Make one with: {command}").format(command=MAKE_SECRET)
    if not secret:
        return Check(
            False,
            _("Telegram webhook: no secret token, anyone could send updates."),
            _("Set [telegram] webhook_secret or SAMU_TELEGRAM_WEBHOOK_SECRET.") + " " + make,
        )
    if len(secret) < MIN_SECRET_LENGTH:
        return Check(
            False,
            _("Telegram webhook: the secret token is too short ({n} characters).").format(
                n=len(secret)
            ),
            make,
        )
    return Check(
        True,
        _("Telegram webhook: secret token set ({n} characters).").format(n=len(secret)),
    )


async def _matrix_login(app: App, t: Translator) -> Check:
    """Log in to the homeserver as `samu run` does (the saved login, the access token or the
    password) and show the device, with its fingerprint to compare when verifying it."""
    _ = t._
    try:
        device = await app.matrix_login()
    except Exception as exc:  # refused, unreachable, unreadable key store: same advice
        return Check(
            False,
            _("Matrix login failed: {error}").format(error=str(exc).splitlines()[0]),
            _(
                "Check [matrix] homeserver, and password or access_token "
                "(or SAMU_MATRIX_PASSWORD / SAMU_MATRIX_ACCESS_TOKEN)."
            ),
        )
    return Check(
        True,
        _("Matrix: logged in as {user}, device {device}, fingerprint {fingerprint}.").format(
            user=device.user_id,
            device=device.device_id,
            fingerprint=device.fingerprint or _("none (encryption off)"),
        ),
    )
