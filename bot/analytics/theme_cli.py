"""`brukarrost themes ...`: classify a CSV file, train, evaluate, discover, correct.

    brukarrost themes classify --in IN.csv --out OUT.csv
    brukarrost themes train [--force]
    brukarrost themes evaluate [--folds 5] [--features both|tfidf|e5] [--heldout [FILE]]
    brukarrost themes list --consultation ID [--uncategorised]
    brukarrost themes correct (--answer ID | --comment ID) --themes "a;b"
    brukarrost themes corrections [--out FILE.yml] [--consultation ID]
    brukarrost themes apply [--consultation ID]
    brukarrost themes discover --consultation ID [--clusters K] [--format text|json]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from bot.analytics import theme_data
from bot.config import Settings

TEXT_COLUMN = "text"


def _cli():
    from bot import cli  # the shared helpers (_fail, _with_database); imported late

    return cli


def _classifier(settings: Settings):
    from bot.analytics.themes import ThemeClassifier

    return ThemeClassifier.shared(settings.models_dir)


def _read_texts(path: Path) -> list[str]:
    """The `text` column of a CSV file with a header (a BOM from Excel is fine)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if TEXT_COLUMN not in (reader.fieldnames or []):
                found = ", ".join(reader.fieldnames or []) or "none"
                raise theme_data.ThemeDataError(
                    f"{path} has no `{TEXT_COLUMN}` column in its header (columns: {found})."
                )
            return [row[TEXT_COLUMN] or "" for row in reader]
    except FileNotFoundError:
        raise theme_data.ThemeDataError(f"cannot read {path}: there is no such file.") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise theme_data.ThemeDataError(f"cannot read {path}: {exc}") from None


def cmd_classify(settings: Settings, args: argparse.Namespace) -> int:
    """OUT has `text,themes`; the themes come from the redacted text, the text is as given."""
    from bot.engine.redact import redact

    try:
        texts = _read_texts(Path(args.inp))
    except theme_data.ThemeDataError as exc:
        return _cli()._fail(str(exc))
    found = _classifier(settings).classify([redact(t).text for t in texts])
    with open(args.out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([TEXT_COLUMN, "themes"])
        writer.writerows([text, theme_data.join(themes)] for text, themes in zip(texts, found))
    print(f"Classified {len(texts)} texts into {args.out}")
    return 0


def cmd_train(settings: Settings, args: argparse.Namespace) -> int:
    from bot.analytics.themes import ThemeClassifier

    _model, path, trained = ThemeClassifier.load_or_train(settings.models_dir, force=args.force)
    print(f"{'Trained' if trained else 'Up to date, not retrained'}: {path}")
    return 0


def cmd_evaluate(settings: Settings, args: argparse.Namespace) -> int:
    from bot.analytics import theme_eval

    if args.folds == 1 or args.folds < 0:
        return _cli()._fail("--folds must be 0 (no cross-validation) or at least 2.")
    ids = theme_data.theme_ids()
    examples = theme_data.training_examples()
    if args.folds:
        print(f"Cross-validation: {args.folds} folds over {len(examples)} examples "
              f"({args.features} features)")
        result = theme_eval.cross_validate(examples, ids, args.folds, args.features)
        print("\n".join(result.lines(f"{args.folds}-fold cross-validation")))
    if args.heldout:
        path = Path(args.heldout)
        heldout = theme_data.load_examples(path, ids)
        result = theme_eval.held_out(_classifier(settings), heldout)
        print("\n".join(result.lines(f"\nHeld-out test ({path.name}, {len(heldout)} texts)")))
        for text, gold, predicted in result.errors:
            print(f"  miss: {text!r}: {gold or '-'} -> {predicted or '-'}")
    return 0


def cmd_list(settings: Settings, args: argparse.Namespace) -> int:
    from storage import themes as theme_store

    async def work(sessions):
        async with sessions() as session:
            return await theme_store.texts(session, args.consultation)

    writer = csv.writer(sys.stdout)
    writer.writerow(["kind", "id", "question_id", "themes", "source", "text"])
    for item in _cli()._with_database(settings, work):
        if not args.uncategorised or not item.themes:
            writer.writerow([item.kind, item.id, item.question_id or "", item.themes or "",
                             item.source or "", item.text])
    return 0


def cmd_correct(settings: Settings, args: argparse.Namespace) -> int:
    from storage import themes as theme_store

    try:
        themes = theme_data.join(theme_data.parse_themes(args.themes, theme_data.theme_ids()))
    except theme_data.ThemeDataError as exc:
        return _cli()._fail(str(exc))
    kind, item_id = ("answer", args.answer) if args.answer is not None else \
        ("comment", args.comment)

    async def work(sessions):
        async with sessions() as session, session.begin():
            return await theme_store.correct(session, kind, item_id, themes)

    if not _cli()._with_database(settings, work):
        return _cli()._fail(f"there is no free-text {kind} with id {item_id}.")
    print(f"Themes of {kind} {item_id} set to {themes or '(none)'} (staff).")
    return 0


def cmd_corrections(settings: Settings, args: argparse.Namespace) -> int:
    from storage import themes as theme_store

    async def work(sessions):
        async with sessions() as session:
            return await theme_store.texts(session, args.consultation, source=theme_store.STAFF)

    items = _cli()._with_database(settings, work)
    examples = list({i.text: tuple(theme_data.parse_themes(i.themes or "", theme_data.theme_ids()))
                     for i in items}.items())
    out = Path(args.out)
    theme_data.write_examples(out, examples, (
        "Staff corrections of themes, exported by `brukarrost themes corrections`.\n"
        "As nlu/themes/corrections.yml they are training data for the next training."))
    print(f"Wrote {len(examples)} corrected texts to {out}")
    return 0


def cmd_apply(settings: Settings, args: argparse.Namespace) -> int:
    """Classify stored texts that have no themes yet (stored before themes existed)."""
    from storage import themes as theme_store

    classifier = _classifier(settings)

    async def work(sessions):
        async with sessions() as session, session.begin():
            items = await theme_store.texts(session, args.consultation, unclassified=True)
            for item, found in zip(items, classifier.classify([i.text for i in items])):
                await theme_store.set_model_themes(session, item.kind, item.id,
                                                   theme_data.join(found))
            return len(items)

    print(f"Classified {_cli()._with_database(settings, work)} stored texts.")
    return 0


def cmd_discover(settings: Settings, args: argparse.Namespace) -> int:
    from bot.analytics import theme_discovery
    from storage import themes as theme_store

    if args.clusters is not None and args.clusters < 2:
        return _cli()._fail("--clusters must be at least 2.")

    async def work(sessions):
        async with sessions() as session:
            return await theme_store.texts(session, args.consultation)

    items = _cli()._with_database(settings, work)
    unclassified = [i.text for i in items if i.themes is None]
    found = iter(_classifier(settings).classify(unclassified))
    texts = [i.text for i in items if not (i.themes if i.themes is not None else next(found))]
    clusters, not_shown = theme_discovery.shown(
        theme_discovery.discover(texts, args.clusters), settings.min_group_size)
    if args.format == "json":
        print(json.dumps({"consultation": args.consultation, "uncategorised": len(texts),
                          "clusters": [c.as_dict() for c in clusters],
                          "not_shown": not_shown, "min_group_size": settings.min_group_size},
                         ensure_ascii=False, indent=1))
    else:
        print("\n".join(theme_discovery.lines(clusters, len(texts), not_shown,
                                               settings.min_group_size)))
    return 0


def add_commands(commands) -> None:
    """Register `brukarrost themes ...` on the main parser's subcommands."""
    themes = commands.add_parser("themes", help="themes of free-text answers and comments")
    sub = themes.add_subparsers(dest="action", required=True)

    classify = sub.add_parser("classify", help="themes of the `text` column of a CSV file")
    classify.add_argument("--in", dest="inp", required=True, help="CSV with a `text` column")
    classify.add_argument("--out", required=True, help="CSV with `text,themes`")
    classify.set_defaults(func=cmd_classify)

    train = sub.add_parser("train", help="train the theme classifier unless it is up to date")
    train.add_argument("--force", action="store_true")
    train.set_defaults(func=cmd_train)

    evaluate = sub.add_parser("evaluate", help="cross-validated and held-out precision, "
                                               "recall and F1 per theme")
    evaluate.add_argument("--folds", type=int, default=5, help="0 skips cross-validation")
    evaluate.add_argument("--features", choices=("both", "tfidf", "e5"), default="both")
    evaluate.add_argument("--heldout", nargs="?", const=str(
        theme_data.THEMES_DIR / theme_data.HELDOUT), help="evaluate on the held-out file")
    evaluate.set_defaults(func=cmd_evaluate)

    listing = sub.add_parser("list", help="free-text answers and comments with their themes")
    listing.add_argument("--consultation", required=True)
    listing.add_argument("--uncategorised", action="store_true", help="only those without")
    listing.set_defaults(func=cmd_list)

    correct = sub.add_parser("correct", help="staff set the themes of an answer or comment")
    which = correct.add_mutually_exclusive_group(required=True)
    which.add_argument("--answer", type=int)
    which.add_argument("--comment", type=int)
    correct.add_argument("--themes", required=True, help='ids joined by ";", "" for none')
    correct.set_defaults(func=cmd_correct)

    corrections = sub.add_parser("corrections", help="staff corrections as training data")
    corrections.add_argument("--out", default=str(
        theme_data.THEMES_DIR / theme_data.CORRECTIONS))
    corrections.add_argument("--consultation")
    corrections.set_defaults(func=cmd_corrections)

    apply = sub.add_parser("apply", help="classify stored texts that have no themes yet")
    apply.add_argument("--consultation")
    apply.set_defaults(func=cmd_apply)

    discover = sub.add_parser("discover", help="clusters of comments without a theme")
    discover.add_argument("--consultation", required=True)
    discover.add_argument("--clusters", type=int, help="how many (default: from the count)")
    discover.add_argument("--format", choices=("text", "json"), default="text")
    discover.set_defaults(func=cmd_discover)
