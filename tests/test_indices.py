"""Indices (0-100) and the comparison with the previous period, through the CLI, on a known
data set computed by hand; answers read under the definition version they were given in."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from bot.engine.definitions import DefinitionError, load_directory
from storage.db import create_engine
from storage.models import Conversation
from tests.chat import say
from tests.test_cli import brukarrost
from tests.test_definitions import _broken

IFO = "brukarundersokning-ifo"
LOW = {"1", "2"}  # "kontakt" asks a follow-up after these; the person skips it

# (unit, kontakt, snabb-hjalp) and each person's index by hand: mean of (v - 1) / 4 * 100
BEFORE = [("barn-och-familj", "5", "4"),  # 87.5
          ("barn-och-familj", "4", "4"),  # 75
          ("barn-och-familj", "2", "dk"),  # 25 (dk left out)
          ("barn-och-familj", "3", "3"),  # 50
          ("barn-och-familj", "1", "2")]  # 12.5 -> index 250 / 5 = 50.0; positive 2/5
NOW = [("arbetsmarknad", "5", "5"),  # 100
       ("arbetsmarknad", "4", "5"),  # 87.5
       ("arbetsmarknad", "4", "dk"),  # 75
       ("arbetsmarknad", "5", "3"),  # 75
       ("barn-och-familj", "2", "4"),  # 50 -> index 387.5 / 5 = 77.5; positive 4/5
       ("barn-och-familj", "dk", "dk")]  # no index value; one "vet inte" on kontakt


async def answer(client, sender: str, unit: str, kontakt: str, snabb: str) -> None:
    await say(client, sender, "hej", {"consultation": IFO, "unit": unit})
    for message in ("ja", "sjalv", "arbete", "kvinna", "1-3-ar", kontakt):
        await say(client, sender, message)
    if kontakt in LOW:
        await say(client, sender, "hoppa över")
    await say(client, sender, snabb)


async def backdate_all(database_url: str, days: int) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(update(Conversation).values(
                started_at=datetime.now(timezone.utc) - timedelta(days=days)))
    finally:
        await engine.dispose()


def _row(rows, question_id, dimension="all", group="all"):
    [row] = [r for r in rows if r["question_id"] == question_id and r["dimension"] == dimension
             and r["group"] == group]
    return row


@pytest.fixture
async def compared(client, database_url):
    for number, person in enumerate(BEFORE):
        await answer(client, f"before-{number}", *person)
    await backdate_all(database_url, 40)
    for number, person in enumerate(NOW):
        await answer(client, f"now-{number}", *person)
    today = datetime.now(timezone.utc).date()
    period = ("--from", (today - timedelta(days=29)).isoformat(), "--to", today.isoformat())
    result = brukarrost("indicators", "--consultation", IFO, "--format", "json", *period,
                        "--compare", database_url=database_url)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout), period


async def test_index_and_change_computed_by_hand(compared):
    rows, _ = compared
    index = _row(rows, "nbi")
    assert index["kind"] == "index" and index["n"] == 5 and index["index"] == 77.5
    assert index["previous_n"] == 5 and index["previous_index"] == 50.0
    assert index["change_index"] == 27.5
    kontakt = _row(rows, "kontakt")
    assert (kontakt["n"], kontakt["dont_know"], kontakt["share_positive"]) == (5, 1, 0.8)
    assert kontakt["previous_share_positive"] == 0.4
    assert kontakt["change_share_positive_pp"] == 40.0
    snabb = _row(rows, "snabb-hjalp")
    assert (snabb["n"], snabb["dont_know"], snabb["share_positive"]) == (4, 2, 0.75)
    assert snabb["previous_share_positive"] == 0.5 and snabb["change_share_positive_pp"] == 25.0


async def test_no_change_where_either_side_is_suppressed(compared):
    rows, _ = compared
    # 4 people with an index in arbetsmarknad now: suppressed; barn-och-familj has one
    small = _row(rows, "nbi", "unit", "arbetsmarknad")
    assert small["suppressed"] and small["index"] is None and small["change_index"] is None
    family = _row(rows, "nbi", "unit", "barn-och-familj")
    assert family["suppressed"] and family["previous_index"] == 50.0
    assert family["change_index"] is None
    kontakt = _row(rows, "kontakt", "unit", "arbetsmarknad")  # 4 answers now
    assert kontakt["suppressed"] and kontakt["change_share_positive_pp"] is None


async def test_index_in_csv_and_xlsx(compared, database_url, tmp_path):
    _, period = compared
    result = brukarrost("indicators", "--consultation", IFO, *period, database_url=database_url)
    assert result.returncode == 0, result.stderr
    assert "index,nbi,all,all,false,5,,,,,77.5," in result.stdout.splitlines()
    out = tmp_path / "indikatorer.xlsx"
    result = brukarrost("indicators", "--consultation", IFO, *period, "--compare", "--format",
                        "xlsx", "--out", str(out), database_url=database_url)
    assert result.returncode == 0, result.stderr
    book = load_workbook(out)
    assert book.sheetnames == ["questions", "indices"]
    questions, indices = book["questions"], book["indices"]
    header = [c.value for c in questions[1]]
    assert header[:9] == ["question_id", "dimension", "group", "suppressed", "n", "dont_know",
                          "share_positive", "share_dont_know", "mean"]
    assert all(c.font.bold for c in questions[1])
    first = {h: c for h, c in zip(header, questions[2])}
    assert first["question_id"].value == "kontakt" and first["group"].value == "all"
    assert first["n"].value == 5 and first["share_positive"].value == 0.8
    assert first["share_positive"].number_format == "0.0%"
    assert first["mean"].value == round(20 / 5, 3)  # 5 + 4 + 4 + 5 + 2
    assert [first[f"answers_{p}"].value for p in "12345"] == [0, 1, 0, 2, 2]
    assert first["dont_know"].value == 1
    assert first["change_share_positive_pp"].value == 40.0
    index_header = [c.value for c in indices[1]]
    assert index_header == ["question_id", "dimension", "group", "suppressed", "n", "index",
                            "previous_suppressed", "previous_n", "previous_index", "change_index"]
    assert [c.value for c in indices[2]] == ["nbi", "all", "all", "false", 5, 77.5, "false", 5,
                                             50.0, 27.5]


async def test_compare_needs_a_period(client, database_url):
    result = brukarrost("indicators", "--consultation", IFO, "--compare",
                        database_url=database_url)
    assert result.returncode == 2 and "--compare needs a period" in result.stderr


async def test_answers_to_a_removed_question_are_read_with_their_version(
        make_client, settings, database_url, tmp_path):
    folder = _broken(tmp_path, lambda d: d["questions"].insert(4, {
        "id": "gammal-fraga", "type": "scale", "text": "En fråga som togs bort."}))
    old = await make_client(settings, consultations_dir=folder)
    await say(old, "old-version", "hej", {"consultation": IFO})
    for message in ("ja", "sjalv", "arbete", "kvinna", "1-3-ar", "4", "5"):
        await say(old, "old-version", message)
    await make_client(settings)  # the current file again: the question is gone
    result = brukarrost("indicators", "--consultation", IFO, "--format", "json",
                        database_url=database_url)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    removed = _row(rows, "gammal-fraga")
    assert removed["suppressed"]  # one person; the row is there, nothing crashed
    assert _row(rows, "kontakt")["suppressed"]


def test_index_definitions_are_validated(tmp_path):
    def bad(indices, expected):
        place = tmp_path / str(len(list(tmp_path.iterdir())))
        place.mkdir()
        folder = _broken(place, lambda d: d.update(indices=indices))
        with pytest.raises(DefinitionError) as raised:
            load_directory(folder)
        assert expected in str(raised.value)

    bad([{"id": "x", "label": "X", "questions": ["kontakt", "nej"]}],
        "indices[0].questions: there is no question 'nej'")
    bad([{"id": "x", "label": "X", "questions": ["kontakt", "kon"]}],
        "'kon' is not a scale question")
    bad([{"id": "kontakt", "label": "X", "questions": ["kontakt", "respekt"]}],
        "already used by a question or index")
    bad([{"id": "x", "label": "X", "questions": ["kontakt"]}],
        "indices[0].questions: ensure this value has at least 2 items")
