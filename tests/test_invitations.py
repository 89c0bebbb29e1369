"""Invitations: `brukarrost invite` makes one-time links and QR codes; a link starts the
right consultation in the right unit once; used, expired and unknown links get kind words."""

from __future__ import annotations

import asyncio
import csv
import json
from datetime import timedelta

from sqlalchemy import update

from bot.cli import main
from storage.db import create_engine
from storage.models import Invitation, utcnow
from tests import db
from tests.chat import say
from tests.test_cli import brukarrost

IFO = "brukarundersokning-ifo"


async def _invite(monkeypatch, database_url, tmp_path, count=3, unit="arbetsmarknad"):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("BRUKARROST_SECRET_KEY", "test-secret-key")  # the test server's key
    out = tmp_path / "inbjudningar"
    code = await asyncio.to_thread(main, [
        "invite", "--consultation", IFO, "--unit", unit, "--count", str(count), "--out",
        str(out), "--expires-days", "14", "--base-url", "https://chatt.stad.se/"])
    assert code == 0
    with open(out / "links.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return out, [row["link"].split("invite=", 1)[1] for row in rows], rows


async def _expire_all(database_url):
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(update(Invitation).values(expires_at=utcnow() - timedelta(hours=1)))
    finally:
        await engine.dispose()


async def test_invite_makes_links_qr_codes_and_a_sheet_and_counts_as_offered(
        client, database_url, tmp_path, monkeypatch):
    out, tokens, rows = await _invite(monkeypatch, database_url, tmp_path)
    assert len(set(tokens)) == 3
    assert rows[0]["link"] == f"https://chatt.stad.se/chat/{IFO}?invite={tokens[0]}"
    for row in rows:
        assert (out / row["qr_png"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert "<svg" in (out / row["qr_svg"]).read_text(encoding="utf-8")
    sheet = (out / "invitations.html").read_text(encoding="utf-8")
    assert sheet.count('class="card"') == 3 and tokens[2] in sheet
    # only keyed hashes are stored, never a token
    stored = await db.all_text(database_url)
    invitations = await _table_text(database_url)
    assert not any(token in stored + invitations for token in tokens)

    # the link's invitation says which consultation and unit; the metadata names neither
    replies = await say(client, "invited-1", "hej", {"invite": tokens[0], "source": "qr-lapp"})
    assert replies[0]["custom"]["type"] == "consent"
    await say(client, "invited-1", "ja")
    for answer in ("sjalv", "arbete", "man", "1-3-ar"):
        await say(client, "invited-1", answer)
    rows_out = await _export(database_url)
    assert {(r["unit_id"], r["source"]) for r in rows_out} == {("arbetsmarknad", "qr-lapp")}
    # the same person coming back (a reload) goes on; the invitation is not asked again
    replies = await say(client, "invited-1", "4", {"invite": tokens[0]})
    assert replies[-1]["custom"]["question_id"] == "snabb-hjalp"

    # used once: someone else with the same link gets a kind message, nothing is stored
    before = await db.counts(database_url)
    replies = await say(client, "invited-2", "hej", {"invite": tokens[0]})
    assert [r["custom"]["type"] for r in replies] == ["end"]
    assert "redan använd" in replies[0]["text"]
    assert await db.counts(database_url) == before

    # three invitations in arbetsmarknad: offered 3 in the response rate
    result = brukarrost("response-rate", "--consultation", IFO, "--format", "json",
                        database_url=database_url)
    assert result.returncode == 0, result.stderr
    rate = {r["unit_id"]: r for r in json.loads(result.stdout)}
    assert rate["arbetsmarknad"]["offered"] == 3 and rate["all"]["offered"] == 3


async def test_expired_and_unknown_invitations(client, database_url, tmp_path, monkeypatch):
    _out, tokens, _rows = await _invite(monkeypatch, database_url, tmp_path, count=1)
    page = await client.get(f"/chat/{IFO}?invite={tokens[0]}")
    assert page.status == 200 and "data-invite" in await page.text()
    await _expire_all(database_url)
    replies = await say(client, "late", "hej", {"invite": tokens[0], "lang": "en"})
    assert [r["custom"]["type"] for r in replies] == ["end"]
    assert "no longer valid" in replies[0]["text"]

    replies = await say(client, "guess", "hej", {"invite": "not-a-real-token"}, status=404)
    assert "not known" in replies["error"]
    page = await client.get(f"/chat/{IFO}?invite=not-a-real-token")
    assert page.status == 404
    text = await page.text()
    assert "Vi känner inte igen den här länken" in text and "<script" not in text
    assert (await db.counts(database_url))["conversations"] == 0


async def test_invite_refuses_bad_input(database_url, tmp_path):
    for args, message in (
        (["--unit", "nope", "--count", "2"], "no unit called 'nope'"),
        (["--unit", "arbetsmarknad", "--count", "0"], "--count must be 1"),
        (["--unit", "arbetsmarknad", "--count", "2", "--expires-days", "0"], "--expires-days"),
    ):
        result = brukarrost("invite", "--consultation", IFO, "--out", str(tmp_path / "x"), *args,
                            database_url=database_url)
        assert result.returncode == 2 and message in result.stderr


async def _table_text(database_url):
    from sqlalchemy import text

    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            return "\n".join(str(v) for row in await conn.execute(text("SELECT * FROM invitations"))
                             for v in row)
    finally:
        await engine.dispose()


async def _export(database_url):
    from tests.test_survey import exported

    return await exported(database_url)
