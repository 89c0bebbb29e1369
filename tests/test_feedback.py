""""Ni sa – vi gör": staff publish through the CLI; the bot tells it at the end of a new
conversation and to people who come back; the public results page shows it with the
headline figures, small groups suppressed."""

from __future__ import annotations

from tests.browser import axe_violations
from tests.chat import advance_to, say
from tests.test_cli import brukarrost

IFO = "brukarundersokning-ifo"
SAID = "Det är svårt att nå handläggaren <på telefon>."
DOING = "Vi inför telefontid varje vardag klockan 9-10."


def publish(database_url: str, said: str, doing: str, lang: str = "sv") -> str:
    result = brukarrost("feedback", "publish", "--consultation", IFO, "--said", said,
                        "--doing", doing, "--lang", lang, database_url=database_url)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()[2]  # "Published message N ..."


async def complete(client, sender: str, lang: str = "sv") -> list[dict]:
    await advance_to(client, sender, "gora-battre", {"consultation": IFO, "lang": lang})
    return await say(client, sender, "Det fungerar bra för mig nu.")


async def test_a_published_message_is_told_at_the_end_and_to_returning_people(
        client, database_url):
    replies = await complete(client, "before-publishing")
    assert replies[-1]["custom"]["type"] == "end"  # nothing published yet: nothing told
    first = publish(database_url, SAID, DOING)
    publish(database_url, "It is hard to reach the case worker.", "We open a phone hour.",
            lang="en")
    replies = await complete(client, "new-person")
    told = f"Ni sa – vi gör. Ni sa: {SAID} Det här gör vi: {DOING}"
    assert [r["custom"]["type"] for r in replies[-2:]] == ["end", "info"]
    assert replies[-1]["text"] == told
    again = await say(client, "before-publishing", "hej")  # came back after answering
    assert again[-1]["text"] == told
    english = await complete(client, "english-person", lang="en")
    assert english[-1]["text"] == ("You said – we do. You said: It is hard to reach the case "
                                   "worker. This is what we do: We open a phone hour.")
    # a newer message replaces it; a retracted one is no longer told
    second = publish(database_url, "Väntetiden är lång.", "Vi anställer två handläggare.")
    assert (await say(client, "new-person", "hej"))[-1]["text"].endswith(
        "Det här gör vi: Vi anställer två handläggare.")
    result = brukarrost("feedback", "retract", "--consultation", IFO, "--id", second,
                        database_url=database_url)
    assert result.returncode == 0, result.stderr
    assert (await say(client, "new-person", "hej"))[-1]["text"] == told
    listed = brukarrost("feedback", "list", "--consultation", IFO, "--all",
                        database_url=database_url).stdout.splitlines()
    assert [line.split("\t")[0] for line in listed] == [second, str(int(second) - 1), first]
    assert listed[0].split("\t")[3] == "retracted"
    # a stopped conversation (not completed) is not told
    await advance_to(client, "stopper", "kontakt", {"consultation": IFO})
    await say(client, "stopper", "avsluta")
    stopped = await say(client, "stopper", "ja")
    assert [r["custom"]["type"] for r in stopped] == ["end"]


async def test_publish_errors_and_redaction(client, database_url):
    result = brukarrost("feedback", "publish", "--consultation", "nope", "--said", "a",
                        "--doing", "b", database_url=database_url)
    assert result.returncode == 2 and "no consultation called 'nope'" in result.stderr
    result = brukarrost("feedback", "publish", "--consultation", IFO, "--said", "  ",
                        "--doing", "b", database_url=database_url)
    assert result.returncode == 2 and "--said must not be empty" in result.stderr
    publish(database_url, "Ring Anna på 070-123 45 67.", "Vi svarar.")
    listed = brukarrost("feedback", "list", "--consultation", IFO, database_url=database_url)
    assert "070-123" not in listed.stdout and "[telefon]" in listed.stdout
    result = brukarrost("feedback", "retract", "--consultation", IFO, "--id", "999",
                        database_url=database_url)
    assert result.returncode == 2 and "no published message 999" in result.stderr


async def test_public_results_page_in_swedish_and_english(client, database_url):
    publish(database_url, SAID, DOING)
    publish(database_url, "Waiting times are long.", "We hire two case workers.", lang="en")
    for number in range(4):  # four people: every figure suppressed
        await complete(client, f"p-{number}")
    response = await client.get("/resultat/brukarundersokning-ifo")
    assert response.status == 200 and response.content_type == "text/html"
    page = await response.text()
    assert '<html lang="sv">' in page
    assert "Det är svårt att nå handläggaren &lt;på telefon&gt;." in page  # escaped
    assert DOING in page and "färre än 5" in page and "%" not in page.split("<main")[1]
    await complete(client, "p-4")  # the fifth: figures are shown
    page = await (await client.get("/resultat/brukarundersokning-ifo")).text()
    assert "Så många har svarat: 5." in page
    # every default answer was 3: nobody positive, index (3 - 1) / 4 * 100 = 50
    assert "0 %" in page and "50,0" in page
    english = await (await client.get("/resultat/brukarundersokning-ifo?lang=en")).text()
    assert '<html lang="en">' in english and "We hire two case workers." in english
    assert "Number of people who answered: 5." in english
    assert (await client.get("/resultat/nope")).status == 404


async def test_results_page_passes_axe(browser, client, database_url):
    publish(database_url, SAID, DOING)
    page = await browser.new_page()
    for lang in ("sv", "en"):
        await page.goto(str(client.make_url(f"/resultat/brukarundersokning-ifo?lang={lang}")))
        violations = await axe_violations(page, impacts=("critical", "serious", "moderate"))
        assert violations == [], violations
