"""The staff pages in a real browser: log in, filter, open a transcript whose answer holds a
script (shown as text, never run), tag it, mark it reviewed, and find it all in the audit log.
axe-core scans the inbox and the transcript (WCAG 2.1 A/AA)."""

from __future__ import annotations

import pytest

from tests.browser import axe_violations
from tests.chat import advance_to, say
from tests.staff import PASSWORD, add_user, seed

SCRIPT = "<script>alert(1)</script>"


async def _log_in(page, client, email: str) -> None:
    await page.goto(str(client.make_url("/staff/login")))
    await page.get_by_label("E-post").fill(email)
    await page.get_by_label("Lösenord").fill(PASSWORD)
    await page.get_by_role("button", name="Logga in").click()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_review_a_conversation_in_a_browser(browser, client):
    await advance_to(client, "skript", "fungerar-bra",
                     {"consultation": "brukarundersokning-ifo", "unit": "barn-och-familj"})
    await say(client, "skript", f"{SCRIPT} Det var bra")
    await seed(client, "barn-och-familj", texts=("ett annat samtal",))
    await add_user(client, "handlaggare@example.se", "staff", ["barn-och-familj"])
    await add_user(client, "chef@example.se", "admin")

    # bypass_csp lets axe be injected; it also means escaping alone keeps the script inert
    context = await browser.new_context(bypass_csp=True, locale="sv-SE")
    page = await context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message),
                                      dialog.dismiss()))

    await _log_in(page, client, "handlaggare@example.se")
    await page.wait_for_url("**/staff/")
    assert await page.locator("tbody tr").count() == 2
    await page.get_by_label("Sök i texten").fill("alert")
    await page.get_by_role("button", name="Filtrera").click()
    await page.wait_for_url("**text=alert**")
    assert await page.locator("tbody tr").count() == 1
    assert await axe_violations(page) == []

    await page.locator("tbody tr a").first.click()
    await page.wait_for_url("**/staff/conversations/*")
    conversation = page.url.rsplit("/", 1)[1]
    answers = await page.locator("#answers").inner_text()
    assert SCRIPT in answers
    assert await page.evaluate("document.querySelectorAll('main script').length") == 0
    assert await axe_violations(page) == []

    await page.get_by_label("Ny tagg").fill("uppföljning")
    await page.get_by_role("button", name="Lägg till tagg").click()
    await page.get_by_role("button", name="Markera som granskat").click()
    await page.wait_for_selector("text=Ja, av handlaggare@example.se")
    assert "uppföljning" in await page.locator(".tags").inner_text()
    assert dialogs == []

    await page.get_by_role("button", name="Logga ut").click()
    await _log_in(page, client, "chef@example.se")
    await page.wait_for_url("**/staff/admin/audit")
    rows = await page.locator("#audit tbody tr").all_inner_texts()
    done = {(cells.split("\t")[2], cells.split("\t")[3]) for cells in rows}
    for action in ("transcript_view", "tag_added", "reviewed"):
        assert (action, conversation) in done, (action, rows)
    assert await axe_violations(page) == []
    assert dialogs == []
    await context.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_themes_feedback_and_token_pages_pass_axe(browser, client):
    await advance_to(client, "tema", "svart-i-dag",
                     {"consultation": "brukarforum", "unit": "barn-och-familj"})
    await say(client, "tema", "Det är svårt att komma fram på telefon.")
    await add_user(client, "handlaggare@example.se", "staff", ["barn-och-familj"])
    await add_user(client, "analytiker@example.se", "analyst")
    context = await browser.new_context(bypass_csp=True, locale="sv-SE")
    page = await context.new_page()

    await _log_in(page, client, "handlaggare@example.se")
    await page.wait_for_url("**/staff/")
    await page.goto(str(client.make_url("/staff/themes/brukarforum")))
    await page.get_by_label("Språk och tolk").first.check()
    await page.get_by_role("button", name="Spara teman").first.click()
    await page.wait_for_selector("text=satt av personal")
    assert await axe_violations(page) == []
    await page.goto(str(client.make_url("/staff/feedback/brukarforum")))
    await page.get_by_label("Ni sa (kort resultat)").fill("Svårt att nå oss.")
    await page.get_by_label("Vi gör (vad ni gör åt det)").fill("Vi svarar i chatten.")
    await page.get_by_role("button", name="Publicera").click()
    await page.wait_for_selector("#published")
    assert await axe_violations(page) == []

    await page.get_by_role("button", name="Logga ut").click()
    await _log_in(page, client, "analytiker@example.se")
    await page.wait_for_url("**/staff/export")
    await page.goto(str(client.make_url("/staff/tokens")))
    await page.get_by_role("button", name="Skapa nyckel").click()
    await page.wait_for_selector("#new-token")
    assert await axe_violations(page) == []
    await context.close()
