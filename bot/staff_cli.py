"""Staff commands of `brukarrost`:

    brukarrost user create --email E --role admin|staff|analyst [--unit ID ...] [--password-stdin]
    brukarrost gallra

The password is never an argument (it would end up in the shell history and in `ps`): it is
asked for twice at a terminal, or read as one line from standard input with --password-stdin.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from bot.config import Settings


def _read_password(from_stdin: bool) -> str | None:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Lösenord: ")
    if getpass.getpass("Samma lösenord igen: ") != first:
        return None
    return first


def cmd_user_create(settings: Settings, args: argparse.Namespace) -> int:
    from sqlalchemy.exc import IntegrityError

    from bot.cli import _fail, _with_catalog
    from bot.web import passwords
    from storage import audit, users

    email = args.email.strip().lower()
    if "@" not in email:
        return _fail(f"{args.email!r} is not an e-mail address.")
    if args.role == "staff" and not args.unit:
        return _fail("a staff account needs at least one --unit.")
    password = _read_password(args.password_stdin)
    if password is None:
        return _fail("the two passwords were not the same.")
    problem = passwords.problem(password)
    if problem:
        return _fail(problem + ".")
    hashed = passwords.hash_password(password)

    async def work(sessions, catalog) -> int:
        unknown = sorted(set(args.unit) - set(catalog.units))
        if unknown:
            return _fail(f"there is no unit called {unknown[0]!r} in {settings.units_file.name}.")
        try:
            async with sessions() as session, session.begin():
                await users.create_user(session, email, hashed, args.role, args.unit)
                await audit.record(session, "user_created", "command line", target=email,
                                   detail=f"role={args.role} units={','.join(args.unit)}")
        except IntegrityError:
            return _fail(f"there is already an account for {email}.")
        print(f"Created {args.role} {email}" + (f" for {', '.join(args.unit)}" if args.unit
                                                 else "") + ".")
        return 0

    return _with_catalog(settings, work)


def cmd_gallra(settings: Settings, args: argparse.Namespace) -> int:
    from bot import retention
    from bot.cli import _with_database

    async def work(sessions):
        definitions = await retention.stored(sessions)
        return definitions, await retention.run(sessions, definitions)

    definitions, removed = _with_database(settings, work)
    if not definitions:
        print("No consultation is registered in the database yet: nothing to remove.")
    for consultation_id, count in removed.items():
        days = definitions[consultation_id].retention_days
        print(f"{consultation_id}: removed {count} message texts older than {days} days")
    return 0


def add_commands(commands) -> None:
    """Register `user create` and `gallra` on the `brukarrost` parser's subcommands."""
    from storage.users import ROLES

    user = commands.add_parser("user", help="staff accounts")
    user_sub = user.add_subparsers(dest="action", required=True)
    create = user_sub.add_parser("create", help="create a staff account")
    create.add_argument("--email", required=True)
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--unit", action="append", default=[],
                        help="a unit whose conversations the account may read (repeat)")
    create.add_argument("--password-stdin", action="store_true",
                        help="read the password as one line from standard input")
    create.set_defaults(func=cmd_user_create)

    gallra = commands.add_parser(
        "gallra", help="retention: remove message texts older than each consultation allows")
    gallra.set_defaults(func=cmd_gallra)
