"""The `brukarrost` command: the same configuration and surfaces as the server.

    brukarrost train [--force]
    brukarrost serve [--host H] [--port P] [--workers N]
    brukarrost migrate
    brukarrost consultations check
    brukarrost nlu evaluate [--folds K] [--heldout FILE] [--scale FILE]
    brukarrost indicators --consultation ID [--format csv|json|xlsx] [--out FILE] [--unit ID]
                          [--from D --to D [--compare]]
    brukarrost offered --consultation ID --unit ID --from D --to D --count N
    brukarrost response-rate --consultation ID [--from D] [--to D] [--format csv|json]
    brukarrost user create --email E --role admin|staff|analyst [--unit ID ...] [--password-stdin]
    brukarrost gallra
    brukarrost export --consultation ID --format csv|xlsx|json --out FILE [--unit ID]
                      [--from YYYY-MM-DD] [--to YYYY-MM-DD]
    brukarrost themes classify|train|evaluate|list|correct|corrections|apply|discover
      (see bot/analytics/theme_cli.py)
    brukarrost feedback publish|list|retract ... and brukarrost report ...
                      (bot/analytics/commands.py)
    brukarrost invite --consultation ID --unit ID --count N --out DIR [--expires-days D]
                      [--base-url URL]
    brukarrost token create --email E [--name N] | token list [--email E] | token revoke ID
                      (bot/api/token_cli.py)
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import date
from pathlib import Path

from bot import staff_cli
from bot import logs
from bot.config import PROJECT_ROOT, Settings, load_settings

log = logging.getLogger("brukarrost")

EXIT_USAGE = 2


def _fail(message: str) -> int:
    print(f"brukarrost: {message}", file=sys.stderr)
    return EXIT_USAGE


def _with_database(settings: Settings, work):
    """Run `await work(sessions)` on the migrated database, then close it."""
    from storage.db import create_engine, migrate, session_factory

    async def run():
        engine = create_engine(settings.database_url)
        try:
            await migrate(engine)
            return await work(session_factory(engine))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def cmd_train(settings: Settings, args: argparse.Namespace) -> int:
    from bot.engine.scale_reader import ScaleReader
    from nlu.train import train

    path, trained = train(
        settings.models_dir, settings.nlu_config, settings.nlu_data_dir, force=args.force
    )
    print(f"{'Trained' if trained else 'Up to date, not retrained'}: {path}")
    # trained here once (or loaded when up to date), so that every server worker and test
    # run loads it from models/ instead of training it at its start
    reader = ScaleReader.shared(settings.models_dir)
    print(f"Scale reader: {settings.models_dir / reader.cache_file}")
    return 0


def _check_definitions(settings: Settings) -> str | None:
    from bot.engine.catalog import load_units
    from bot.engine.definitions import DefinitionError, load_directory

    try:
        load_directory(settings.consultations_dir)
        load_units(settings.units_file)
    except DefinitionError as exc:
        return str(exc)
    return None


def cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    problem = _check_definitions(settings)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    print(f"All consultation definitions in {settings.consultations_dir} are valid.")
    return 0


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    async def nothing(_sessions) -> None:
        return None

    _with_database(settings, nothing)
    print("The database is up to date.")
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from bot.serving import one_thread_per_process, serve_one, serve_workers
    from nlu.train import current_model

    one_thread_per_process()

    problem = _check_definitions(settings)
    if problem:
        print(problem, file=sys.stderr)
        return _fail("fix the consultation definitions above; the server did not start.")
    model = current_model(settings.models_dir, settings.nlu_config, settings.nlu_data_dir)
    if model is None:
        return _fail("no model trained on the current NLU data: run `brukarrost train` first.")
    host = args.host or settings.host
    port = args.port or settings.port
    workers = args.workers or settings.workers
    if workers < 1:
        return _fail("--workers must be 1 or more.")
    if workers > 1:
        return serve_workers(settings, host, port, model, workers)
    serve_one(settings, host, port, model, reuse_port=False)
    return 0


def cmd_indicators(settings: Settings, args: argparse.Namespace) -> int:
    from bot.analytics import indicators, tables
    from bot.engine.definitions import DefinitionError, load_directory

    try:
        definitions = load_directory(settings.consultations_dir)
    except DefinitionError as exc:
        return _fail(str(exc))
    if args.consultation not in definitions:
        return _fail(f"there is no consultation called {args.consultation!r}.")
    if args.date_from and args.date_to and args.date_from > args.date_to:
        return _fail("--from is after --to.")
    if args.compare and not (args.date_from and args.date_to):
        return _fail("--compare needs a period: give --from and --to.")
    if args.format == "xlsx" and not args.out:
        return _fail("--format xlsx needs --out FILE.")

    async def work(sessions) -> list[dict]:
        def figures(start, end):
            return indicators.compute(sessions, definitions[args.consultation],
                                      settings.min_group_size, unit_id=args.unit,
                                      date_from=start, date_to=end)

        rows = await figures(args.date_from, args.date_to)
        if args.compare:
            before = indicators.previous_period(args.date_from, args.date_to)
            rows = indicators.compare(rows, await figures(*before))
        return rows

    tables.write(_with_database(settings, work), args.format, args.out, sys.stdout)
    return 0


def _with_catalog(settings: Settings, work):
    """Run `await work(sessions, catalog)` with consultations and units registered."""
    from bot.engine.catalog import Catalog

    async def registered(sessions):
        async with sessions() as session, session.begin():
            catalog = await Catalog.load(session, settings.consultations_dir, settings.units_file)
        return await work(sessions, catalog)

    return _with_database(settings, registered)


def cmd_offered(settings: Settings, args: argparse.Namespace) -> int:
    from storage import response as response_store

    if args.count < 0:
        return _fail("--count must be 0 or more.")
    if args.date_from > args.date_to:
        return _fail("--from is after --to.")
    problem = _check_definitions(settings)
    if problem:
        return _fail(problem)

    async def work(sessions, catalog) -> int:
        if args.consultation not in catalog:
            return _fail(f"there is no consultation called {args.consultation!r}.")
        if args.unit not in catalog.units:
            return _fail(f"there is no unit called {args.unit!r} in {settings.units_file.name}.")
        async with sessions() as session, session.begin():
            await response_store.set_offered(session, args.consultation, args.unit,
                                             args.date_from, args.date_to, args.count)
        print(f"Offered {args.count} in {args.unit}, {args.date_from} to {args.date_to}.")
        return 0

    return _with_catalog(settings, work)


def cmd_response_rate(settings: Settings, args: argparse.Namespace) -> int:
    import csv
    import json

    from bot.analytics import response

    problem = _check_definitions(settings)
    if problem:
        return _fail(problem)

    async def work(sessions, catalog):
        if args.consultation not in catalog:
            return None
        return await response.compute(sessions, args.consultation, settings.min_group_size,
                                      args.date_from, args.date_to)

    rows = _with_catalog(settings, work)
    if rows is None:
        return _fail(f"there is no consultation called {args.consultation!r}.")
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "suppressed": str(row["suppressed"]).lower()})
    return 0


def cmd_nlu_evaluate(settings: Settings, args: argparse.Namespace) -> int:
    from bot.engine.scale_eval import evaluate_scale
    from nlu import evaluate
    from nlu.interpreter import NluInterpreter
    from nlu.train import current_model

    config = Path(args.config) if args.config else settings.nlu_config
    data = Path(args.data) if args.data else settings.nlu_data_dir
    if args.folds == 1 or args.folds < 0:
        return _fail("--folds must be 0 (no cross-validation) or at least 2.")
    if args.folds:
        examples = evaluate.load_examples([data])
        print(f"Cross-validation: {args.folds} folds over {len(examples)} examples in {data}")
        result = evaluate.cross_validate(examples, args.folds, config)
        print("\n".join(result.lines(f"{args.folds}-fold cross-validation")))
        print()
    if args.heldout == "-" and args.scale == "-":
        return 0
    if args.scale != "-" and not Path(args.scale).exists():
        return _fail(f"no typed scale answers at {args.scale}: pass --scale FILE, or - to skip.")
    model = current_model(settings.models_dir, config, data)
    if model is None:
        return _fail("no model trained on the current data: run `brukarrost train` first.")
    interpreter = NluInterpreter.load(model)
    try:
        if args.heldout != "-":
            heldout = Path(args.heldout)
            examples = evaluate.load_examples([heldout])
            result = asyncio.run(evaluate.held_out(interpreter.parse, examples))
            print("\n".join(result.lines(
                f"Held-out test ({heldout.name}, {len(examples)} examples, model {model.name})"
            )))
            print(f"held-out macro-F1 {result.macro_f1:.3f} (target >= 0.95); "
                  f"crisis recall {result.recall('crisis'):.3f} (target >= 0.98)")
            for text, gold, predicted in result.errors:
                print(f"  miss: {text!r}: {gold} -> {predicted}")
            recall, alarms, others = asyncio.run(_safety_net(interpreter.parse, examples))
            print(f"crisis recall with the rule safety net (what the bot does): {recall:.3f}; "
                  f"false alarms {alarms} of {others} other messages")
            print()
        if args.scale != "-":
            from bot.engine.scale_reader import ScaleReader

            scale = asyncio.run(evaluate_scale(Path(args.scale), interpreter.parse,
                                               ScaleReader.shared(settings.models_dir)))
            print("\n".join(scale.lines()))
            print(f"scale exact {scale.exact / scale.total:.3f} (target >= 0.90); "
                  f"within one {scale.within_one / scale.total:.3f} (target >= 0.98)")
    finally:
        interpreter.close()
    return 0


async def _safety_net(parse, examples) -> tuple[float, int, int]:
    """Crisis recall of rules + model together, as a turn checks, and its false alarms."""
    from bot.engine import safety

    found = crises = alarms = others = 0
    for text, intent in examples:
        hit = safety.rule_risk(text) is not None or safety.model_risk(await parse(text))
        if intent == "crisis":
            crises, found = crises + 1, found + hit
        else:
            others, alarms = others + 1, alarms + hit
    return (found / crises if crises else 0.0), alarms, others


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-01-31") from None


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from bot.analytics import export
    from storage.models import Consultation

    async def work(sessions) -> int:
        async with sessions() as session:
            if await session.get(Consultation, args.consultation) is None:
                return _fail(f"there is no consultation called {args.consultation!r}.")
        source = export.rows(
            sessions, args.consultation, unit_id=args.unit,
            date_from=args.date_from, date_to=args.date_to,
        )
        count = await export.write(Path(args.out), args.format, source)
        print(f"Wrote {count} answers to {args.out}")
        return 0

    if args.date_from and args.date_to and args.date_from > args.date_to:
        return _fail("--from is after --to.")
    return _with_database(settings, work)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="brukarrost", description="Brukarröst: feedback from brukare, by chat."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser(
        "train", help="train the NLU model and the scale reader unless they are up to date")
    train.add_argument("--force", action="store_true", help="train even if up to date")
    train.set_defaults(func=cmd_train)

    serve = commands.add_parser("serve", help="migrate the database and serve HTTP")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, help="processes sharing the port (default 1)")
    serve.set_defaults(func=cmd_serve)

    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    migrate.set_defaults(func=cmd_migrate)

    consultations = commands.add_parser("consultations", help="consultation definitions")
    sub = consultations.add_subparsers(dest="action", required=True)
    check = sub.add_parser("check", help="validate every definition file")
    check.set_defaults(func=cmd_check)

    nlu = commands.add_parser("nlu", help="the NLU model")
    nlu_sub = nlu.add_subparsers(dest="action", required=True)
    evaluate = nlu_sub.add_parser(
        "evaluate", help="k-fold cross-validation, held-out test and typed scale answers"
    )
    evaluate.add_argument("--folds", type=int, default=5, help="0 skips cross-validation")
    evaluate.add_argument("--heldout", default=str(PROJECT_ROOT / "nlu/heldout/nlu_heldout.yml"),
                          help="held-out intents file; - skips it")
    evaluate.add_argument("--scale", default=str(PROJECT_ROOT / "nlu/heldout/scale_answers.yml"),
                          help="typed scale answers file; - skips it")
    evaluate.add_argument("--data", help="training data (default nlu/data)")
    evaluate.add_argument("--config", help="Rasa pipeline (default config.yml)")
    evaluate.set_defaults(func=cmd_nlu_evaluate)

    from bot.analytics.export import FORMATS

    ind = commands.add_parser(
        "indicators", help="share positive, mean and distribution per question and group"
    )
    ind.add_argument("--consultation", required=True)
    ind.add_argument("--format", choices=("csv", "json", "xlsx"), default="csv")
    ind.add_argument("--out", help="a file (default: standard output)")
    ind.add_argument("--unit")
    ind.add_argument("--from", dest="date_from", type=_day)
    ind.add_argument("--to", dest="date_to", type=_day)
    ind.add_argument("--compare", action="store_true",
                     help="add the previous period of equal length and the change")
    ind.set_defaults(func=cmd_indicators)

    off = commands.add_parser("offered", help="record how many were offered a consultation")
    off.add_argument("--consultation", required=True)
    off.add_argument("--unit", required=True)
    off.add_argument("--from", dest="date_from", type=_day, required=True)
    off.add_argument("--to", dest="date_to", type=_day, required=True)
    off.add_argument("--count", type=int, required=True)
    off.set_defaults(func=cmd_offered)

    rate = commands.add_parser("response-rate", help="offered, started, completed per unit")
    rate.add_argument("--consultation", required=True)
    rate.add_argument("--format", choices=("csv", "json"), default="csv")
    rate.add_argument("--from", dest="date_from", type=_day)
    rate.add_argument("--to", dest="date_to", type=_day)
    rate.set_defaults(func=cmd_response_rate)

    exp = commands.add_parser("export", help="export answers, one row per answer")
    exp.add_argument("--consultation", required=True)
    exp.add_argument("--format", choices=FORMATS, default="csv")
    exp.add_argument("--out", required=True)
    exp.add_argument("--unit")
    exp.add_argument("--from", dest="date_from", type=_day)
    exp.add_argument("--to", dest="date_to", type=_day)
    exp.set_defaults(func=cmd_export)

    staff_cli.add_commands(commands)
    from bot.analytics import theme_cli

    theme_cli.add_commands(commands)
    from bot.analytics.commands import register

    register(commands)  # feedback publish|list|retract, report
    from bot.invitations import command as invite_command

    invite_command.add_parser(commands)
    from bot.api import token_cli

    token_cli.add_commands(commands)  # token create|list|revoke (the analyst API)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = load_settings()
    logs.setup(settings.log_level, settings.log_format)
    return args.func(settings, args)


if __name__ == "__main__":
    sys.exit(main())
