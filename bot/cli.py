"""The `samu` command: one entry point, a subcommand per job, `--help` on each.

Building the parser imports only the configuration and the catalogs: `samu --help` and the
commands that do not run the bot stay fast. Each handler imports what its command needs
(the application, SQLAlchemy, a transport) when it runs; a test checks `--help` loads none.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.backup_parsers import add_parsers as add_backup_parsers
from bot.chat.i18n import Translator, translator
from bot.config import UNKNOWN_KEY, Config, ConfigError, ConfigProblem, load_config
from bot.logs import log_handler
from bot.monitoring import MonitoringError
from bot.places_cli import add_parser as add_places_parser

if TYPE_CHECKING:
    from bot.app import App
    from bot.core.types import ExchangeSession

Command = Callable[["App", argparse.Namespace, Translator], Coroutine[Any, Any, int]]

# The choices of the parser, written out so that `--help` imports no model (a test checks
# they are the values of bot.core.types.Role and bot.chat.exports.ExportFormat).
INVITE_ROLES = ("member", "coordinator")
TUTORIAL_FORMATS = ("markdown", "dokuwiki", "html")


def _print(*lines: str) -> None:
    for line in lines:
        print(line)


def _default_persona(config: Config) -> str:
    if config.console.persona:
        return config.console.persona
    try:
        return getpass.getuser().capitalize()
    except (KeyError, OSError):
        return "Console"


async def _prepare(
    app: App, t: Translator, *, migrate: bool = False, taxonomy: bool = True
) -> None:
    """`app.prepare`, saying which SQLite file it created, if it did."""
    await app.prepare(migrate=migrate, taxonomy=taxonomy)
    if app.created_file is not None:
        _print(t._("New database file created: {path}").format(path=app.created_file))


async def _db_upgrade(app: App, args: argparse.Namespace, t: Translator) -> int:
    await _prepare(app, t, migrate=True)
    status = await app.schema()
    _print(t._("Database up to date (revision {revision}).").format(revision=status.head))
    return 0


async def _chat(app: App, args: argparse.Namespace, t: Translator) -> int:
    await _prepare(app, t)
    persona = args.persona or _default_persona(app.config)
    interactive = sys.stdin.isatty()
    if interactive:
        _print(
            t._("Terminal chat as {name}. /as NAME to switch person, /quit to leave.").format(
                name=persona
            )
        )
    await app.run(app.console(persona, sys.stdout, interactive=interactive))
    return 0


async def _demo(app: App, args: argparse.Namespace, t: Translator) -> int:
    from bot.core import invites
    from bot.core.demo import DEMO_PEOPLE
    from bot.core.types import Role

    await _prepare(app, t, migrate=True)
    await app.seed_demo()
    invite = await invites.create_invite(app.services, role=Role.MEMBER, uses=5)
    persona = args.persona or DEMO_PEOPLE[0].name
    _print(
        t._("Demo network ready: {people}.").format(
            people=", ".join(f"{p.name} ({p.structure})" for p in DEMO_PEOPLE)
        ),
        t._("You are {name}. Type /aide to start.").format(name=persona),
        t._("Switch person with /as NAME (Claire is a coordinator)."),
        t._("To try joining: /as YourName, then /start {code}").format(
            code=invites.display_code(invite.code)
        ),
        t._("Leave with /quit."),
        "",
    )
    interactive = sys.stdin.isatty()
    await app.run(app.console(persona, sys.stdout, interactive=interactive))
    return 0


async def _invite_create(app: App, args: argparse.Namespace, t: Translator) -> int:
    from bot.chat.invitations import matrix_line
    from bot.core import invites
    from bot.core.errors import InvalidValue, UnknownStructure
    from bot.core.types import Role

    await _prepare(app, t, taxonomy=False)  # no skill in an invitation
    try:
        invite = await invites.create_invite(
            app.services,
            role=Role(args.role),
            structure_name=args.structure,
            uses=args.uses,
            expires_days=args.expires_days,
        )
    except UnknownStructure as exc:
        _print(
            t._("Unknown structure: {name}. Known: {known}.").format(
                name=exc.name, known=", ".join(exc.known) or "-"
            )
        )
        return 2
    except InvalidValue:
        _print(t._("--uses must be 1 to 500 and --expires-days 1 to 365."))
        return 2
    code = invites.display_code(invite.code)
    _print(code, t._("The person writes to the bot: /start {code}").format(code=code))
    link = await app.invite_link(invite.code)
    if link:
        _print(t._("On Telegram, the person opens: {link}").format(link=link))
    if app.config.matrix.enabled:
        _print(matrix_line(t, code, app.config.matrix.user_id))
    return 0


async def _invite_list(app: App, args: argparse.Namespace, t: Translator) -> int:
    from bot.core import invites

    await _prepare(app, t, taxonomy=False)  # no skill in an invitation
    found = await invites.usable(app.services)
    if not found:
        _print(t._("No invitation code is usable now."))
    for invite in found:
        ends = invite.expires_at.date().isoformat() if invite.expires_at else "-"
        _print(
            f"{invites.display_code(invite.code)}  {invite.role.value}  "
            f"{invite.uses}/{invite.max_uses}  {ends}"
        )
    return 0


async def _invite_revoke(app: App, args: argparse.Namespace, t: Translator) -> int:
    from bot.core import invites

    await _prepare(app, t, taxonomy=False)  # no skill in an invitation
    if not await invites.revoke(app.services, args.code):
        _print(t._("No usable invitation code is {code}.").format(code=args.code))
        return 2
    _print(
        t._("The code {code} is cancelled: nobody can join with it any more.").format(
            code=args.code
        )
    )
    return 0


async def _doctor(app: App, args: argparse.Namespace, t: Translator) -> int:
    from bot.doctor import diagnose

    checks = await diagnose(app, t)
    for check in checks:
        _print(("✔ " if check.ok else "✘ ") + check.what)
        if check.fix:
            _print("    → " + check.fix)
    return 0 if all(check.ok for check in checks) else 1


async def _run(app: App, args: argparse.Namespace, t: Translator) -> int:
    await _prepare(app, t)
    config = app.config
    console = None
    if config.console.enabled:
        console = app.console(_default_persona(config), sys.stdout, interactive=sys.stdin.isatty())
    conflict: tuple[type[Exception], ...] = ()
    telegram = None
    if config.telegram.enabled:
        # python-telegram-bot is imported only when Telegram runs (see bot.app's imports).
        from bot.transports.telegram import TelegramConflict

        conflict, telegram = (TelegramConflict,), app.telegram()
    matrix = app.matrix() if config.matrix.enabled else None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    try:
        await app.run(console, telegram, stop, matrix)
    except conflict as problem:
        _print(t._("Telegram: {problem}").format(problem=problem))
        return 4
    except MonitoringError as problem:
        _print(str(problem))
        return 5
    return 0


def _session_line(session: ExchangeSession) -> str:
    zone = ZoneInfo(session.timezone)
    start, end = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
    return (
        f"#{session.id}  {start:%Y-%m-%d %H:%M}-{end:%H:%M} {session.timezone}  "
        f"{session.place or '-'}  ({session.coming} + {session.maybe}?)"
    )


async def _sessions_list(app: App, args: argparse.Namespace, t: Translator) -> int:
    from bot.core import sessions

    await _prepare(app, t)
    services = app.services
    found = await sessions.upcoming_all(services)
    if not found:
        _print(t._("No session is planned yet."))
    for session in found:
        _print(_session_line(session))
    return 0


async def _sessions_plan(app: App, args: argparse.Namespace, t: Translator) -> int:
    from bot.core import sessions
    from bot.core.session_rules import RuleError

    await _prepare(app, t)
    services = app.services
    if args.rule:
        try:
            await sessions.set_rule(services, args.rule)
        except RuleError as error:
            _print(t._("I did not understand this rule."), str(error))
            return 2
    if not await sessions.current_rule(services):
        _print(t._("No rule: set [sessions] rule, or pass --rule."))
        return 2
    planned = await sessions.plan_ahead(services, count=args.count)
    for session in planned:
        _print(_session_line(session))
    return 0


async def _member_forget(app: App, args: argparse.Namespace, t: Translator) -> int:
    from bot.privacy_cli import forget_by_name_or_id

    await _prepare(app, t)
    done, answer = await forget_by_name_or_id(app, args.who)
    _print(answer)
    return 0 if done else 2


async def _report(app: App, args: argparse.Namespace, t: Translator) -> int:
    from bot.files_cli import report_command

    return await report_command(app, args, t)


async def _tutorials_export(app: App, args: argparse.Namespace, t: Translator) -> int:
    from bot.files_cli import tutorials_export_command

    return await tutorials_export_command(app, args, t)


def _day(text: str) -> date:
    return date.fromisoformat(text)


def build_parser(t: Translator) -> argparse.ArgumentParser:
    """The argument parser, with help in the configured language."""
    _ = t._
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        metavar="PATH",
        help=_(
            "configuration file (else $SAMU_CONFIG, else ./config.toml, else built-in defaults)"
        ),
    )
    parser = argparse.ArgumentParser(
        prog="samu",
        description=_("Samu numérique: the mutual-help bot of the network."),
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    db = sub.add_parser("db", parents=[common], help=_("database maintenance"))
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_sub.add_parser(
        "upgrade", parents=[common], help=_("apply the migrations up to the newest")
    ).set_defaults(handler=_db_upgrade)
    add_backup_parsers(sub, db_sub, common, t)

    demo = sub.add_parser(
        "demo",
        parents=[common],
        help=_("create the demo network and open the terminal chat"),
    )
    demo.add_argument(
        "--as",
        dest="persona",
        metavar="NAME",
        help=_("who you are in the chat (default Amina)"),
    )
    demo.set_defaults(handler=_demo)

    chat = sub.add_parser("chat", parents=[common], help=_("chat with the bot in the terminal"))
    chat.add_argument("--as", dest="persona", metavar="NAME", help=_("who you are in the chat"))
    chat.set_defaults(handler=_chat)

    invite = sub.add_parser("invite", parents=[common], help=_("invitation codes"))
    invite_sub = invite.add_subparsers(dest="invite_command", required=True, metavar="ACTION")
    create = invite_sub.add_parser("create", parents=[common], help=_("create an invitation code"))
    create.add_argument(
        "--role",
        choices=INVITE_ROLES,
        default=INVITE_ROLES[0],
    )
    create.add_argument("--structure", metavar="NAME", help=_("the structure the person joins"))
    create.add_argument(
        "--uses", type=int, default=1, metavar="N", help=_("how many people may use it")
    )
    create.add_argument(
        "--expires-days",
        type=int,
        default=14,
        metavar="N",
        help=_("days before it expires"),
    )
    create.set_defaults(handler=_invite_create)
    invite_sub.add_parser(
        "list", parents=[common], help=_("the codes that still let someone join")
    ).set_defaults(handler=_invite_list)
    revoke = invite_sub.add_parser("revoke", parents=[common], help=_("cancel a code"))
    revoke.add_argument("code", metavar="CODE")
    revoke.set_defaults(handler=_invite_revoke)

    sub.add_parser(
        "doctor", parents=[common], help=_("check the configuration and the database")
    ).set_defaults(handler=_doctor)

    series = sub.add_parser("sessions", parents=[common], help=_("the exchange sessions"))
    series_sub = series.add_subparsers(dest="sessions_command", required=True, metavar="ACTION")
    series_sub.add_parser("list", parents=[common], help=_("the next sessions")).set_defaults(
        handler=_sessions_list
    )
    plan = series_sub.add_parser("plan", parents=[common], help=_("plan sessions from the rule"))
    plan.add_argument(
        "--rule", help=_("the series rule, e.g. 'premier jeudi de chaque trimestre 9h-12h'")
    )
    plan.add_argument(
        "--count", type=int, default=4, metavar="N", help=_("how many sessions ahead")
    )
    plan.set_defaults(handler=_sessions_plan)
    report = sub.add_parser(
        "report", parents=[common], help=_("write the coordinators' report (HTML, PNG, CSV)")
    )
    report.add_argument("--out", required=True, metavar="DIR", help=_("folder to write into"))
    report.add_argument(
        "--from", dest="since", type=_day, metavar="YYYY-MM-DD", help=_("first day")
    )
    report.add_argument("--to", dest="until", type=_day, metavar="YYYY-MM-DD", help=_("last day"))
    report.add_argument(
        "--force", action="store_true", help=_("replace a report already in the folder")
    )
    report.set_defaults(handler=_report)
    member = sub.add_parser("member", parents=[common], help=_("members of the network"))
    member_sub = member.add_subparsers(dest="member_command", required=True, metavar="ACTION")
    forget = member_sub.add_parser(
        "forget", parents=[common], help=_("erase a member who left (RGPD)")
    )
    forget.add_argument("who", metavar="NAME|NUMBER", help=_("display name or member number"))
    forget.set_defaults(handler=_member_forget)
    base = sub.add_parser("tutorials", parents=[common], help=_("the tutorial base"))
    base_sub = base.add_subparsers(dest="tutorials_command", required=True, metavar="ACTION")
    export = base_sub.add_parser(
        "export", parents=[common], help=_("write the tutorials as files for a wiki or a website")
    )
    export.add_argument("--format", choices=TUTORIAL_FORMATS, default="markdown", help=_("format"))
    export.add_argument("--out", required=True, metavar="DIR", help=_("folder to write into"))
    export.add_argument(
        "--include-drafts",
        action="store_true",
        help=_("also export drafts and entries waiting for review (published ones only without)"),
    )
    # The flag of earlier versions, now what happens without --include-drafts.
    export.add_argument("--only-published", action="store_true", help=argparse.SUPPRESS)
    export.add_argument(
        "--force",
        action="store_true",
        help=_("write into a folder that is not empty (nothing there is deleted)"),
    )
    export.set_defaults(handler=_tutorials_export)
    add_places_parser(sub, common, t)
    sub.add_parser("run", parents=[common], help=_("run the enabled transports")).set_defaults(
        handler=_run
    )
    return parser


def _demo_config(config: Config) -> Config:
    """The demo network is awake at all hours, so every flow can be tried at once."""
    requests = config.requests.model_copy(
        update={"quiet_hours": "00:00-00:00", "quiet_weekends": False}
    )
    return config.model_copy(update={"requests": requests})


async def _main(config: Config, args: argparse.Namespace, t: Translator) -> int:
    from bot.app import App, SchemaOutOfDate  # the whole application: only to run a command

    if args.handler is _demo:
        config = _demo_config(config)
    app = App.build(config)
    handler: Command = args.handler
    try:
        return await handler(app, args, t)
    except SchemaOutOfDate as problem:
        status = problem.status
        if status.from_newer_version:
            _print(
                t._(
                    "The database comes from a newer version of samu (revision {current}; "
                    "this version knows up to {head})."
                ).format(current=status.current, head=status.head),
                t._("Install that newer version, or restore a backup made with this one."),
            )
            return 3
        _print(
            t._("The database is not up to date with this version."),
            t._("Run: samu db upgrade"),
        )
        return 3
    finally:
        await app.close()


def _config_from_argv(argv: Sequence[str]) -> tuple[Config | None, ConfigError | None]:
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--config")
    known, _ = pre.parse_known_args(argv)
    try:
        return load_config(known.config), None
    except ConfigError as exc:
        return None, exc


def config_problem_text(problem: ConfigError, t: Translator) -> str:
    """What is wrong with the configuration, in the operator's language (the details of a
    value the validators refused stay as they wrote them: they quote keys and examples)."""
    headings = {
        ConfigProblem.INVALID: t._("{source}: the configuration is not valid:"),
        ConfigProblem.NOT_FOUND: t._("{source}: file not found (check --config or $SAMU_CONFIG)"),
        ConfigProblem.NOT_TOML: t._("{source}: not valid TOML:"),
        ConfigProblem.ENV_FILE: t._("{source}: env_file cannot be read:"),
    }
    heading = headings[problem.problem].format(source=problem.source)
    if problem.problem in (ConfigProblem.NOT_TOML, ConfigProblem.ENV_FILE):
        return " ".join([heading, *problem.details])
    unknown = t._("unknown key (check its spelling in config.example.toml)")
    lines = [f"  {detail.replace(UNKNOWN_KEY, unknown)}" for detail in problem.details]
    return "\n".join([heading, *lines])


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `samu` command."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    config, problem = _config_from_argv(arguments)
    t = translator(config.bot.default_locale if config else "fr")
    args = build_parser(t).parse_args(arguments)
    if config is None:
        assert problem is not None
        print(config_problem_text(problem, t), file=sys.stderr)
        return 2
    # A service's log says what it runs (INFO); a command in the terminal only what went wrong.
    default = "INFO" if args.handler is _run else "WARNING"
    level = os.environ.get("SAMU_LOG_LEVEL", default).upper()
    logging.basicConfig(
        level=level if level in logging.getLevelNamesMapping() else default,
        handlers=[log_handler(config.logging.format, config.secrets())],
    )
    for chatty in ("httpx", "apscheduler", "nio", "peewee"):  # a line per request, tick, sync
        logging.getLogger(chatty).setLevel(max(logging.WARNING, logging.getLogger().level))
    return asyncio.run(_main(config, args, t))


if __name__ == "__main__":
    sys.exit(main())
