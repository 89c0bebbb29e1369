"""Conversation quality (issue: steering, understanding, listening, privacy, safety,
language, consultations), each through the REST channel with the real model."""

from __future__ import annotations

import pytest

from tests import db
from tests.chat import advance_to, last_question, say
from tests.test_survey import exported

IFO = {"consultation": "brukarundersokning-ifo", "unit": "ekonomiskt-bistand-norr"}


def types(replies):
    return [r["custom"]["type"] for r in replies]


# --- steering ---------------------------------------------------------------------------

async def test_stop_asks_first_then_ends_kindly_and_keeps_answers(client, database_url):
    await advance_to(client, "s1", "kontakt", IFO)
    replies = await say(client, "s1", "jag orkar inte med fler frågor, avsluta")
    assert types(replies) == ["confirm"]
    assert {b["payload"] for b in replies[0]["buttons"]} == {"avsluta", "fortsatt", "radera"}
    replies = await say(client, "s1", "avsluta")
    assert types(replies) == ["end"]
    rows = await exported(database_url)
    assert [r["question_id"] for r in rows] == ["vem-svarar", "malgrupp", "kon", "kontakttid"]
    assert {r["completed"] for r in rows} == {"false"}


async def test_saying_no_to_stopping_returns_to_the_question(client):
    await advance_to(client, "s2", "respekt", IFO)
    await say(client, "s2", "avsluta")
    replies = await say(client, "s2", "nej")
    assert last_question(replies)["custom"]["question_id"] == "respekt"


async def test_delete_my_answers_removes_them_and_says_so(client, database_url):
    await advance_to(client, "s3", "kontakt", IFO)
    replies = await say(client, "s3", "radera mina svar")
    assert types(replies) == ["end"]
    assert "raderade" in replies[0]["text"]
    assert await exported(database_url) == []
    assert "Det fungerar" not in await db.all_text(database_url)


@pytest.mark.parametrize("message", ["", "   ", "?", "...", "!!"])
async def test_a_message_without_words_is_never_read_as_an_answer(client, database_url,
                                                                  message):
    """An empty message (a reloaded page asks where it is) or bare punctuation shows the
    question again; nothing is proposed or stored."""
    await advance_to(client, "empty", "helhet", IFO)
    before = await db.answers(database_url)
    replies = await say(client, "empty", message)
    assert "confirm" not in types(replies)
    assert last_question(replies)["custom"]["question_id"] == "helhet"
    assert await db.answers(database_url) == before


async def test_skip_leaves_no_row_and_goes_on(client, database_url):
    await advance_to(client, "s4", "kontakt", IFO)
    replies = await say(client, "s4", "hoppa över")
    assert last_question(replies)["custom"]["question_id"] == "snabb-hjalp"
    assert "kontakt" not in [r["question_id"] for r in await exported(database_url)]


async def test_back_changes_the_previous_answer(client, database_url):
    await advance_to(client, "s5", "kon", IFO)
    replies = await say(client, "s5", "tillbaka")
    assert last_question(replies)["custom"]["question_id"] == "malgrupp"
    assert "Du svarade" in replies[0]["text"]
    replies = await say(client, "s5", "boende")
    assert last_question(replies)["custom"]["question_id"] == "kon"
    values = dict((q, v) for q, v, _t in await db.answers(database_url))
    assert values["malgrupp"] == "boende"


async def test_dont_know_is_dk_on_a_scale_and_a_skip_elsewhere(client, database_url):
    await advance_to(client, "s6", "kon", IFO)
    replies = await say(client, "s6", "vet inte")
    assert last_question(replies)["custom"]["question_id"] == "kontakttid"
    await advance_to(client, "s6", "kontakt")
    await say(client, "s6", "ingen aning faktiskt")
    values = dict((q, v) for q, v, _t in await db.answers(database_url))
    assert "kon" not in values
    assert values["kontakt"] == "dk"


async def test_clarify_gives_the_plainer_explanation(client):
    await advance_to(client, "s7", "kontakt", IFO)
    replies = await say(client, "s7", "vad menas med det?")
    assert "Handläggare är den person" in replies[0]["text"]
    assert last_question(replies)["custom"]["question_id"] == "kontakt"


async def test_human_gives_the_units_contact_and_never_pretends(client):
    await advance_to(client, "s8", "kontakt", IFO)
    replies = await say(client, "s8", "kan jag prata med en människa")
    assert "chattbot" in replies[0]["text"]
    assert "010-000 00 01" in replies[0]["text"]
    assert last_question(replies)["custom"]["question_id"] == "kontakt"


async def test_privacy_question_is_answered(client):
    await advance_to(client, "s9", "respekt", IFO)
    replies = await say(client, "s9", "är det här anonymt?")
    assert "anonym" in replies[0]["text"]
    assert last_question(replies)["custom"]["question_id"] == "respekt"


async def test_privacy_and_human_also_work_before_consent(client):
    await say(client, "s10", "hej", IFO)
    replies = await say(client, "s10", "vem läser mina svar?")
    assert types(replies)[-1] == "consent"
    assert "anonym" in replies[0]["text"]


async def test_feedback_out_of_turn_is_saved_as_own_words_not_an_answer(client, database_url):
    await advance_to(client, "s11", "lyssnar", IFO)
    comment = "men alltså min handläggare byts hela tiden, det är jobbigt"
    replies = await say(client, "s11", comment)
    assert "sparat" in replies[0]["text"]
    assert last_question(replies)["custom"]["question_id"] == "lyssnar"
    rows = await exported(database_url)
    assert "lyssnar" not in [r["question_id"] for r in rows]
    assert [(r["question_type"], r["answer_text"]) for r in rows if r["question_id"] == "comment"] \
        == [("comment", comment)]


# --- understanding answers ------------------------------------------------------------------

@pytest.mark.parametrize("typed, value", [
    ("nej verkligen inte", "1"), ("typ hälften", "3"), ("👍", "4"), ("ja absolut", "5"),
    ("inte riktigt", "2"), ("kunde inte vara bättre", "5"), ("inte på långa vägar", "1"),
    ("extremt missnöjd", "1"), ("ja, i högsta grad", "5"), ("Kunde inte varit bättre.", "5"),
    ("under all kritik", "1"), ("bättre går inte", "5"),
])
async def test_everyday_scale_answers_are_confirmed_not_guessed(client, database_url, typed, value):
    await advance_to(client, "u1", "kontakt", IFO)
    replies = await say(client, "u1", typed)
    assert types(replies) == ["confirm"]
    assert replies[0]["text"].startswith(f"Jag tolkar det som {value}, ")
    assert replies[0]["custom"]["question_id"] == "kontakt"
    assert "kontakt" not in [q for q, _v, _t in await db.answers(database_url)]
    await say(client, "u1", "ja")
    stored = dict((q, (v, t)) for q, v, t in await db.answers(database_url))
    assert stored["kontakt"] == (value, typed)


@pytest.mark.parametrize("typed, value", [
    ("åtta av tio", "4"), ("0/10", "1"), ("noll av fem", "1"), ("80 procent", "4"),
    ("ten out of ten", "5"),
])
async def test_a_score_out_of_ten_or_a_percentage_is_proposed_on_the_scale(
        client, database_url, typed, value):
    await advance_to(client, "u8", "kontakt", IFO)
    replies = await say(client, "u8", typed)
    assert types(replies) == ["confirm"]
    assert replies[0]["text"].startswith(f"Jag tolkar det som {value}, ")
    assert "kontakt" not in [q for q, _v, _t in await db.answers(database_url)]


@pytest.mark.parametrize("typed, value", [("2 out of 5", "2"), ("fyra av fem", "4")])
async def test_a_score_out_of_five_is_stored_at_once(client, database_url, typed, value):
    await advance_to(client, "u9", "kontakt", IFO)
    await say(client, "u9", typed)
    stored = dict((q, (v, t)) for q, v, t in await db.answers(database_url))
    assert stored["kontakt"] == (value, typed)


@pytest.mark.parametrize("typed, values", [
    ("nej hon ringer nästan aldrig tillbaka", ("1", "2")),
    ("dom lyssnar på mig för det mesta", ("4",)),
    ("they always call me back", ("5",)),  # English: the bot switches language first
])
async def test_an_answer_with_a_reason_is_proposed_not_asked_again(client, typed, values):
    await advance_to(client, "u10", "kontakt", IFO)
    replies = await say(client, "u10", typed)
    assert types(replies)[-1] == "confirm" and "scale" not in types(replies)
    assert replies[-1]["text"].startswith(
        tuple(f"{start} {v}, " for v in values for start in ("Jag tolkar det som", "I read that as")))


@pytest.mark.parametrize("typed, values", [
    ("sådär, vissa dagar bättre än andra", ("3",)),  # the first clause is the answer
    ("bra bemötande men jag väntar länge på svar, så mitten", ("3",)),  # the conclusion
    ("mina möten med dem har mest varit positiva, ja", ("4",)),  # the last word, a verdict
    ("inte alltid, men oftast", ("4",)),  # after "men", the last word weighs more
    ("min handläggare svarar nästan alltid samma dag", ("4", "5")),  # heard as a comment
    # a story unclear as a whole, whose last sentence is the verdict
    ("Jag har fått en del hjälp med ekonomin. Men boendet är inte löst och ingen hör av sig. "
     "Jag är inte särskilt nöjd med stödet.", ("2",)),
    # "jag vill inte ..." opens no request
    ("Jag vill inte vara otacksam, de försöker. Men ingen ringer tillbaka. Det fungerar dåligt.",
     ("2",)),
])
async def test_an_answer_with_a_reason_heard_as_a_comment_is_confirmed_and_stored(
        client, database_url, typed, values):
    await advance_to(client, "u11", "kontakt", IFO)
    replies = await say(client, "u11", typed)
    assert types(replies) == ["confirm"]
    assert replies[0]["text"].startswith(tuple(f"Jag tolkar det som {v}, " for v in values))
    await say(client, "u11", "ja")
    stored = dict((q, (v, t)) for q, v, t in await db.answers(database_url))
    assert stored["kontakt"][0] in values and stored["kontakt"][1] == typed


@pytest.mark.parametrize("typed, value", [
    ("nja, mest inte faktiskt", "2"),  # "nja" alone is 3
    ("svårt att säga, det har varit väldigt blandat", "3"),  # "svårt att säga" alone is dk
    ("ja mycket, de visar alltid respekt för mig", "5"),  # "ja mycket" alone is 4
    ("Det är inte dåligt. Men bra är det inte heller.", "3"),  # "inte dåligt" alone is 4
    ("sådär, vissa dagar bättre än andra", "3"),  # the opening answer stands
])
async def test_an_opening_answer_that_the_rest_moves_a_step_is_read_as_moved(
        client, typed, value):
    await advance_to(client, "u13", "kontakt", IFO)
    replies = await say(client, "u13", typed)
    assert types(replies) == ["confirm"]
    assert replies[0]["text"].startswith(f"Jag tolkar det som {value}, ")


async def test_a_rejected_reading_of_an_answer_with_a_reason_keeps_the_words(client, database_url):
    await advance_to(client, "u12", "kontakt", IFO)
    typed = "min handläggare svarar nästan alltid samma dag"
    assert types(await say(client, "u12", typed)) == ["confirm"]
    replies = await say(client, "u12", "nej")
    assert types(replies) == ["info", "scale"]
    rows = await exported(database_url)
    assert "kontakt" not in [r["question_id"] for r in rows]
    assert [r["answer_text"] for r in rows if r["question_id"] == "comment"] == [typed]


@pytest.mark.parametrize("comment", ["Ni borde ha öppet på kvällar", "Jag vill byta handläggare"])
async def test_a_request_or_suggestion_is_not_read_as_a_value(client, comment):
    await advance_to(client, "u13", "kontakt", IFO)
    replies = await say(client, "u13", comment)
    assert "confirm" not in types(replies)
    assert last_question(replies)["custom"]["question_id"] == "kontakt"


async def test_a_rejected_interpretation_asks_again_with_the_options(client, database_url):
    await advance_to(client, "u2", "kontakt", IFO)
    await say(client, "u2", "typ hälften")
    replies = await say(client, "u2", "nej")
    assert types(replies) == ["info", "scale"]
    assert len(replies[1]["buttons"]) == 6
    assert "kontakt" not in [q for q, _v, _t in await db.answers(database_url)]


async def test_a_new_answer_instead_of_yes_or_no_is_taken(client, database_url):
    await advance_to(client, "u3", "kontakt", IFO)
    await say(client, "u3", "typ hälften")
    replies = await say(client, "u3", "5")
    assert last_question(replies)["custom"]["question_id"] == "snabb-hjalp"
    assert dict((q, v) for q, v, _t in await db.answers(database_url))["kontakt"] == "5"


async def test_choice_answers_in_own_words_are_confirmed(client, database_url):
    await advance_to(client, "u4", "malgrupp", IFO)
    replies = await say(client, "u4", "jag får pengar varje månad")
    assert types(replies) == ["confirm"]
    assert "Ekonomiskt bistånd" in replies[0]["text"]
    await say(client, "u4", "ja")
    assert dict((q, v) for q, v, _t in await db.answers(database_url))["malgrupp"] \
        == "ekonomiskt-bistand"


@pytest.mark.parametrize("typed, value", [("japp", "ja"), ("nä", "nej"), ("Ja det har jag", "ja")])
async def test_yes_no_in_own_words(client, database_url, typed, value):
    await advance_to(client, "u5", "diskriminerad", IFO)
    await say(client, "u5", typed)
    assert dict((q, v) for q, v, _t in await db.answers(database_url))["diskriminerad"] == value


# --- listening -----------------------------------------------------------------------------

async def test_low_score_gets_one_skippable_follow_up(client, database_url):
    await advance_to(client, "l1", "kontakt", IFO)
    replies = await say(client, "l1", "1")
    follow = last_question(replies)
    assert follow["custom"]["question_id"] == "kontakt-followup"
    assert follow["text"].startswith("Tack för att du säger det.")
    assert follow["buttons"] == [{"title": "Hoppa över", "payload": "hoppa-over"}]
    replies = await say(client, "l1", "hoppa-over")
    assert last_question(replies)["custom"]["question_id"] == "snabb-hjalp"
    assert "kontakt-followup" not in [q for q, _v, _t in await db.answers(database_url)]


async def test_follow_up_answer_is_stored_and_asked_only_once(client, database_url):
    await advance_to(client, "l2", "kontakt", IFO)
    await say(client, "l2", "2")
    replies = await say(client, "l2", "ingen svarar")
    assert last_question(replies)["custom"]["question_id"] == "snabb-hjalp"
    stored = {q: t for q, _v, t in await db.answers(database_url)}
    assert stored["kontakt-followup"] == "ingen svarar"


async def test_short_free_text_gets_a_follow_up(client, database_url):
    await advance_to(client, "l3", "gora-battre", IFO)
    replies = await say(client, "l3", "svara fortare")
    assert last_question(replies)["custom"]["question_id"] == "gora-battre-followup"
    replies = await say(client, "l3", "jag väntar ofta en vecka på svar i telefon")
    assert types(replies)[-1] == "end"


async def test_question_only_for_parents_is_skipped_for_others(client, database_url):
    await advance_to(client, "l4", "diskriminerad", IFO)  # answered as "sjalv"
    await say(client, "l5", "hej", IFO)
    await say(client, "l5", "ja")
    await say(client, "l5", "foralder")
    replies = await advance_to(client, "l5", "barnets-rost")
    assert last_question(replies)["custom"]["of"] == 18
    asked = {q for q, _v, _t in await db.answers(database_url)}
    assert "barnets-rost" not in asked


# --- privacy ---------------------------------------------------------------------------------

async def test_identifying_details_are_removed_and_the_person_is_told(client, database_url, caplog):
    caplog.set_level("DEBUG")
    await advance_to(client, "p1", "fungerar-bra", IFO)
    replies = await say(client, "p1", "Jag heter Maja Svensson, ring 0701234567 eller maja@exempel.se")
    assert replies[0]["custom"]["type"] == "info"
    assert "tog bort" in replies[0]["text"]
    stored = await db.all_text(database_url)
    for secret in ("Maja", "Svensson", "0701234567", "exempel.se"):
        assert secret not in stored
        assert secret not in caplog.text
    assert "[namn]" in stored and "[telefon]" in stored and "[e-post]" in stored


# --- safety ----------------------------------------------------------------------------------

@pytest.mark.parametrize("message", [
    "jag vill inte leva längre",
    "han slår mig och jag är rädd att han kommer hem",
    "jag har ingenstans att sova inatt",
    "I want to kill myself",
    "mamma har lämnat mig ensam hemma sen igår",
    "vi blev vräkta i dag och bor på gatan nu",
])
async def test_acute_risk_gets_help_first_and_is_flagged(client, database_url, message):
    await advance_to(client, "c1", "kontakt", IFO)
    replies = await say(client, "c1", message)
    assert types(replies) == ["crisis", "confirm"]
    assert "112" in replies[0]["text"]
    assert {b["payload"] for b in replies[1]["buttons"]} == {"fortsatt", "avsluta"}
    replies = await say(client, "c1", "fortsätt")
    assert last_question(replies)["custom"]["question_id"] == "kontakt"
    await say(client, "c1", "4")
    rows = await exported(database_url)
    assert {r["flagged"] for r in rows} == {"true"}


async def test_help_is_given_before_consent_and_on_a_text_question(client):
    replies = await say(client, "c2", "jag tänker ta livet av mig", IFO)
    assert types(replies)[0] == "crisis"
    assert "90101" in replies[0]["text"]
    replies = await say(client, "c2", "fortsätt")
    assert types(replies) == ["consent"]
    await advance_to(client, "c3", "gora-battre", IFO)
    replies = await say(client, "c3", "ingenting spelar roll, jag vill dö")
    assert types(replies)[0] == "crisis"
    replies = await say(client, "c3", "avsluta")
    assert types(replies) == ["end"]
    assert "112" in replies[0]["text"]


@pytest.mark.parametrize("question, message", [
    (None, "ja men allt känns meningslöst, jag vill bara försvinna"),  # the consent
    ("diskriminerad", "nej, jag orkar inte mer med livet"),  # a yes/no question
    ("kontakt", "2. mamma har lämnat oss ensamma i flera dagar"),  # a scale question
])
async def test_an_answer_with_more_in_it_is_read_by_the_model(client, question, message):
    """The rules know none of these words; a first word or a digit that answers the
    question does not spare the rest of the message from the model's crisis check."""
    from bot.engine import safety

    assert safety.rule_risk(message) is None
    if question is None:
        await say(client, "c6", "hej", IFO)
    else:
        await advance_to(client, "c6", question, IFO)
    replies = await say(client, "c6", message)
    assert types(replies) == ["crisis", "confirm"]


async def test_children_get_bris(client):
    await advance_to(client, "c4", "lyssnade", {"consultation": "barnenkat"})
    replies = await say(client, "c4", "pappa slår mig när han är full")
    assert types(replies)[0] == "crisis"
    assert "116 111" in replies[0]["text"]


async def test_ordinary_answers_do_not_raise_alarms(client):
    await advance_to(client, "c5", "kontakt", IFO)
    for message in ("2", "ganska dåligt", "vet inte", "stämmer delvis"):
        replies = await say(client, "c5", message)
        assert "crisis" not in types(replies), message


@pytest.mark.parametrize("message", [
    # all three raised an alarm before nlu/data/nlu_session7.yml (crisis 0.55-0.63)
    "Jag har fått en egen lägenhet nu och mår mycket bättre",
    "Mitt liv är bättre nu, jag har bostad och jobb",
    "I have my own place to live now, thank you",
])
async def test_good_news_about_a_home_raises_no_alarm(client, database_url, message):
    """The crisis examples speak of nowhere to sleep; a home found is no crisis."""
    await advance_to(client, "c7", "gora-battre", IFO)
    replies = await say(client, "c7", message)
    assert "crisis" not in types(replies)
    assert {r["flagged"] for r in await exported(database_url)} == {"false"}


# --- language --------------------------------------------------------------------------------

async def test_switching_language_mid_conversation(client):
    await advance_to(client, "g1", "kontakt", IFO)
    replies = await say(client, "g1", "English please")
    assert last_question(replies)["text"].endswith("It is easy to get in touch with my case worker.")
    replies = await say(client, "g1", "på lättläst svenska")
    assert last_question(replies)["custom"]["question_id"] == "kontakt"
    replies = await say(client, "g1", "på svenska")
    assert last_question(replies)["text"].endswith("Det är lätt att få kontakt med min handläggare.")


async def test_easy_swedish_from_the_start(client):
    replies = await say(client, "g2", "hej", {**IFO, "lang": "sv-lattlast"})
    assert replies[0]["text"].startswith("Hej! Vi vill veta vad du tycker om oss.")


# --- consultations ---------------------------------------------------------------------------

async def test_barnenkat_every_question_has_buttons_and_smileys(client):
    meta = {"consultation": "barnenkat"}
    replies = await say(client, "k1", "hej", meta)
    assert {b["payload"] for b in replies[0]["buttons"]} == {"ja", "nej"}
    replies = await say(client, "k1", "ja")
    seen_scale = False
    for _ in range(20):
        asked = last_question(replies)
        if asked["custom"]["type"] == "end":
            break
        assert asked["buttons"], asked  # a child can answer everything without typing
        if asked["custom"]["type"] == "scale":
            seen_scale = True
            assert [b["payload"] for b in asked["buttons"]] == ["1", "2", "3", "dk"]
            assert all(len(b["title"]) > 2 for b in asked["buttons"])  # text, not only faces
        replies = await say(client, "k1", asked["buttons"][-1]["payload"]
                            if asked["custom"]["type"] == "text" else asked["buttons"][0]["payload"])
        if replies[-1]["custom"]["type"] == "end":
            break
    assert seen_scale
    assert replies[-1]["custom"]["type"] == "end"


async def test_brukarforum_acknowledges_and_probes_every_answer_once(client, database_url):
    meta = {"consultation": "brukarforum"}
    replies = await advance_to(client, "f1", "svart-i-dag", meta)
    replies = await say(client, "f1", "Det är svårt att komma fram på telefon på förmiddagen.")
    follow = last_question(replies)
    assert follow["custom"]["question_id"] == "svart-i-dag-followup"
    assert follow["text"].startswith("Tack för att du berättar.")
    replies = await say(client, "f1", "Om ni ringde tillbaka samma dag skulle det hjälpa.")
    assert last_question(replies)["custom"]["question_id"] != "svart-i-dag-followup"


async def test_the_end_says_what_happens_and_when(client):
    replies = await advance_to(client, "e1", "gora-battre", IFO)
    replies = await say(client, "e1", "Ni kunde svara lite snabbare i telefon.")
    assert replies[-1]["custom"]["type"] == "end"
    assert "juni" in replies[-1]["text"] and "kvalitetsnätverket" in replies[-1]["text"].lower()


async def test_scale_reader_proposes_a_value_for_unlisted_wording(client, database_url):
    await advance_to(client, "u6", "kontakt", IFO)
    replies = await say(client, "u6", "inte det minsta")
    assert types(replies) == ["confirm"]
    assert replies[0]["text"].startswith(("Jag tolkar det som 1", "Jag tolkar det som 2"))


async def test_a_comment_read_as_an_answer_is_kept_when_the_reading_is_wrong(client, database_url):
    await advance_to(client, "u7", "lyssnar", IFO)
    comment = "de lyssnar typ aldrig på mig när jag ringer"
    replies = await say(client, "u7", comment)
    if types(replies) == ["confirm"]:  # read as a value: saying no keeps it as a comment
        await say(client, "u7", "nej")
    rows = await exported(database_url)
    assert [r["answer_text"] for r in rows if r["question_id"] == "comment"] == [comment]
