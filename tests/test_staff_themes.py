"""Correcting themes in the browser (/staff/themes/...), the themes in the transcript and
the inbox's theme filter, through HTTP on SQLite and PostgreSQL: staff only for their own
units, analysts for all; CSRF; every correction logged; corrections become training data."""

from __future__ import annotations

import csv
import io
import re

import yaml

from tests.chat import advance_to, say
from tests.staff import add_user, login, post
from tests.test_cli import brukarrost
from tests.test_themes import _export

UNIT, OTHER = "barn-och-familj", "arbetsmarknad"
HARD_TO_REACH = "Det är svårt att komma fram på telefon på förmiddagen."
OTHER_TEXT = "Tolken kom aldrig, och <b>ingen</b> ringde."
ITEM = re.compile(r'<section class="themed" id="(answer|comment)-(\d+)"')
CONVERSATION = re.compile(r'<a href="/staff/conversations/([0-9a-f]{32})">')


async def _answer(client, sender: str, unit: str, text: str) -> None:
    await advance_to(client, sender, "svart-i-dag", {"consultation": "brukarforum",
                                                     "unit": unit})
    await say(client, sender, text)


async def _items(client, query: str = "") -> list[tuple[str, str]]:
    response = await client.get(f"/staff/themes/brukarforum{query}")
    assert response.status == 200, await response.text()
    return ITEM.findall(await response.text())


def _checked(page: str, key: str) -> list[str]:
    section = page.split(f'id="{key}"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'value="([a-z_]+)" checked', section)


async def test_staff_correct_their_units_themes_and_the_correction_is_training_data(
        client, database_url, tmp_path):
    await _answer(client, "mine", UNIT, HARD_TO_REACH)
    await _answer(client, "theirs", OTHER, OTHER_TEXT)
    await add_user(client, "handlaggare@example.se", "staff", [UNIT])
    await login(client, "handlaggare@example.se")

    # only the own unit's text, with the model's theme
    (mine,) = await _items(client)
    assert mine[0] == "answer"
    key = f"answer-{mine[1]}"
    page = await (await client.get("/staff/themes/brukarforum")).text()
    assert HARD_TO_REACH in page and "ingen" not in page
    assert _checked(page, key) == ["tillganglighet"] and "(satt av modellen)" in page
    assert "script-src 'none'" in (await client.get("/staff/themes")).headers[
        "Content-Security-Policy"]

    # correct it: language as well
    response = await post(client, f"/staff/themes/answer/{mine[1]}",
                          {"theme": ["sprak", "tillganglighet"], "back": "page=1&evil=x"})
    assert response.headers["Location"] == f"/staff/themes/brukarforum?page=1#{key}"
    page = await (await client.get("/staff/themes/brukarforum")).text()
    assert _checked(page, key) == ["tillganglighet", "sprak"]
    assert "(satt av personal)" in page
    assert await _items(client, "?theme=sprak") == [mine]
    assert await _items(client, "?source=model") == []
    assert await _items(client, "?theme=inget") == []

    # another unit's text, an unknown theme, no CSRF token: refused, nothing changed
    await add_user(client, "analytiker@example.se", "analyst")
    await login(client, "analytiker@example.se")
    items = await _items(client)
    assert len(items) == 2 and mine in items  # analysts: every unit
    (other,) = [item for item in items if item != mine]
    page = await (await client.get("/staff/themes/brukarforum")).text()
    assert "&lt;b&gt;ingen&lt;/b&gt;" in page and "<b>ingen</b>" not in page  # escaped
    await login(client, "handlaggare@example.se")
    await post(client, f"/staff/themes/{other[0]}/{other[1]}", {"theme": "sprak"}, status=403)
    await post(client, f"/staff/themes/answer/{mine[1]}", {"theme": "pengar"}, status=400)
    response = await client.post(f"/staff/themes/answer/{mine[1]}", data={"theme": "ekonomi"},
                                 allow_redirects=False)
    assert response.status == 403

    # the export has the corrected themes; `themes corrections` writes them as training data
    rows = {r["question_id"]: r for r in await _export(database_url, tmp_path, "brukarforum")
            if r["unit_id"] == UNIT}
    assert rows["svart-i-dag"]["themes"] == "tillganglighet;sprak"
    out = tmp_path / "corrections.yml"
    result = brukarrost("themes", "corrections", "--out", str(out), database_url=database_url)
    assert result.returncode == 0 and "Wrote 1 corrected texts" in result.stdout
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["examples"] == [
        {"text": HARD_TO_REACH, "themes": ["tillganglighet", "sprak"]}]

    # the transcript shows the themes and links to the correction; the inbox filters on them
    inbox = await (await client.get("/staff/?theme=sprak")).text()
    (conversation,) = CONVERSATION.findall(inbox)
    assert CONVERSATION.findall(await (await client.get("/staff/?theme=ekonomi")).text()) == []
    transcript = await (await client.get(f"/staff/conversations/{conversation}")).text()
    assert "Tillgänglighet, Språk och tolk (rättat av personal)" in transcript
    assert f'href="/staff/themes/brukarforum?item={key}"' in transcript
    assert await _items(client, f"?item={key}") == [mine]

    # an analyst corrects the other unit's text to no theme at all
    await login(client, "analytiker@example.se")
    await post(client, f"/staff/themes/{other[0]}/{other[1]}", {})
    assert (other[0], other[1]) in await _items(client, "?theme=inget")

    # admins do not work with brukare's words
    await add_user(client, "admin@example.se", "admin")
    await login(client, "admin@example.se")
    assert (await client.get("/staff/themes/brukarforum")).status == 403
    log = list(csv.DictReader(io.StringIO(await (await client.get(
        "/staff/admin/audit.csv")).text())))
    corrected = [(e["actor"], e["target"], e["detail"]) for e in log
                 if e["action"] == "themes_corrected"]
    assert corrected[0] == ("handlaggare@example.se", key.replace("-", ":"), "tillganglighet -> tillganglighet;sprak")
    assert corrected[1][0] == "analytiker@example.se" and corrected[1][2].endswith("-> -")
    assert len(corrected) == 2
    assert any(e["action"] == "themes_view" and e["actor"] == "analytiker@example.se"
               for e in log)
