"""A whole survey through the REST channel, on SQLite and PostgreSQL, with the real model."""

from __future__ import annotations

import pytest

from bot.analytics import export
from storage.db import create_engine, session_factory
from tests import db
from tests.chat import last_question, say

IFO = {"consultation": "brukarundersokning-ifo", "unit": "ekonomiskt-bistand-norr",
       "source": "qr-poster"}

# (what the person sends, question answered, expected value, expected own words)
SCRIPT = [
    ("sjalv", "vem-svarar", "sjalv", ""),
    ("pengar", "malgrupp", "ekonomiskt-bistand", "pengar"),
    ("kvinna", "kon", "kvinna", ""),
    ("2", "kontakttid", "6-12-man", "2"),
    ("5", "kontakt", "5", ""),
    ("4", "snabb-hjalp", "4", ""),
    ("fyra", "respekt", "4", "fyra"),
    ("Stämmer delvis", "lyssnar", "3", "Stämmer delvis"),
    ("vet inte", "information", "dk", "vet inte"),
    ("1", "forstar-beslut", "1", ""),
    ("2 ganska dåligt", "inflytande", "2", "2 ganska dåligt"),
    # a low score gets one kind follow-up question; its answer is stored as its own row
    ("Jag får aldrig vara med när planen görs", "inflytande-followup", "",
     "Jag får aldrig vara med när planen görs"),
    ("stammer helt och hallet", "gor-skillnad", "5", "stammer helt och hallet"),
    ("dk", "trygghet", "dk", ""),
    ("4", "helhet", "4", ""),
    ("nej", "diskriminerad", "nej", ""),
    ("Bra bemötande i receptionen", "fungerar-bra", "", "Bra bemötande i receptionen"),
    ("Svara snabbare. Ring mig på 070-123 45 67", "gora-battre", "",
     "Svara snabbare. Ring mig på [telefon]"),
]


async def exported(database_url: str, consultation: str = "brukarundersokning-ifo", **filters):
    engine = create_engine(database_url)
    try:
        return [row async for row in export.rows(session_factory(engine), consultation, **filters)]
    finally:
        await engine.dispose()


async def test_whole_survey_is_stored_answer_by_answer_and_exported(client, database_url):
    replies = await say(client, "person-1", "hej", IFO)
    assert [r["custom"]["type"] for r in replies] == ["consent"]
    assert "anonym" in replies[0]["text"]
    assert {b["payload"] for b in replies[0]["buttons"]} == {"ja", "nej"}

    replies = await say(client, "person-1", "ja")
    question = last_question(replies)
    # 18 questions, one of them only for parents: it still counts until it is known
    assert question["custom"] == {"type": "choice", "question_id": "vem-svarar", "step": 1, "of": 18}
    assert question["text"].startswith("Fråga 1 av 18.")

    for index, (message, question_id, value, _own) in enumerate(SCRIPT):
        assert last_question(replies)["custom"]["question_id"] == question_id
        replies = await say(client, "person-1", message)
        if question_id == "vem-svarar":  # answered "sjalv": the parents' question is out
            assert last_question(replies)["custom"]["of"] == 17
        # committed before the reply: another connection sees the answer now
        stored = await db.answers(database_url)
        assert len(stored) == index + 1
        assert stored[-1][0] == question_id
        assert (stored[-1][1] or "") == value

    assert replies[0]["custom"]["type"] == "info"  # the phone number was removed, and it says so
    assert "anonym" in replies[0]["text"]
    assert replies[-1]["custom"] == {"type": "end"}
    assert "juni" in replies[-1]["text"]

    rows = await exported(database_url)
    assert [(r["question_id"], r["value"], r["answer_text"]) for r in rows] == [
        (q, v, own) for _m, q, v, own in SCRIPT
    ]
    first = rows[0]
    assert first["unit_id"] == "ekonomiskt-bistand-norr"
    assert first["source"] == "qr-poster"
    assert first["lang"] == "sv"
    assert first["completed"] == "true" and first["flagged"] == "false"
    assert first["started_at"].endswith("+00:00")
    assert len({r["session_id"] for r in rows}) == 1
    assert "070" not in "".join(r["answer_text"] for r in rows)


async def test_scale_question_shows_five_points_and_dont_know(client):
    await say(client, "p2", "hej", IFO)
    replies = await say(client, "p2", "ja")
    for message, *_ in SCRIPT[:4]:
        replies = await say(client, "p2", message)
    question = last_question(replies)
    assert question["custom"]["type"] == "scale"
    assert [b["payload"] for b in question["buttons"]] == ["1", "2", "3", "4", "5", "dk"]
    assert question["buttons"][0]["title"] == "1 Stämmer inte alls"
    assert question["buttons"][4]["title"] == "5 Stämmer helt och hållet"


@pytest.mark.parametrize(
    "typed, value",
    [
        ("3", "3"), ("tre", "3"), ("Fem", "5"), ("ett", "1"), ("två", "2"), ("tva", "2"),
        ("4.", "4"), ("jag säger 4", "4"), ("stämmer ganska bra", "4"), ("ganska bra", "4"),
        ("inte alls", "1"), ("Stämmer helt och hållet!", "5"), ("delvis", "3"),
        ("Vet inte", "dk"), ("vet ej", "dk"), ("ingen aning", "dk"), ("Mostly true", "4"),
        ("4 av 5", "4"), ("2/5", "2"), ("en trea", "3"),
    ],
)
async def test_typed_scale_answers(client, database_url, typed, value):
    await say(client, "typist", "hej", IFO)
    await say(client, "typist", "ja")
    for message, *_ in SCRIPT[:4]:
        await say(client, "typist", message)
    replies = await say(client, "typist", typed)
    # the next step: the next statement, or the follow-up after a low score
    assert last_question(replies)["custom"]["question_id"] in ("snabb-hjalp", "kontakt-followup")
    stored = await db.answers(database_url)
    # a typed text equal to a button's payload counts as pressing that button
    own_words = None if typed in ("1", "2", "3", "4", "5", "dk") else typed
    assert stored[-1] == ("kontakt", value, own_words)


@pytest.mark.parametrize("typed", ["banan", "7", "asdfgh", "1 2 3"])
async def test_unclear_scale_answer_is_asked_again_and_not_stored(client, database_url, typed):
    await say(client, "unclear", "hej", IFO)
    await say(client, "unclear", "ja")
    for message, *_ in SCRIPT[:4]:
        await say(client, "unclear", message)
    replies = await say(client, "unclear", typed)
    assert replies[0]["custom"]["type"] == "info"
    assert "1 till 5" in replies[0]["text"]
    assert last_question(replies)["custom"]["question_id"] == "kontakt"
    assert [a[0] for a in await db.answers(database_url)] == [
        "vem-svarar", "malgrupp", "kon", "kontakttid"
    ]


async def test_same_sender_resumes_after_a_server_restart(make_client, settings, database_url):
    first = await make_client(settings)
    await say(first, "returning", "hej", IFO)
    await say(first, "returning", "ja")
    await say(first, "returning", "foralder")
    await first.close()

    second = await make_client(settings)
    replies = await say(second, "returning", "hej igen")
    # "hej igen" is not an answer to the choice question: it is asked again, nothing skipped
    assert last_question(replies)["custom"]["question_id"] == "malgrupp"
    replies = await say(second, "returning", "arbete")
    assert last_question(replies)["custom"]["question_id"] == "kon"
    assert [a[:2] for a in await db.answers(database_url)] == [
        ("vem-svarar", "foralder"), ("malgrupp", "arbete")
    ]


async def test_a_different_sender_gets_a_separate_conversation(client, database_url):
    await say(client, "a", "hej", IFO)
    await say(client, "a", "ja")
    await say(client, "b", "hej", IFO)
    replies = await say(client, "b", "ja")
    assert last_question(replies)["custom"]["question_id"] == "vem-svarar"
    await say(client, "a", "sjalv")
    rows = await exported(database_url)
    assert len(rows) == 1


async def test_declining_consent_ends_kindly_and_stores_no_answers(client, database_url):
    await say(client, "no-thanks", "hej", IFO)
    replies = await say(client, "no-thanks", "nej")
    assert replies[-1]["custom"]["type"] == "end"
    assert "tack" in replies[-1]["text"].lower()
    replies = await say(client, "no-thanks", "hallå?")
    assert replies[-1]["custom"]["type"] == "end"
    assert await db.answers(database_url) == []


async def test_stop_keeps_what_was_answered(client, database_url):
    await say(client, "quitter", "hej", IFO)
    await say(client, "quitter", "ja")
    await say(client, "quitter", "sjalv")
    replies = await say(client, "quitter", "avsluta")
    assert replies[-1]["custom"]["type"] == "confirm"
    replies = await say(client, "quitter", "ja")
    assert replies[-1]["custom"]["type"] == "end"
    rows = await exported(database_url)
    assert [(r["question_id"], r["completed"]) for r in rows] == [("vem-svarar", "false")]


async def test_english_conversation(client):
    replies = await say(client, "en-1", "hello", {**IFO, "lang": "en"})
    assert "anonymous" in replies[0]["text"]
    replies = await say(client, "en-1", "yes")
    assert last_question(replies)["text"] == "Question 1 of 18. Who is answering the questions?"


async def test_export_filters_by_unit_and_period(client, database_url):
    for sender, unit in (("u1", "ekonomiskt-bistand-norr"), ("u2", "barn-och-familj")):
        await say(client, sender, "hej", {**IFO, "unit": unit})
        await say(client, sender, "ja")
        await say(client, sender, "sjalv")
    assert len(await exported(database_url)) == 2
    assert [r["unit_id"] for r in await exported(database_url, unit_id="barn-och-familj")] == [
        "barn-och-familj"
    ]
    from datetime import datetime, timedelta, timezone

    today = datetime.now(timezone.utc).date()
    assert len(await exported(database_url, date_from=today, date_to=today)) == 2
    assert await exported(database_url, date_to=today - timedelta(days=1)) == []
