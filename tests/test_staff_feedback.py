""""Ni sa – vi gör" published and retracted in the browser (/staff/feedback/...), through
HTTP on SQLite and PostgreSQL: a message published on the page is told at the end of a new
conversation and shown on /resultat; staff and admins only; CSRF; logged; redacted."""

from __future__ import annotations

import csv
import io
import re

from tests.staff import add_user, login, post
from tests.test_feedback import IFO, complete

PAGE = f"/staff/feedback/{IFO}"
SAID = "Det är svårt att nå handläggaren <på telefon>."
DOING = "Vi inför telefontid varje vardag klockan 9-10."
TOLD = f"Ni sa – vi gör. Ni sa: {SAID} Det här gör vi: {DOING}"


async def _publish(client, said: str, doing: str, lang: str = "sv", status: int = 302):
    return await post(client, PAGE, {"said": said, "doing": doing, "lang": lang}, status=status)


async def test_a_message_published_on_the_page_is_told_and_shown(client):
    await add_user(client, "handlaggare@example.se", "staff", ["arbetsmarknad"])
    await login(client, "handlaggare@example.se")
    page = await client.get(PAGE)
    assert page.status == 200 and "Inga meddelanden än." in await page.text()

    response = await _publish(client, SAID, DOING)
    location = response.headers["Location"]
    assert re.fullmatch(rf"{PAGE}\?published=\d+", location), location
    page = await (await client.get(location)).text()
    assert "är publicerat" in page
    assert "Det är svårt att nå handläggaren &lt;på telefon&gt;." in page  # escaped

    # a new conversation is told it at the end; the public page shows it
    replies = await complete(client, "new-person")
    assert [r["custom"]["type"] for r in replies[-2:]] == ["end", "info"]
    assert replies[-1]["text"] == TOLD
    results = await (await client.get(f"/resultat/{IFO}")).text()
    assert "Det är svårt att nå handläggaren &lt;på telefon&gt;." in results and DOING in results

    # English beside it, with a phone number that is removed before it is stored
    response = await _publish(client, "It is hard to call us.", "Ring 070-123 45 67 i stället.",
                              lang="en")
    assert response.headers["Location"].endswith("&redacted=1")
    page = await (await client.get(response.headers["Location"])).text()
    assert "Vi tog bort det som kunde peka ut någon" in page
    assert "070-123" not in page and "[telefon]" in page
    english = await complete(client, "english-person", lang="en")
    assert english[-1]["text"].startswith("You said – we do. You said: It is hard to call us.")

    # retracted on the page: no longer told
    (swedish_id,) = re.findall(rf'action="{PAGE}/(\d+)/retract"', page)[1:]
    await post(client, f"{PAGE}/{swedish_id}/retract", {})
    replies = await complete(client, "after-retraction")
    assert replies[-1]["custom"]["type"] == "end"
    page = await (await client.get(PAGE)).text()
    assert "Återkallat" in page
    await post(client, f"{PAGE}/{swedish_id}/retract", {}, status=400)  # already retracted
    results = await (await client.get(f"/resultat/{IFO}")).text()
    assert DOING not in results

    # errors keep what was written; no CSRF token, no publishing
    response = await _publish(client, "   ", DOING, status=400)
    text = await response.text()
    assert "Skriv något i båda rutorna." in text and DOING in text
    assert "Varje text får vara högst" in await (await _publish(
        client, "x" * 1001, DOING, status=400)).text()
    await _publish(client, SAID, DOING, lang="fi", status=400)
    refused = await client.post(PAGE, data={"said": SAID, "doing": DOING},
                                allow_redirects=False)
    assert refused.status == 403
    assert (await client.get("/staff/feedback/finns-inte")).status == 404

    # admins publish too; analysts do not
    await add_user(client, "admin@example.se", "admin")
    await login(client, "admin@example.se")
    await _publish(client, "Väntetiden är lång.", "Vi anställer två handläggare.")
    log = list(csv.DictReader(io.StringIO(await (await client.get(
        "/staff/admin/audit.csv")).text())))
    done = [(e["actor"], e["action"], e["target"]) for e in log
            if e["action"].startswith("feedback_")]
    assert done == [("handlaggare@example.se", "feedback_published", IFO),
                    ("handlaggare@example.se", "feedback_published", IFO),
                    ("handlaggare@example.se", "feedback_retracted", IFO),
                    ("admin@example.se", "feedback_published", IFO)]
    await add_user(client, "analytiker@example.se", "analyst")
    await login(client, "analytiker@example.se")
    assert (await client.get(PAGE)).status == 403
