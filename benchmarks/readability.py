"""LIX (readability) of every Swedish text the bot shows, per source and language.

    .venv/bin/python benchmarks/readability.py

Below 30 is very easy; the lättläst (sv-lattlast) texts are kept below 30 taken together.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import PROJECT_ROOT  # noqa: E402
from bot.engine.definitions import load_directory  # noqa: E402
from bot.engine.readability import report  # noqa: E402

if __name__ == "__main__":
    print(f"{'source':<42}{'lang':<13}{'LIX all':>8}{'max one':>9}")
    for source, lang, together, highest in report(load_directory(PROJECT_ROOT / "consultations")):
        print(f"{source:<42}{lang:<13}{together:>8.1f}{highest:>9.1f}")
