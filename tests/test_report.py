"""The HTML report through the CLI and HTTP: charts with text alternatives and tables,
printable, every figure under the small-group rule."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from tests.browser import axe_violations
from tests.staff import PASSWORD, add_user, login
from tests.test_cli import brukarrost
from tests.test_feedback import IFO, complete, publish


def _statement_row(page: str, label: str) -> list[str]:
    row = re.search(rf'<tr><th scope="row">{re.escape(label)}</th>(.*?)</tr>', page, re.S)
    assert row, label
    return re.findall(r"<td>(.*?)</td>", row.group(1))


async def test_report_suppresses_four_and_shows_five(client, database_url, tmp_path):
    publish(database_url, "Svårt att nå oss.", "Telefontid varje dag.")
    for number in range(4):
        await complete(client, f"r-{number}")
    out = tmp_path / "rapport.html"
    result = brukarrost("report", "--consultation", IFO, "--out", str(out),
                        database_url=database_url)
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    # four people: no figure about them anywhere, in chart, caption or table
    assert "För få svar, visas inte" in page
    assert _statement_row(page, "Det är lätt att få kontakt med min handläggare.") == \
        ["–"] * 9
    assert "Personer som svarade</th><td>–" in page
    assert "Telefontid varje dag." in page and "@media print" in page
    # themes of the four people's own words: named, but no count shown
    if 'id="themes"' in page:
        section = page.split('id="themes"', 1)[1].split("</tbody>", 1)[0]
        counts = re.findall(r'<tr><th scope="row">[^<]+</th><td>(.*?)</td></tr>', section)
        assert counts and set(counts) == {"–"}, counts

    await complete(client, "r-4")
    today = datetime.now(timezone.utc).date().isoformat()
    await add_user(client, "analytiker@example.se", "analyst")
    await login(client, "analytiker@example.se")
    response = await client.get(f"/staff/reports/{IFO}?from={today}&to={today}")
    assert response.status == 200 and response.content_type == "text/html"
    page = await response.text()
    # five people, every statement answered 3: the table behind the chart, by hand
    assert _statement_row(page, "Det är lätt att få kontakt med min handläggare.") == [
        "5", "0", "0", "5", "0", "0", "0", "0 %", "3,0", "–", "–"]
    assert "Personer som svarade</th><td>5" in page
    assert "<td>5</td><td>50,0</td><td>–</td><td>–</td>" in page  # index now, none before
    # each chart: an SVG image with a title, a figcaption text alternative and a table
    assert page.count('<svg role="img"') == 3  # statements, index trend, themes
    assert 'aria-describedby="statements-caption"' in page
    assert "Det är lätt att få kontakt med min handläggare: 0 % positiva av 5 svar." in page
    assert re.search(r"Nöjd brukar-index \(NBI\) \(0–100\) per månad:\s*\d{4}-\d{2} 50,0", page)
    assert '<rect x="0.0" y="20" width="600.0" height="20" fill="#d9d9d9"' in page  # all 3s

    assert (await client.get(f"/staff/reports/{IFO}?from=2026-13-01&to={today}")).status == 400
    assert (await client.get(f"/staff/reports/{IFO}?from={today}")).status == 400
    assert (await client.get("/staff/reports/nope")).status == 404
    result = brukarrost("report", "--consultation", IFO, "--from", today, "--out",
                        str(out), database_url=database_url)
    assert result.returncode == 2 and "both --from and --to" in result.stderr


async def test_report_restricted_to_allowed_units(client, database_url):
    from bot.analytics import report
    from bot.appkeys import CATALOG, SESSIONS

    for number in range(5):
        await complete(client, f"u-{number}")  # no unit
    app = client.server.app
    _, definition = app[CATALOG].current(IFO)
    everyone = await report.collect(app[SESSIONS], definition, 5)
    nobody = await report.collect(app[SESSIONS], definition, 5, units={"barn-och-familj"})
    assert everyone.respondents == 5 and nobody.respondents is None
    assert all(not bar.segments for bar in nobody.bars)


async def test_report_passes_axe(browser, client, database_url):
    for number in range(5):
        await complete(client, f"a-{number}")
    await add_user(client, "analytiker@example.se", "analyst")
    context = await browser.new_context(bypass_csp=True)  # to inject axe past the staff CSP
    page = await context.new_page()
    await page.goto(str(client.make_url("/staff/login")))
    await page.get_by_label("E-post").fill("analytiker@example.se")
    await page.get_by_label("Lösenord").fill(PASSWORD)
    await page.get_by_role("button", name="Logga in").click()
    await page.goto(str(client.make_url(f"/staff/reports/{IFO}")))
    violations = await axe_violations(page, impacts=("critical", "serious", "moderate"))
    assert violations == [], violations
