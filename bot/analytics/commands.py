"""CLI commands for återkoppling ("Ni sa – vi gör") and the HTML report.

    brukarrost feedback publish --consultation ID --said TEXT --doing TEXT [--lang sv]
    brukarrost feedback list --consultation ID [--all]
    brukarrost feedback retract --consultation ID --id N
    brukarrost report --consultation ID [--from D --to D] --out report.html
"""

from __future__ import annotations

import argparse
import sys

from bot.config import Settings

from bot.analytics.feedback_text import LANGS, MAX_CHARS as MAX_FEEDBACK_CHARS


def _cli():
    from bot import cli

    return cli


def _consultation_known(settings: Settings, consultation_id: str, work):
    """Run `await work(sessions, catalog)` if the consultation exists, else fail clearly."""
    cli = _cli()
    problem = cli._check_definitions(settings)
    if problem:
        return cli._fail(problem)

    async def checked(sessions, catalog):
        if consultation_id not in catalog:
            return cli._fail(f"there is no consultation called {consultation_id!r}.")
        return await work(sessions, catalog)

    return cli._with_catalog(settings, checked)


def cmd_feedback_publish(settings: Settings, args: argparse.Namespace) -> int:
    from bot.analytics.feedback_text import clean
    from storage import feedback as feedback_store

    texts = {}
    for name in ("said", "doing"):
        cleaned = clean(getattr(args, name))
        if cleaned.problem == "empty":
            return _cli()._fail(f"--{name} must not be empty.")
        if cleaned.problem == "too_long":
            return _cli()._fail(f"--{name} is longer than {MAX_FEEDBACK_CHARS} characters.")
        if cleaned.redacted:
            print(f"Note: removed what could identify someone from --{name}.", file=sys.stderr)
        texts[name] = cleaned.text

    async def work(sessions, _catalog) -> int:
        async with sessions() as session, session.begin():
            message = await feedback_store.publish(session, args.consultation, args.lang,
                                                   texts["said"], texts["doing"])
        print(f"Published message {message.id} ({args.lang}) for {args.consultation}.")
        return 0

    return _consultation_known(settings, args.consultation, work)


def cmd_feedback_list(settings: Settings, args: argparse.Namespace) -> int:
    from storage import feedback as feedback_store

    async def work(sessions, _catalog) -> int:
        async with sessions() as session:
            messages = await feedback_store.listed(session, args.consultation,
                                                   include_retracted=args.all)
        for message in messages:
            state = "retracted" if message.retracted_at else "published"
            print(f"{message.id}\t{message.lang}\t{message.published_at:%Y-%m-%d}\t{state}\t"
                  f"Ni sa: {message.said}\tVi gör: {message.doing}")
        if not messages:
            print("No published messages.")
        return 0

    return _consultation_known(settings, args.consultation, work)


def cmd_feedback_retract(settings: Settings, args: argparse.Namespace) -> int:
    from storage import feedback as feedback_store

    async def work(sessions, _catalog) -> int:
        async with sessions() as session, session.begin():
            done = await feedback_store.retract(session, args.consultation, args.id)
        if not done:
            return _cli()._fail(f"there is no published message {args.id} for "
                                f"{args.consultation}.")
        print(f"Retracted message {args.id}.")
        return 0

    return _consultation_known(settings, args.consultation, work)


def cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.analytics import report

    cli = _cli()
    if bool(args.date_from) != bool(args.date_to):
        return cli._fail("give both --from and --to, or neither.")
    if args.date_from and args.date_from > args.date_to:
        return cli._fail("--from is after --to.")

    async def work(sessions, catalog) -> int:
        _, definition = catalog.current(args.consultation)
        html = await report.render(sessions, definition, settings.min_group_size,
                                   args.date_from, args.date_to, units=None)
        Path(args.out).write_text(html, encoding="utf-8")
        print(f"Wrote the report to {args.out}")
        return 0

    return _consultation_known(settings, args.consultation, work)


def register(commands) -> None:
    """Add `feedback` and `report` to the `brukarrost` parser."""
    day = _cli()._day
    feedback = commands.add_parser("feedback", help='"Ni sa – vi gör": results back to brukare')
    sub = feedback.add_subparsers(dest="action", required=True)
    publish = sub.add_parser("publish", help="publish what brukare said and what is done")
    publish.add_argument("--consultation", required=True)
    publish.add_argument("--said", required=True, help='"Ni sa": the short result')
    publish.add_argument("--doing", required=True, help='"Vi gör": what is done about it')
    publish.add_argument("--lang", choices=LANGS, default="sv")
    publish.set_defaults(func=cmd_feedback_publish)
    listing = sub.add_parser("list", help="the published messages, newest first")
    listing.add_argument("--consultation", required=True)
    listing.add_argument("--all", action="store_true", help="with retracted messages")
    listing.set_defaults(func=cmd_feedback_list)
    retract = sub.add_parser("retract", help="take a published message back")
    retract.add_argument("--consultation", required=True)
    retract.add_argument("--id", type=int, required=True)
    retract.set_defaults(func=cmd_feedback_retract)

    rep = commands.add_parser("report", help="an HTML report with charts and tables")
    rep.add_argument("--consultation", required=True)
    rep.add_argument("--from", dest="date_from", type=day)
    rep.add_argument("--to", dest="date_to", type=day)
    rep.add_argument("--out", required=True)
    rep.set_defaults(func=cmd_report)
