"""The theme taxonomy and the labelled examples, read from nlu/themes/*.yml.

    taxonomy.yml     the themes (ids fixed; labels and descriptions editable)
    examples.yml     labelled training examples written for this project
    corrections.yml  staff corrections exported by `brukarrost themes corrections` (optional)
    heldout.yml      the held-out test set, never trained on
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import yaml

from bot.config import PROJECT_ROOT

THEMES_DIR = PROJECT_ROOT / "nlu" / "themes"
TAXONOMY = "taxonomy.yml"
EXAMPLES = "examples.yml"
CORRECTIONS = "corrections.yml"
HELDOUT = "heldout.yml"
SEPARATOR = ";"

Example = tuple[str, tuple[str, ...]]  # (text, theme ids)


class ThemeDataError(ValueError):
    """A theme file that cannot be used; the message names the file and the fault."""


@dataclass(frozen=True)
class Theme:
    id: str
    label: dict[str, str]
    description: str


def _read(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ThemeDataError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise ThemeDataError(f"{path}: expected a mapping at the top")
    return data


def load_taxonomy(themes_dir: Path = THEMES_DIR) -> list[Theme]:
    path = themes_dir / TAXONOMY
    themes = [Theme(str(t["id"]), dict(t["label"]), str(t.get("description", "")).strip())
              for t in _read(path).get("themes", [])]
    if not themes or len({t.id for t in themes}) != len(themes):
        raise ThemeDataError(f"{path}: themes must be a non-empty list with unique ids")
    return themes


@lru_cache(maxsize=1)
def shared_taxonomy() -> tuple[Theme, ...]:
    """The taxonomy as the server shows it, read once per process."""
    return tuple(load_taxonomy())


def theme_ids(themes_dir: Path = THEMES_DIR) -> list[str]:
    return [theme.id for theme in load_taxonomy(themes_dir)]


def load_examples(path: Path, known: Iterable[str]) -> list[Example]:
    """(text, themes) pairs of one file; an unknown theme id is an error naming the text."""
    known = set(known)
    out: list[Example] = []
    for index, item in enumerate(_read(path).get("examples") or []):
        text, themes = str(item.get("text", "")).strip(), tuple(item.get("themes") or ())
        unknown = set(themes) - known
        if not text or unknown:
            raise ThemeDataError(
                f"{path}: examples[{index}] ({text!r}): "
                + (f"unknown theme {sorted(unknown)}" if unknown else "empty text")
            )
        out.append((text, themes))
    return out


def training_examples(themes_dir: Path = THEMES_DIR) -> list[Example]:
    """examples.yml, then corrections.yml when present; a correction replaces an example
    with the same text (staff have the last word)."""
    known = theme_ids(themes_dir)
    merged: dict[str, tuple[str, ...]] = {}
    for name in (EXAMPLES, CORRECTIONS):
        if (themes_dir / name).exists():
            merged.update(load_examples(themes_dir / name, known))
    return list(merged.items())


def training_files(themes_dir: Path = THEMES_DIR) -> list[Path]:
    """The files a trained model depends on (its fingerprint)."""
    names = (TAXONOMY, EXAMPLES, CORRECTIONS)
    return [themes_dir / n for n in names if (themes_dir / n).exists()]


def parse_themes(text: str, known: Iterable[str]) -> list[str]:
    """"a;b" -> ["a", "b"] in taxonomy order; "" -> []; unknown ids raise ThemeDataError."""
    order = list(known)
    wanted = {part.strip() for part in text.split(SEPARATOR) if part.strip()}
    unknown = wanted - set(order)
    if unknown:
        raise ThemeDataError(
            f"unknown theme {', '.join(sorted(unknown))}; known themes: {', '.join(order)}"
        )
    return [theme for theme in order if theme in wanted]


def join(themes: Iterable[str]) -> str:
    return SEPARATOR.join(themes)


def write_examples(path: Path, examples: list[Example], header: str) -> None:
    """Write examples in the format of examples.yml (used for corrections.yml)."""
    lines = [f"# {line}" for line in header.splitlines()] + ["examples:"]
    for text, themes in examples:
        lines.append(f"  - {{text: {_quoted(text)}, themes: [{', '.join(themes)}]}}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _quoted(text: str) -> str:
    return yaml.safe_dump(text, allow_unicode=True, default_style='"', width=10_000).strip()
