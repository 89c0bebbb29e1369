"""`brukarrost token ...`: tokens of the read-only analyst API.

    brukarrost token create --email E [--name NAME]
    brukarrost token list [--email E]
    brukarrost token revoke ID

A token belongs to an existing, active account with the role analyst or admin. It is
printed once; only its SHA-256 is stored. Creating and revoking are written to the audit log.
"""

from __future__ import annotations

import argparse
import sys

from bot.config import Settings

ACTOR = "command line"


def _cli():
    from bot import cli

    return cli


def cmd_create(settings: Settings, args: argparse.Namespace) -> int:
    from bot.api import tokens
    from storage import api_tokens, audit, users

    email = args.email.strip().lower()
    name = " ".join((args.name or "").split()) or None
    if name and len(name) > tokens.MAX_NAME:
        return _cli()._fail(f"--name is longer than {tokens.MAX_NAME} characters.")
    token = tokens.new_token()

    async def work(sessions) -> int:
        async with sessions() as session, session.begin():
            user = await users.by_email(session, email)
            if user is None or not user.active:
                return _cli()._fail(f"there is no active account for {email}.")
            if user.role not in tokens.ROLES:
                return _cli()._fail(f"{email} is {user.role}; API tokens are for "
                                    f"{' and '.join(tokens.ROLES)} accounts.")
            row = await api_tokens.create(session, user.id, tokens.token_hash(token), name)
            await audit.record(session, "api_token_created", ACTOR, target=email,
                               detail=f"token={row.id}" + (f" name={name}" if name else ""))
        print(f"Created API token {row.id} for {email}. It is shown only now; keep it "
              "secret:", file=sys.stderr)
        print(token)
        return 0

    return _cli()._with_database(settings, work)


def cmd_list(settings: Settings, args: argparse.Namespace) -> int:
    from storage import api_tokens, users

    async def work(sessions) -> int:
        async with sessions() as session:
            user_id = None
            if args.email:
                user = await users.by_email(session, args.email.strip().lower())
                if user is None:
                    return _cli()._fail(f"there is no account for {args.email}.")
                user_id = user.id
            found = await api_tokens.listed(session, user_id)
        print("id\temail\tname\tcreated\tlast_used\tstate")
        for token, email in found:
            print(f"{token.id}\t{email}\t{token.name or ''}\t{token.created_at:%Y-%m-%d %H:%M}\t"
                  f"{token.last_used_at and f'{token.last_used_at:%Y-%m-%d %H:%M}' or ''}\t"
                  f"{'revoked' if token.revoked_at else 'active'}")
        return 0

    return _cli()._with_database(settings, work)


def cmd_revoke(settings: Settings, args: argparse.Namespace) -> int:
    from storage import api_tokens, audit
    from storage.models import StaffUser

    async def work(sessions) -> int:
        async with sessions() as session, session.begin():
            token = await api_tokens.revoke(session, args.id)
            if token is None:
                return _cli()._fail(f"there is no active API token {args.id}.")
            owner = await session.get(StaffUser, token.user_id)
            await audit.record(session, "api_token_revoked", ACTOR, target=owner.email,
                               detail=f"token={token.id}")
        print(f"Revoked API token {args.id}.")
        return 0

    return _cli()._with_database(settings, work)


def add_commands(commands) -> None:
    """Register `brukarrost token ...` on the main parser's subcommands."""
    token = commands.add_parser("token", help="tokens of the analysts' read-only JSON API")
    sub = token.add_subparsers(dest="action", required=True)
    create = sub.add_parser("create", help="a new token for an analyst or admin (shown once)")
    create.add_argument("--email", required=True)
    create.add_argument("--name", help="what the token is for, e.g. 'R-skript'")
    create.set_defaults(func=cmd_create)
    listing = sub.add_parser("list", help="tokens (never the tokens themselves)")
    listing.add_argument("--email", help="only this account's")
    listing.set_defaults(func=cmd_list)
    revoke = sub.add_parser("revoke", help="revoke a token by its id")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(func=cmd_revoke)
