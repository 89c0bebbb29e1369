"""NLU evaluation: k-fold cross-validation on the training data, a held-out test file that
is never trained on, and typed scale answers mapped by the engine's rules.

    brukarrost nlu evaluate [--folds 5] [--heldout nlu/heldout/nlu_heldout.yml]
                            [--scale nlu/heldout/scale_answers.yml]
"""

from __future__ import annotations

import asyncio
import random
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Awaitable, Callable, Iterable

import yaml

Example = tuple[str, str]  # (text, intent)


def load_examples(paths: Iterable[Path]) -> list[Example]:
    """(text, intent) pairs from Rasa YAML training files (a file or every *.yml in a folder)."""
    examples: list[Example] = []
    for path in paths:
        files = sorted(path.rglob("*.yml")) if path.is_dir() else [path]
        for file in files:
            data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
            for block in data.get("nlu", []):
                if "intent" not in block:
                    continue
                for line in str(block.get("examples", "")).splitlines():
                    line = line.strip()
                    if line.startswith("- "):
                        examples.append((line[2:].strip(), block["intent"]))
    return examples


@dataclass
class Report:
    per_intent: dict[str, tuple[float, float, float, int]]  # precision, recall, f1, support
    confusions: list[tuple[str, str, int]]  # gold, predicted, count
    errors: list[tuple[str, str, str]]  # text, gold, predicted

    @property
    def macro_f1(self) -> float:
        scores = [f1 for _p, _r, f1, _n in self.per_intent.values()]
        return sum(scores) / len(scores) if scores else 0.0

    @property
    def accuracy(self) -> float:
        total = sum(n for *_x, n in self.per_intent.values())
        return 1 - len(self.errors) / total if total else 0.0

    def recall(self, intent: str) -> float:
        return self.per_intent.get(intent, (0.0, 0.0, 0.0, 0))[1]

    def lines(self, title: str) -> list[str]:
        out = [title, f"{'intent':<14}{'precision':>10}{'recall':>8}{'f1':>8}{'n':>6}"]
        for intent, (p, r, f1, n) in sorted(self.per_intent.items()):
            out.append(f"{intent:<14}{p:>10.3f}{r:>8.3f}{f1:>8.3f}{n:>6}")
        out.append(f"{'macro':<14}{'':>10}{'':>8}{self.macro_f1:>8.3f}"
                   f"{sum(n for *_x, n in self.per_intent.values()):>6}")
        out.append(f"accuracy {self.accuracy:.3f}")
        if self.confusions:
            out.append("confusions (gold -> predicted: count):")
            out += [f"  {g} -> {p}: {c}" for g, p, c in self.confusions]
        return out


def report(gold: list[str], predicted: list[str], texts: list[str]) -> Report:
    labels = sorted(set(gold))
    per_intent = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, predicted) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, predicted) if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[label] = (precision, recall, f1, tp + fn)
    pairs = Counter((g, p) for g, p in zip(gold, predicted) if g != p)
    errors = [(t, g, p) for t, g, p in zip(texts, gold, predicted) if g != p]
    return Report(per_intent, [(g, p, c) for (g, p), c in pairs.most_common()], errors)


Parse = Callable[[str], Awaitable[dict]]


async def predictions(parse: Parse, examples: list[Example]) -> list[str]:
    predicted = []
    for text, _intent in examples:
        result = await parse(text)
        predicted.append((result.get("intent") or {}).get("name") or "none")
    return predicted


async def held_out(parse: Parse, examples: list[Example]) -> Report:
    predicted = await predictions(parse, examples)
    return report([i for _t, i in examples], predicted, [t for t, _i in examples])


def folds(examples: list[Example], k: int, seed: int = 42) -> list[tuple[list[Example], list[Example]]]:
    """Stratified folds: every intent is spread evenly over the k test parts."""
    by_intent: dict[str, list[Example]] = defaultdict(list)
    for example in examples:
        by_intent[example[1]].append(example)
    parts: list[list[Example]] = [[] for _ in range(k)]
    rng = random.Random(seed)
    for intent in sorted(by_intent):
        items = by_intent[intent][:]
        rng.shuffle(items)
        for index, item in enumerate(items):
            parts[index % k].append(item)
    return [
        ([e for j, part in enumerate(parts) if j != i for e in part], parts[i]) for i in range(k)
    ]


def _write_training_file(path: Path, examples: list[Example]) -> None:
    by_intent: dict[str, list[str]] = defaultdict(list)
    for text, intent in examples:
        by_intent[intent].append(text)
    nlu = [{"intent": i, "examples": "".join(f"- {t}\n" for t in texts)}
           for i, texts in sorted(by_intent.items())]
    path.write_text(yaml.safe_dump({"version": "3.1", "nlu": nlu}, allow_unicode=True,
                                   sort_keys=False), encoding="utf-8")


def cross_validate(examples: list[Example], k: int, config: Path) -> Report:
    """Train k models, each on k-1 parts, and test each on the part it did not see."""
    from nlu.interpreter import NluInterpreter
    from nlu.train import train

    gold: list[str] = []
    predicted: list[str] = []
    texts: list[str] = []
    for index, (training, test) in enumerate(folds(examples, k), start=1):
        with tempfile.TemporaryDirectory() as tmp:
            data_dir = Path(tmp) / "data"
            data_dir.mkdir()
            _write_training_file(data_dir / "nlu.yml", training)
            model, _ = train(Path(tmp) / "models", config, data_dir, force=True)
            interpreter = NluInterpreter.load(model)
            try:
                fold = asyncio.run(predictions(interpreter.parse, test))
            finally:
                interpreter.close()
        right = sum(1 for p, (_t, i) in zip(fold, test) if p == i)
        print(f"fold {index}/{k}: {len(test)} examples, accuracy {right / len(test):.3f}",
              flush=True)
        gold += [i for _t, i in test]
        texts += [t for t, _i in test]
        predicted += fold
    return report(gold, predicted, texts)
