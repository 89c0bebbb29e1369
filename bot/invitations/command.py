"""`brukarrost invite`: one-time invitation links with QR codes and a printable sheet.

Every invitation counts as one brukare offered the consultation (response rate).
"""

from __future__ import annotations

import argparse
import secrets
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bot.config import Settings
from bot.invitations import sheet
from bot.invitations.tokens import new_token, token_hash

MAX_COUNT = 2000


def add_parser(commands) -> None:
    invite = commands.add_parser("invite", help="one-time invitation links and QR codes")
    invite.add_argument("--consultation", required=True)
    invite.add_argument("--unit", required=True)
    invite.add_argument("--count", type=int, required=True)
    invite.add_argument("--out", required=True, help="a folder for the QR codes and the sheet")
    invite.add_argument("--expires-days", type=int, default=30)
    invite.add_argument("--base-url", help="default: BRUKARROST_PUBLIC_URL")
    invite.set_defaults(func=cmd_invite)


def _problem(settings: Settings, args: argparse.Namespace) -> str | None:
    if not 1 <= args.count <= MAX_COUNT:
        return f"--count must be 1 to {MAX_COUNT}."
    if args.expires_days < 1:
        return "--expires-days must be 1 or more."
    base = args.base_url or settings.public_url
    if not base.startswith(("http://", "https://")):
        return "--base-url must start with http:// or https://."
    return None


def cmd_invite(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli import _check_definitions, _fail, _with_catalog
    from storage import invitations as invitation_store

    problem = _problem(settings, args) or _check_definitions(settings)
    if problem:
        return _fail(problem)
    base = (args.base_url or settings.public_url).rstrip("/")
    expires_at = datetime.now(timezone.utc) + timedelta(days=args.expires_days)
    tokens = [new_token() for _ in range(args.count)]

    async def work(sessions, catalog) -> int:
        if args.consultation not in catalog:
            return _fail(f"there is no consultation called {args.consultation!r}.")
        if args.unit not in catalog.units:
            return _fail(f"there is no unit called {args.unit!r} in {settings.units_file.name}.")
        _version, definition = catalog.current(args.consultation)
        links = [f"{base}/chat/{args.consultation}?invite={token}" for token in tokens]
        out = Path(args.out)
        sheet.write(out, links, definition.title.get("sv"), catalog.units[args.unit].name,
                    expires_at.date())
        async with sessions() as session, session.begin():
            await invitation_store.add_batch(
                session, secrets.token_hex(8), args.consultation, args.unit,
                [token_hash(settings.secret_key, token) for token in tokens], expires_at)
        print(f"Made {len(tokens)} invitations for {args.unit}, valid to "
              f"{expires_at.date()}: {out / 'invitations.html'} (print it), {out / 'links.csv'}, "
              f"QR codes in {out / 'qr'}.")
        return 0

    return _with_catalog(settings, work)
