"""Themes through the public surfaces: `brukarrost themes ...` and the REST channel, on
SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json

import yaml

from bot.analytics.theme_data import SEPARATOR
from tests.chat import advance_to, say
from tests.test_cli import brukarrost
from tests.test_themes_data import CONTRACT_IDS

FORUM = {"consultation": "brukarforum", "unit": "barn-och-familj"}
IFO = {"consultation": "brukarundersokning-ifo", "unit": "ekonomiskt-bistand-norr"}


def _write_csv(path, rows, encoding="utf-8"):
    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle).writerows(rows)


def _read_csv(path):
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return reader.fieldnames, list(reader)


def test_classify_csv_round_trip(tmp_path):
    texts = ["tolken kom aldrig till mötet", "nej", "",
             'hon sa "vi ringer dig", men ingen ringde, på två veckor',
             "the rent is late and we may lose the flat,\nplease help",
             "ring mig på 070-123 45 67, jag har ingen lägenhet"]
    source = tmp_path / "in.csv"
    _write_csv(source, [["id", "text", "other"], *[[i, t, "x"] for i, t in enumerate(texts)]],
               encoding="utf-8-sig")  # as Excel saves it, with a BOM
    out = tmp_path / "out.csv"
    result = brukarrost("themes", "classify", "--in", str(source), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Classified 6 texts" in result.stdout
    header, rows = _read_csv(out)
    assert header == ["text", "themes"]
    assert [r["text"] for r in rows] == texts
    found = [r["themes"].split(SEPARATOR) if r["themes"] else [] for r in rows]
    assert all(set(f) <= set(CONTRACT_IDS) for f in found)
    assert "sprak" in found[0] and found[1] == [] and found[2] == []
    assert "tillganglighet" in found[3]
    assert {"ekonomi", "boende"} & set(found[4]) and "boende" in found[5]


def test_classify_errors_are_clear(tmp_path):
    missing = brukarrost("themes", "classify", "--in", str(tmp_path / "nope.csv"),
                         "--out", str(tmp_path / "out.csv"))
    assert missing.returncode == 2
    assert "nope.csv: there is no such file" in missing.stderr
    no_column = tmp_path / "no_text.csv"
    _write_csv(no_column, [["kommentar", "id"], ["bra", "1"]])
    result = brukarrost("themes", "classify", "--in", str(no_column),
                        "--out", str(tmp_path / "out.csv"))
    assert result.returncode == 2
    assert "no `text` column" in result.stderr and "kommentar, id" in result.stderr
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    result = brukarrost("themes", "classify", "--in", str(empty), "--out", str(tmp_path / "o"))
    assert result.returncode == 2 and "no `text` column" in result.stderr
    assert not (tmp_path / "out.csv").exists() and "Traceback" not in result.stderr


def test_evaluate_prints_per_theme_f1(tmp_path):
    heldout = tmp_path / "heldout.yml"
    heldout.write_text('examples:\n  - {text: "jag behöver tolk på arabiska", themes: [sprak]}\n'
                       '  - {text: "nej tack", themes: []}\n', encoding="utf-8")
    result = brukarrost("themes", "evaluate", "--folds", "2", "--features", "tfidf",
                        "--heldout", str(heldout))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "2-fold cross-validation" in lines
    for theme in CONTRACT_IDS:
        assert sum(1 for line in lines if line.split()[:1] == [theme]) == 2  # CV + held-out
    assert sum(1 for line in lines if line.startswith("macro-F1 ")) == 2
    assert "Held-out test (heldout.yml, 2 texts)" in result.stdout
    assert brukarrost("themes", "evaluate", "--folds", "1").returncode == 2


async def _forum_texts(client, sender: str, texts: list[str]) -> None:
    """Answer brukarforum's free-text questions and their follow-ups with `texts`."""
    await advance_to(client, sender, "svart-i-dag", FORUM)
    for text in texts:
        replies = await say(client, sender, text)
        assert replies[-1]["custom"]["type"] in ("text", "end"), replies


async def _export(database_url, tmp_path, consultation):
    out = tmp_path / f"{consultation}.csv"
    result = brukarrost("export", "--consultation", consultation, "--format", "csv",
                        "--out", str(out), database_url=database_url)
    assert result.returncode == 0, result.stderr
    return _read_csv(out)[1]


async def _listed(database_url, consultation, *flags):
    result = brukarrost("themes", "list", "--consultation", consultation, *flags,
                        database_url=database_url)
    assert result.returncode == 0, result.stderr
    return list(csv.DictReader(result.stdout.splitlines()))


async def test_free_text_answers_and_comments_get_themes_in_the_export(
        client, database_url, tmp_path):
    await _forum_texts(client, "t1", ["Det är svårt att komma fram på telefon på förmiddagen.",
                                      "nej"])
    await advance_to(client, "t2", "lyssnar", IFO)
    comment = "men alltså min handläggare byts hela tiden, det är jobbigt"
    assert "sparat" in (await say(client, "t2", comment))[0]["text"]

    rows = {r["question_id"]: r for r in await _export(database_url, tmp_path, "brukarforum")}
    assert rows["svart-i-dag"]["themes"] == "tillganglighet"
    assert rows["svart-i-dag-followup"]["answer_text"] == "nej"
    assert rows["svart-i-dag-followup"]["themes"] == ""
    assert rows["kontaktsatt"]["themes"] == ""  # not free text
    ifo = await _export(database_url, tmp_path, "brukarundersokning-ifo")
    assert [(r["answer_text"], r["themes"]) for r in ifo if r["question_id"] == "comment"] == \
        [(comment, "kontinuitet")]
    assert {r["themes"] for r in ifo if r["question_id"] != "comment"} == {""}


async def test_staff_correct_themes_and_corrections_become_training_data(
        client, database_url, tmp_path):
    await _forum_texts(client, "t3", ["Det är svårt att komma fram på telefon på förmiddagen."])
    listed = await _listed(database_url, "brukarforum")
    answer = next(r for r in listed if r["question_id"] == "svart-i-dag")
    assert (answer["kind"], answer["themes"], answer["source"]) == \
        ("answer", "tillganglighet", "model")

    result = brukarrost("themes", "correct", "--answer", answer["id"],
                        "--themes", "sprak;tillganglighet", database_url=database_url)
    assert result.returncode == 0, result.stderr
    rows = {r["question_id"]: r for r in await _export(database_url, tmp_path, "brukarforum")}
    assert rows["svart-i-dag"]["themes"] == "tillganglighet;sprak"  # taxonomy order
    listed = await _listed(database_url, "brukarforum")
    assert next(r for r in listed if r["id"] == answer["id"])["source"] == "staff"

    out = tmp_path / "corrections.yml"
    result = brukarrost("themes", "corrections", "--out", str(out), database_url=database_url)
    assert result.returncode == 0 and "Wrote 1 corrected texts" in result.stdout
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["examples"] == [
        {"text": answer["text"], "themes": ["tillganglighet", "sprak"]}]

    bad = brukarrost("themes", "correct", "--answer", answer["id"], "--themes", "pengar",
                     database_url=database_url)
    assert bad.returncode == 2 and "unknown theme pengar" in bad.stderr
    gone = brukarrost("themes", "correct", "--comment", "99999", "--themes", "",
                      database_url=database_url)
    assert gone.returncode == 2 and "no free-text comment with id 99999" in gone.stderr


async def test_discover_groups_uncategorised_comments(client, database_url):
    await _forum_texts(client, "t4", [
        "parkeringen vid kontoret är alltid full", "parkera bilen där är omöjligt",
        "kaffet i väntrummet är gott", "väntrummet borde ha mer kaffe och frukt",
        "leksakerna i väntrummet är gamla", "nej",
    ])
    # with the default small-group size (5) no cluster of these five texts may be shown
    result = brukarrost("themes", "discover", "--consultation", "brukarforum",
                        "--format", "json", database_url=database_url)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["consultation"] == "brukarforum" and found["uncategorised"] >= 5
    assert found["clusters"] == [] and found["not_shown"] == found["uncategorised"] - 1
    # with groups of one allowed (a test setting), the clusters show
    result = brukarrost("themes", "discover", "--consultation", "brukarforum",
                        "--format", "json", database_url=database_url,
                        env={"MIN_GROUP_SIZE": "1"})
    found = json.loads(result.stdout)
    clusters = found["clusters"]
    assert len(clusters) >= 2 and found["not_shown"] == 0
    assert sum(c["size"] for c in clusters) == found["uncategorised"] - 1  # "nej" is too short
    for cluster in clusters:
        assert set(cluster) == {"size", "terms", "quotes"}
        assert 1 <= len(cluster["quotes"]) <= 3 and len(cluster["quotes"]) <= cluster["size"]
    text = brukarrost("themes", "discover", "--consultation", "brukarforum",
                      database_url=database_url, env={"MIN_GROUP_SIZE": "1"})
    assert text.returncode == 0 and "Cluster 1:" in text.stdout and "top terms:" in text.stdout
    hidden = brukarrost("themes", "discover", "--consultation", "brukarforum",
                        database_url=database_url)
    assert "Cluster 1:" not in hidden.stdout and "smaller than 5: not shown" in hidden.stdout


async def test_apply_classifies_texts_stored_before_themes_and_keeps_corrections(
        client, database_url, tmp_path):
    from sqlalchemy import text as sql

    from storage.db import create_engine

    await _forum_texts(client, "t5", ["Det är svårt att komma fram på telefon på förmiddagen.",
                                      "tolken kom aldrig till mötet"])
    listed = await _listed(database_url, "brukarforum")
    first = next(r for r in listed if r["question_id"] == "svart-i-dag")
    assert brukarrost("themes", "correct", "--answer", first["id"], "--themes", "digitalt",
                      database_url=database_url).returncode == 0
    engine = create_engine(database_url)  # as after migration 0006 on older answers
    try:
        async with engine.begin() as conn:
            await conn.execute(sql("UPDATE answers SET themes = NULL, themes_source = NULL "
                                   "WHERE themes_source = 'model'"))
    finally:
        await engine.dispose()
    assert [r["question_id"] for r in await _listed(database_url, "brukarforum",
                                                    "--uncategorised")] == \
        ["svart-i-dag-followup"]
    result = brukarrost("themes", "apply", "--consultation", "brukarforum",
                        database_url=database_url)
    assert result.returncode == 0 and "Classified 1 stored texts" in result.stdout
    rows = {r["question_id"]: r["themes"] for r in await _export(database_url, tmp_path,
                                                                  "brukarforum")}
    assert rows["svart-i-dag"] == "digitalt" and "sprak" in rows["svart-i-dag-followup"]


def test_stacked_heads_give_the_same_probabilities_as_each_head():
    """The classifier applies its linear heads in one product; the figures must be what
    scikit-learn's one-vs-rest predict_proba gives, head by head."""
    import numpy as np

    from bot.analytics.themes import ThemeClassifier
    from bot.config import load_settings

    model = ThemeClassifier.shared(load_settings().models_dir)
    texts = ["Min handläggare ringer aldrig tillbaka.", "Breven är svåra att förstå.",
             "Jag fick hjälp med hyran och ett jobb.", "ok"]
    expected = model.heads.predict_proba(model.featurizer.transform(texts))
    assert model._stacked() is not None
    np.testing.assert_allclose(model.probabilities(texts), expected, rtol=1e-9, atol=1e-12)
    assert model.classify(texts)[1]  # the letters text has a theme
