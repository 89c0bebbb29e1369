"""LIX (läsbarhetsindex): words per sentence + percentage of long words (over 6 letters).

Below 30 is very easy text; the lättläst texts are kept below that.
"""

from __future__ import annotations

import re

WORD = re.compile(r"[A-Za-zÅÄÖåäöÉéÜü]+")
SENTENCE_END = re.compile(r"[.!?:]+(?:\s|$)")


def lix(text: str) -> float:
    words = WORD.findall(text)
    if not words:
        return 0.0
    sentences = max(1, len(SENTENCE_END.findall(text.strip() + ("" if text.strip()[-1:] in ".!?:" else "."))))
    long_words = sum(1 for w in words if len(w) > 6)
    return len(words) / sentences + 100 * long_words / len(words)
