"""How far independent readers agree with the writers of typed scale answers.

The scale targets (exact >= 0.90, within one step >= 0.98) are only worth chasing if people
reading the same answers agree that well. nlu/dev/agreement/ holds answers from the retired
sets, each labelled again by annotators who saw the text only; this prints each annotator
against the writer and the annotators against each other, with the scale figures' rules
(a `dk` counts as within one only when both say `dk`).

    python -m nlu.scale_agreement [FILE]

The reader's figures on the same answers come from
`python -m nlu.scale_cv --dev <the sets> --only FILE` (each set read by a reader that did
not learn from it).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import yaml

from nlu.scale_cv import Score

DEFAULT = Path(__file__).resolve().parent / "dev" / "agreement" / "scale_session11.yml"
WRITER = "value"


def load(path: Path) -> tuple[list[dict], list[str]]:
    """The answers, and the names of the annotators' columns (every key but set, text and
    the writer's value)."""
    answers = yaml.safe_load(path.read_text(encoding="utf-8"))["answers"]
    readers = [key for key in answers[0] if key not in ("set", "text", WRITER)]
    for answer in answers:
        missing = [key for key in [WRITER, *readers] if answer.get(key) is None]
        if missing:
            raise ValueError(f"{path}: {answer['text']!r} has no {', '.join(missing)}")
    return answers, readers


def agreement(answers: list[dict], want: str, got: str) -> Score:
    score = Score()
    for answer in answers:
        score.add(answer["text"], str(answer[want]), str(answer[got]))
    return score


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(DEFAULT))
    args = parser.parse_args(argv)
    try:
        answers, readers = load(Path(args.file))
    except (OSError, ValueError, KeyError, TypeError, IndexError, yaml.YAMLError) as error:
        print(f"cannot read {args.file}: {error}", file=sys.stderr)
        return 1
    for reader in readers:
        score = agreement(answers, WRITER, reader)
        print(score.line(f"{reader} against the writer", asked_again=False))
    for first, second in itertools.combinations(readers, 2):
        score = agreement(answers, first, second)
        print(score.line(f"{second} against {first}", asked_again=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
