"""Cross-validation of the engine's reading of typed scale answers.

The scale reader trains on nlu/scale/examples.yml and on the retired held-out sets in
nlu/dev/ (plus the phrase list and the scale labels, which it always trains on), so neither
can be read by the reader `make train` builds without flattering it:

- each retired set is read by a reader trained on everything but that set (leave one set
  out): the figure to tune on, since each set comes from a writer of its own;
- with --folds K, each fold of examples.yml by a reader trained on the other folds and all
  the sets.

Answers are read with the engine's full pipeline (`bot.engine.scale_eval.scale_value`:
rules, phrase list, reader unless the intent model hears a request, then the dont_know
intent). The held-out set is not touched here.

    python -m nlu.scale_cv [--folds 0] [--dev nlu/dev/scale_dev.yml ...] [--misses]
                           [--only FILE]

--dev: the sets to leave out in turn (default: every nlu/dev/scale_dev*.yml).
--only: score only the left-out answers whose text is in FILE (an answers file, such as
nlu/dev/agreement/scale_session11.yml, to compare the reader with annotators on the same
answers); the readers still learn from everything but their set.

Intent parses are cached in --parse-cache (the Rasa model does not change here).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
from collections import defaultdict
from pathlib import Path

from bot.engine import scale_reader
from bot.engine.answers import DONT_KNOW, normalize
from bot.engine.redact import redact
from bot.engine.scale_eval import scale_value

ROOT = Path(__file__).resolve().parents[1]


def folds(items: list[tuple[str, str]], k: int, seed: int = 0) -> list[list[int]]:
    """Stratified by value: each fold gets its share of every value."""
    by_value: dict[str, list[int]] = defaultdict(list)
    for index, (_text, value) in enumerate(items):
        by_value[value].append(index)
    out: list[list[int]] = [[] for _ in range(k)]
    rng = random.Random(seed)
    position = 0
    for value in sorted(by_value):
        indices = by_value[value]
        rng.shuffle(indices)
        for index in indices:
            out[position % k].append(index)
            position += 1
    return out


def same_text(text: str) -> str:
    """The key under which two answers count as the same (case, accents, punctuation)."""
    return re.sub(r"[^\w]", "", normalize(text))


def leave_one_set_out(evaluated: list[Path], examples: list[tuple[str, str]]):
    """For each set in `evaluated` (paths relative or absolute): its path, its answers and
    the answers to train the reader on: the examples and every other retired set, less any
    answer with the same text as one of the set's (sets of different writers share a few
    short answers, "lite ja lite nej"; a blind set is filtered the same way)."""
    retired = {path.resolve(): scale_reader.load_answers(path)
               for path in scale_reader.answer_sets()}
    for path in evaluated:
        held = retired.get(path.resolve()) or scale_reader.load_answers(path)
        seen = {same_text(text) for text, _ in held}
        train = [(text, value) for text, value in examples + [
            pair for other, items in retired.items() if other != path.resolve()
            for pair in items] if same_text(text) not in seen]
        yield path, held, train


class Score:
    def __init__(self) -> None:
        self.total = self.exact = self.within = self.unsure = 0
        self.misses: list[tuple[str, str, str | None]] = []

    def add(self, text: str, want: str, got: str | None) -> None:
        self.total += 1
        if got == want:
            self.exact += 1
            self.within += 1
            return
        if got is None:
            self.unsure += 1
        elif DONT_KNOW not in (want, got) and abs(int(got) - int(want)) <= 1:
            self.within += 1
        self.misses.append((text, want, got))

    def merge(self, other: "Score") -> None:
        self.total += other.total
        self.exact += other.exact
        self.within += other.within
        self.unsure += other.unsure
        self.misses += other.misses

    def line(self, title: str, asked_again: bool = True) -> str:
        n = max(self.total, 1)
        asked = f"  asked again {self.unsure / n:.3f}" if asked_again else ""
        return (f"{title:<28} n={self.total:<5} exact {self.exact / n:.3f}  within one "
                f"{self.within / n:.3f}{asked}")


def _by_rules(text: str) -> bool:
    clean = redact(text).text
    return scale_reader.rule_value(clean) is not None


async def _read_all(items, parse, reader, score: Score, reader_score: Score) -> None:
    for text, want in items:
        got = await scale_value(text, parse, reader)
        score.add(text, want, got)
        if not _by_rules(text):
            reader_score.add(text, want, got)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=0, help="folds of examples.yml (0: none)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dev", nargs="*",
                        default=[str(p) for p in scale_reader.answer_sets()])
    parser.add_argument("--misses", action="store_true", help="print every miss")
    parser.add_argument("--only", help="score only answers whose text is in this answers file")
    parser.add_argument("--parse-cache", default="/tmp/brukarrost-scale-parse-cache.json")
    args = parser.parse_args()

    from nlu.interpreter import NluInterpreter
    from nlu.train import current_model

    cache_path = Path(args.parse_cache)
    parses: dict[str, dict] = json.loads(cache_path.read_text()) if cache_path.exists() else {}
    interpreter = None

    async def parse(text: str) -> dict:
        nonlocal interpreter
        if text not in parses:
            if interpreter is None:
                model = current_model(ROOT / "models", ROOT / "config.yml",
                                      ROOT / "nlu" / "data")
                interpreter = NluInterpreter.load(model)
            result = await interpreter.parse(text)
            parses[text] = {"intent": result["intent"]}
        return parses[text]

    from nlu import e5

    e5.CACHE_SIZE = 100_000  # every training answer is embedded again for each reader
    examples = scale_reader.load_answers(scale_reader.EXAMPLES)
    fixed = scale_reader.rule_answers()

    def reader(train: list[tuple[str, str]]) -> scale_reader.ScaleReader:
        train = train + fixed
        return scale_reader.ScaleReader(
            cache_dir=None, training=([t for t, _ in train], [v for _, v in train]))

    only = ({same_text(text) for text, _ in scale_reader.load_answers(Path(args.only))}
            if args.only else None)
    try:
        total, total_reader = Score(), Score()
        for path, items, train in leave_one_set_out([Path(p) for p in args.dev], examples):
            if only is not None:
                items = [(text, want) for text, want in items if same_text(text) in only]
            score, reader_only = Score(), Score()
            asyncio.run(_read_all(items, parse, reader(train), score, reader_only))
            total.merge(score)
            total_reader.merge(reader_only)
            print(score.line(f"left out {path.name}"))
            if args.misses:
                for text, want, got in score.misses:
                    print(f"  miss {text!r}: intended {want}, got {got}")
        if args.dev:
            print(total.line("every set left out, all"))
            print(total_reader.line("every set left out, not by rules"))
        if args.folds:
            retired = [pair for path in scale_reader.answer_sets()
                       for pair in scale_reader.load_answers(path)]
            cv, cv_reader = Score(), Score()
            for fold in folds(examples, args.folds, args.seed):
                held = set(fold)
                train = [examples[i] for i in range(len(examples)) if i not in held]
                asyncio.run(_read_all([examples[i] for i in fold], parse,
                                      reader(train + retired), cv, cv_reader))
            print(cv.line(f"{args.folds}-fold CV of examples, all"))
            print(cv_reader.line(f"{args.folds}-fold CV of examples, not by rules"))
            if args.misses:
                for text, want, got in cv.misses:
                    print(f"  cv miss {text!r}: intended {want}, got {got}")
    finally:
        cache_path.write_text(json.dumps(parses, ensure_ascii=False))
        if interpreter is not None:
            interpreter.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
