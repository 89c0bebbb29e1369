"""The inbox, transcripts, tags, notes, review, the crisis queue and the audit log, through
HTTP on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re

from tests.chat import advance_to, say
from tests.staff import add_user, login, post, seed

UNIT = "barn-och-familj"
OTHER = "arbetsmarknad"
ROW = re.compile(r'<a href="/staff/conversations/([0-9a-f]{32})">')


async def _listed(client, query: str = "") -> list[str]:
    page = await client.get(f"/staff/?{query}")
    assert page.status == 200, await page.text()
    return ROW.findall(await page.text())


async def _as_staff(client, units=(UNIT,)) -> None:
    await add_user(client, "handlaggare@example.se", "staff", list(units))
    await login(client, "handlaggare@example.se")


async def test_inbox_filters_and_pages_within_ones_units(client):
    old = await seed(client, UNIT, days_ago=40, status="stopped", texts=("det var svårt",))
    flagged = await seed(client, UNIT, days_ago=2, flagged=True, texts=("jag är rädd",))
    barn = await seed(client, UNIT, consultation="barnenkat", days_ago=1,
                      texts=("Bra bemötande 100%",))
    hidden = await seed(client, OTHER, days_ago=1, texts=("bra bemötande",))
    await _as_staff(client)

    assert await _listed(client) == [barn, flagged, old]
    assert hidden not in await _listed(client, f"unit={OTHER}")
    assert await _listed(client, "consultation=barnenkat") == [barn]
    assert await _listed(client, "flagged=ja") == [flagged]
    assert await _listed(client, "completed=nej") == [old]
    assert await _listed(client, "text=BEMÖTANDE") == [barn]
    assert await _listed(client, "text=100%25") == [barn]
    assert await _listed(client, "text=_") == []
    from datetime import date, timedelta

    since = (date.today() - timedelta(days=10)).isoformat()
    assert await _listed(client, f"from={since}") == [barn, flagged]
    until = (date.today() - timedelta(days=30)).isoformat()
    assert await _listed(client, f"to={until}") == [old]
    bad = await client.get("/staff/?from=igår")
    assert bad.status == 400 and "2026-01-31" in await bad.text()

    await post(client, f"/staff/conversations/{old}/tags", {"tag": "boende"})
    await post(client, f"/staff/conversations/{flagged}/reviewed", {"reviewed": "1"})
    assert await _listed(client, "tag=boende") == [old]
    assert await _listed(client, "reviewed=ja") == [flagged]
    assert await _listed(client, "reviewed=nej") == [barn, old]

    for _ in range(30):
        await seed(client, UNIT, days_ago=5)
    first, second = await _listed(client), await _listed(client, "page=2")
    assert len(first) == 25 and len(second) == 8 and not set(first) & set(second)
    assert "Sida 2 av 2" in await (await client.get("/staff/?page=2")).text()


async def test_transcript_shows_messages_answers_and_escapes_everything(client):
    metadata = {"consultation": "brukarundersokning-ifo", "unit": UNIT}
    await advance_to(client, "skript", "fungerar-bra", metadata)
    await say(client, "skript", "<script>alert(1)</script> och <b>fet</b> text här")
    await _as_staff(client)
    (conversation,) = await _listed(client)

    page = await client.get(f"/staff/conversations/{conversation}")
    html = await page.text()
    assert page.status == 200
    assert "<script>alert(1)</script>" not in html and "<b>fet</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "script-src 'none'" in page.headers["Content-Security-Policy"]
    # messages in order: the first is the greeting, then the consent
    said = re.findall(r'<li class="in">.*?<span class="text">(.*?)</span>', html, re.S)
    assert said[:2] == ["hej", "ja"] and said[-1].startswith("&lt;script&gt;")
    assert html.index("Fråga 1 av") < html.index("Fråga 2 av")
    # the answers as a table with the question text
    answers = html[html.index('<table id="answers">'):]
    assert "Jag fick hjälp snabbt när jag behövde." in answers or "snabb" in answers
    assert "&lt;script&gt;" in answers

    await post(client, f"/staff/conversations/{conversation}/tags", {"tag": "följ upp"})
    await post(client, f"/staff/conversations/{conversation}/notes",
               {"note": "Ring <tillbaka> på måndag"})
    await post(client, f"/staff/conversations/{conversation}/reviewed", {"reviewed": "1"})
    html = await (await client.get(f"/staff/conversations/{conversation}")).text()
    assert "följ upp" in html and "Ring &lt;tillbaka&gt; på måndag" in html
    assert "Ja, av handlaggare@example.se" in html
    await post(client, f"/staff/conversations/{conversation}/tags",
               {"tag": "följ upp", "remove": "1"})
    bad = await post(client, f"/staff/conversations/{conversation}/tags",
                     {"tag": "<script>"}, status=400)
    assert "text/html" in bad.headers["Content-Type"]

    audit = await _audit_rows(client)
    actions = [(row["action"], row["target"]) for row in audit]
    for action in ("transcript_view", "tag_added", "note_added", "reviewed", "tag_removed"):
        assert (action, conversation) in actions, action


async def test_staff_of_another_unit_cannot_open_or_change_a_conversation(client):
    conversation = await seed(client, UNIT, flagged=True)
    await _as_staff(client, units=(OTHER,))
    assert await _listed(client) == []
    assert (await client.get(f"/staff/conversations/{conversation}")).status == 403
    await post(client, f"/staff/conversations/{conversation}/reviewed", {"reviewed": "1"},
               status=403)
    assert "Inga flaggade samtal" in await (await client.get("/staff/crisis")).text()
    assert (await client.get("/staff/conversations/" + "0" * 32)).status == 404


async def test_crisis_queue_new_first_with_who_and_when(client):
    older = await seed(client, UNIT, days_ago=3, flagged=True)
    newer = await seed(client, UNIT, days_ago=1, flagged=True)
    quiet = await seed(client, UNIT, days_ago=2)
    await _as_staff(client)

    def order(html: str) -> list[str]:
        return [c for c in ROW.findall(html)]

    html = await (await client.get("/staff/crisis")).text()
    assert order(html) == [older, newer] and quiet not in html

    await post(client, f"/staff/conversations/{older}/follow-up",
               {"status": "contacted", "back": "crisis"})
    html = await (await client.get("/staff/crisis")).text()
    assert order(html) == [newer, older]
    assert "Kontaktad" in html and "handlaggare@example.se" in html

    await post(client, f"/staff/conversations/{newer}/follow-up", {"status": "closed"})
    assert order(await (await client.get("/staff/crisis")).text()) == [older]
    assert order(await (await client.get("/staff/crisis?closed=ja")).text()) == [older, newer]
    await post(client, f"/staff/conversations/{quiet}/follow-up", {"status": "closed"},
               status=400)
    await post(client, f"/staff/conversations/{older}/follow-up", {"status": "glömd"},
               status=400)
    transcript = await (await client.get(f"/staff/conversations/{older}")).text()
    assert "Ändringar av uppföljningen" in transcript and "handlaggare@example.se" in transcript
    follow_ups = [r for r in await _audit_rows(client) if r["action"] == "follow_up"]
    assert [(r["target"], r["detail"]) for r in follow_ups] == [(older, "contacted"),
                                                                (newer, "closed")]


async def test_a_real_crisis_message_reaches_the_queue(client):
    metadata = {"consultation": "brukarundersokning-ifo", "unit": UNIT}
    await say(client, "kris", "hej", metadata)
    await say(client, "kris", "jag vill inte leva längre")
    await _as_staff(client)
    html = await (await client.get("/staff/crisis")).text()
    assert len(ROW.findall(html)) == 1 and "Ny" in html


async def test_analyst_export_is_logged_and_never_shows_transcripts(client):
    metadata = {"consultation": "brukarundersokning-ifo", "unit": UNIT}
    await advance_to(client, "analys", "respekt", metadata)
    await add_user(client, "analytiker@example.se", "analyst")
    await login(client, "analytiker@example.se")
    response = await client.get("/staff/export/answers.csv?consultation=brukarundersokning-ifo"
                                f"&unit={UNIT}")
    assert response.status == 200
    rows = list(csv.DictReader(io.StringIO(await response.text())))
    assert rows and {r["unit_id"] for r in rows} == {UNIT}
    assert (await client.get("/staff/")).status == 403
    results = await (await client.get("/staff/aggregates?consultation=brukarundersokning-ifo"))\
        .text()
    assert "För få svar för att visa" in results and 'id="aggregates"' in results
    await add_user(client, "chef@example.se", "admin")
    await login(client, "chef@example.se")
    audit = await _audit_rows(client)
    assert ("export", "analytiker@example.se", "brukarundersokning-ifo") in [
        (r["action"], r["actor"], r["target"]) for r in audit]


async def test_audit_page_lists_logins_and_failed_logins_newest_first(client):
    await add_user(client, "chef@example.se", "admin")
    await login(client, "chef@example.se", "fel-losenord-xyz", status=401)
    await login(client, "chef@example.se")
    page = await client.get("/staff/admin/audit")
    html = await page.text()
    assert html.index("login_failed") > html.index(">login<")
    filtered = await (await client.get("/staff/admin/audit?action=login_failed")).text()
    assert "1 händelser" in filtered
    rows = await _audit_rows(client)
    assert [r["action"] for r in rows] == ["login_failed", "login", "audit_export"]
    assert all(r["at"] and r["actor"] == "chef@example.se" for r in rows)


async def _audit_rows(client) -> list[dict[str, str]]:
    """The audit log's CSV export, read as an admin (logs in a separate admin if needed)."""
    page = await client.get("/staff/admin/audit.csv")
    if page.status != 200:
        await add_user(client, "granskare@example.se", "admin")
        await login(client, "granskare@example.se")
        page = await client.get("/staff/admin/audit.csv")
    assert page.status == 200
    assert page.headers["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(await page.text())))
