"""The theme taxonomy, the training examples and the held-out set; corrections as
training data; the classifier through its public API."""

from __future__ import annotations

import shutil
from collections import Counter

import pytest

from bot.analytics import theme_data
from bot.analytics.theme_discovery import discover
from bot.analytics.themes import ThemeClassifier

# ../shared/themes.md: the ids are fixed
CONTRACT_IDS = ["tillganglighet", "bemotande", "information", "delaktighet", "stod_och_hjalp",
                "kontinuitet", "ekonomi", "boende", "trygghet", "arbete", "digitalt", "sprak"]


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def test_taxonomy_has_the_fixed_ids_with_labels():
    themes = theme_data.load_taxonomy()
    assert [t.id for t in themes] == CONTRACT_IDS
    assert all(t.label["sv"] and t.label["en"] and t.description for t in themes)


def test_training_examples_cover_every_theme_and_none():
    examples = theme_data.load_examples(theme_data.THEMES_DIR / theme_data.EXAMPLES,
                                        CONTRACT_IDS)
    per_theme = Counter(theme for _, themes in examples for theme in themes)
    assert min(per_theme[t] for t in CONTRACT_IDS) >= 40, per_theme
    assert sum(1 for _, themes in examples if not themes) >= 60
    assert sum(1 for _, themes in examples if len(themes) >= 2) >= 30
    assert len({_key(t) for t, _ in examples}) == len(examples), "duplicate examples"


def test_heldout_is_never_in_the_training_data():
    heldout = theme_data.load_examples(theme_data.THEMES_DIR / theme_data.HELDOUT, CONTRACT_IDS)
    per_theme = Counter(theme for _, themes in heldout for theme in themes)
    assert min(per_theme[t] for t in CONTRACT_IDS) >= 10, per_theme
    trained = {_key(t) for t, _ in theme_data.training_examples()}
    assert [t for t, _ in heldout if _key(t) in trained] == []


def test_unknown_theme_in_a_file_is_an_error_naming_it(tmp_path):
    path = tmp_path / "bad.yml"
    path.write_text('examples:\n  - {text: "hej", themes: [ekonmi]}\n', encoding="utf-8")
    with pytest.raises(theme_data.ThemeDataError, match=r"bad.yml: examples\[0\].*ekonmi"):
        theme_data.load_examples(path, CONTRACT_IDS)


def test_parse_themes_orders_and_checks():
    assert theme_data.parse_themes(" sprak;ekonomi ;", CONTRACT_IDS) == ["ekonomi", "sprak"]
    assert theme_data.parse_themes("", CONTRACT_IDS) == []
    with pytest.raises(theme_data.ThemeDataError, match="unknown theme pengar"):
        theme_data.parse_themes("ekonomi;pengar", CONTRACT_IDS)


def test_corrections_override_examples_and_change_the_fingerprint(tmp_path):
    for name in (theme_data.TAXONOMY, theme_data.EXAMPLES):
        shutil.copy(theme_data.THEMES_DIR / name, tmp_path / name)
    before = ThemeClassifier.fingerprint_of(tmp_path)
    theme_data.write_examples(tmp_path / theme_data.CORRECTIONS, [
        ("tolken kom inte", ("sprak", "tillganglighet")),
        ("kaffet i väntrummet: \"kallt\"", ()),
    ], "test corrections")
    examples = dict(theme_data.training_examples(tmp_path))
    assert examples["tolken kom inte"] == ("sprak", "tillganglighet")
    assert examples["kaffet i väntrummet: \"kallt\""] == ()
    assert ThemeClassifier.fingerprint_of(tmp_path) != before


def test_a_model_trains_on_corrections_and_is_cached(tmp_path):
    themes_dir, models = tmp_path / "themes", tmp_path / "models"
    themes_dir.mkdir()
    shutil.copy(theme_data.THEMES_DIR / theme_data.TAXONOMY, themes_dir)
    few = theme_data.training_examples()[::3]  # a small model trains fast
    theme_data.write_examples(themes_dir / theme_data.EXAMPLES, few, "a third")
    corrected = "busskortet till dagverksamheten har jag inte råd med"
    theme_data.write_examples(themes_dir / theme_data.CORRECTIONS,
                              [(corrected, ("ekonomi", "arbete"))], "staff")
    model, path, trained = ThemeClassifier.load_or_train(models, themes_dir)
    assert trained and path.exists()
    assert model.classify([corrected]) == [["ekonomi", "arbete"]]
    again, same_path, trained_again = ThemeClassifier.load_or_train(models, themes_dir)
    assert same_path == path and not trained_again
    assert again.classify([corrected]) == [["ekonomi", "arbete"]]


def test_classifier_gives_several_themes_or_none():
    model = ThemeClassifier.shared(theme_data.PROJECT_ROOT / "models")
    found = model.classify(["tolken kom aldrig och jag fick inga pengar den månaden",
                            "nej det är bra", "", "?!"])
    assert {"sprak", "ekonomi"} <= set(found[0])
    assert found[1:] == [[], [], []]


def test_discovery_groups_texts_with_terms_and_three_redacted_quotes():
    parking = ["parkeringen vid kontoret är alltid full", "ingen parkering nära kontoret",
               "svårt att parkera när man ska på möte", "parkeringsplatserna räcker inte",
               "jag hittar aldrig parkering utanför", "parkera bilen är omöjligt där"]
    coffee = ["kaffet i väntrummet är gott", "tack för kaffet och frukten i väntrummet",
              "gott kaffe när man väntar", "kaffeautomaten i väntrummet är trasig",
              "mer kaffe i väntrummet tack, ring 070-123 45 67", "väntrummet har gott kaffe"]
    clusters = discover(parking + coffee + ["nej", "inget mer"], clusters=2)
    assert sorted(c.size for c in clusters) == [6, 6]
    for cluster in clusters:
        assert len(cluster.quotes) == 3 and cluster.terms
        assert all("070" not in q for q in cluster.quotes)
        group = parking if any(q in parking for q in cluster.quotes) else coffee
        assert all(q in group or "[telefon]" in q for q in cluster.quotes)
    terms = {t for c in clusters for t in c.terms}
    assert {"kaffet", "väntrummet"} & terms and any(t.startswith("park") for t in terms)
    assert discover(["nej", "bra"]) == []
