"""The widget's files, texts and pages: safe to embed (CSP, CORS from the setting), kind
pages for unknown links, and every language's labels (a language is added by texts)."""

from __future__ import annotations

from bot.engine.texts import TEXTS_DIR, languages

ORIGIN = "https://www.stad.se"


async def test_chat_page_has_a_strict_csp_and_mounts_the_widget(make_client, settings):
    client = await make_client(settings, allowed_origins=(ORIGIN,))
    response = await client.get(
        "/chat/brukarundersokning-ifo?unit=barn-och-familj&source=qr-poster&lang=en"
        "&unit2=<b>&source=x")
    assert response.status == 200
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp
    assert f"frame-ancestors 'self' {ORIGIN}" in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = await response.text()
    assert '<html lang="en" dir="ltr">' in page
    assert 'data-unit="barn-och-familj"' in page and 'data-lang="en"' in page
    assert "<b>" not in page and "<script>" not in page  # no inline script at all

    missing = await client.get("/chat/finns-inte")
    assert missing.status == 404 and "Den här chatten finns inte" in await missing.text()
    bad_unit = await client.get("/chat/brukarundersokning-ifo?unit=%22%3E%3Cscript%3E")
    assert "<script>" not in await bad_unit.text() and "data-unit" not in await bad_unit.text()


async def test_widget_files_and_cors_for_allowed_origins_only(make_client, settings):
    client = await make_client(settings, allowed_origins=(ORIGIN,))
    script = await client.get("/widget/widget.js", headers={"Origin": ORIGIN})
    assert script.status == 200 and "javascript" in script.headers["Content-Type"]
    assert script.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "innerHTML" not in await script.text()  # text goes in with textContent only
    other = await client.get("/widget/texts.json", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = await client.options("/webhooks/rest/webhook", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]


async def test_every_language_has_widget_labels_and_a_direction(client):
    texts = await (await client.get("/widget/texts.json")).json()
    codes = [language["code"] for language in texts["languages"]]
    assert codes == list(languages()) == ["sv", "en", "sv-lattlast"]
    swedish = set(texts["texts"]["sv"])
    for language in texts["languages"]:
        assert language["dir"] in ("ltr", "rtl")
        assert (TEXTS_DIR / "widget" / f"{language['code']}.yml").exists()
        assert set(texts["texts"][language["code"]]) == swedish
    assert texts["texts"]["en"]["delete"] == "Delete my answers"
    assert texts["texts"]["sv"]["stop"] == "Avsluta"
