"""Texts: every language complete or visibly falling back; lättläst measured with LIX."""

from __future__ import annotations

import yaml

from bot.config import PROJECT_ROOT
from bot.engine.definitions import Localized, load_directory
from bot.engine.lix import lix
from bot.engine.prompts import localized
from bot.engine.readability import localized_texts, report
from bot.engine.texts import TEXTS_DIR

DEFINITIONS = load_directory(PROJECT_ROOT / "consultations")


def test_lix_of_known_texts():
    assert round(lix("Hej! Vi vill veta vad du tycker."), 1) == 3.5
    assert lix("Personalen behandlar mig med respekt.") > 50


def test_lattlast_texts_are_below_lix_30():
    for source, lang, together, _highest in report(DEFINITIONS):
        if lang == "sv-lattlast":
            assert together < 30, (source, together)


def test_every_bot_text_exists_in_english():
    swedish = yaml.safe_load((TEXTS_DIR / "sv.yml").read_text(encoding="utf-8"))
    english = yaml.safe_load((TEXTS_DIR / "en.yml").read_text(encoding="utf-8"))
    assert set(swedish) == set(english)


def test_shipped_consultations_exist_in_every_language():
    for cid, definition in DEFINITIONS.items():
        for lang in ("en", "sv-lattlast"):
            missing = [t.sv for t in localized_texts(definition) if not t.has(lang)]
            assert not missing, (cid, lang, missing[:3])


def test_a_missing_language_falls_back_visibly():
    text = Localized._coerce({"sv": "Bara svenska."})
    assert localized(text, "en") == "(This text is only in Swedish.) Bara svenska."
    assert localized(text, "sv-lattlast").startswith("(Den här texten finns inte på lätt svenska.)")
    assert localized(text, "sv") == "Bara svenska."
