"""The browser test setup itself: chromium starts, reaches the app, and axe-core runs."""

from tests.browser import axe_violations


async def test_browser_reaches_the_app_and_axe_runs(browser, client):
    page = await browser.new_page()
    response = await page.goto(str(client.make_url("/health")))
    assert response.status == 200
    assert "ok" in (await page.content()).lower()
    await page.set_content('<html lang="sv"><title>t</title><main><img src="x.png"></main></html>')
    violations = await axe_violations(page, impacts=("critical", "serious", "moderate", "minor"))
    assert [v["id"] for v in violations] == ["image-alt"]
