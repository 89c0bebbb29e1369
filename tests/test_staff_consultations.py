"""Admins edit, upload, open and close consultations; every answer keeps its version."""

from __future__ import annotations

import asyncio
import re
import shutil
from datetime import date, timedelta

import pytest
from aiohttp import FormData
from sqlalchemy import select

from bot.appkeys import SESSIONS
from bot.config import PROJECT_ROOT
from storage.models import Answer, AuditEntry, ConsultationVersion, Conversation
from tests.chat import say
from tests.staff import add_user, csrf_of, login, post

BARN = {"consultation": "barnenkat", "unit": "barn-och-familj"}


@pytest.fixture
async def admin(make_client, settings, tmp_path):
    folder = tmp_path / "consultations"
    shutil.copytree(PROJECT_ROOT / "consultations", folder)
    client = await make_client(settings, consultations_dir=folder)
    await add_user(client, "chef@example.se", "admin")
    await login(client, "chef@example.se")
    client.folder = folder
    return client


async def _versions(client, consultation_id: str) -> list[int]:
    async with client.server.app[SESSIONS]() as session:
        rows = await session.execute(select(ConsultationVersion.id).where(
            ConsultationVersion.consultation_id == consultation_id)
            .order_by(ConsultationVersion.id))
        return list(rows.scalars())


async def test_errors_are_shown_on_the_page_and_nothing_is_saved(admin):
    page = await admin.get("/staff/admin/consultations/barnenkat")
    original = (admin.folder / "barnenkat.yml").read_text(encoding="utf-8")
    assert "id: barnenkat" in await page.text()

    broken = await post(admin, "/staff/admin/consultations/barnenkat",
                        {"definition": original + "\n  - : [\n"}, status=400)
    assert "not valid YAML" in await broken.text()
    wrong = original.replace("type: scale", "type: smileys", 1)
    invalid = await post(admin, "/staff/admin/consultations/barnenkat",
                         {"definition": wrong}, status=400)
    html = await invalid.text()
    assert re.search(r"definition: questions\[\d+\]\.type", html)
    assert "Definitionen sparades inte" in html
    renamed = await post(admin, "/staff/admin/consultations/barnenkat",
                         {"definition": original.replace("id: barnenkat", "id: annat")},
                         status=400)
    assert "must stay" in await renamed.text()
    assert (admin.folder / "barnenkat.yml").read_text(encoding="utf-8") == original
    assert len(await _versions(admin, "barnenkat")) == 1


async def test_an_edit_is_a_new_version_and_old_answers_keep_theirs(admin):
    await say(admin, "barn-1", "hej", BARN)
    await say(admin, "barn-1", "ja")
    await say(admin, "barn-1", "1")
    original = (admin.folder / "barnenkat.yml").read_text(encoding="utf-8")
    edited = original.replace("sv: Vad tyckte du om att prata med oss?",
                              "sv: Hur var det att prata med oss?", 1)
    await post(admin, "/staff/admin/consultations/barnenkat", {"definition": edited})
    first, second = await _versions(admin, "barnenkat")
    assert (admin.folder / "barnenkat.yml").read_text(encoding="utf-8") == edited

    await say(admin, "barn-2", "hej", BARN)
    await say(admin, "barn-2", "ja")
    await say(admin, "barn-2", "2")
    await say(admin, "barn-1", "2")  # the first child goes on under the first version
    async with admin.server.app[SESSIONS]() as session:
        rows = (await session.execute(
            select(Conversation.sender_hash, Conversation.version_id, Answer.version_id)
            .join(Answer, Answer.conversation_id == Conversation.id)
            .order_by(Conversation.started_at, Answer.id))).all()
        actions = (await session.execute(select(AuditEntry.action, AuditEntry.detail))).all()
    by_conversation: dict[str, set] = {}
    for sender, conversation_version, answer_version in rows:
        by_conversation.setdefault(sender, set()).update({conversation_version, answer_version})
    assert sorted(by_conversation.values(), key=min) == [{first}, {second}]
    assert ("consultation_saved", "version 2") in actions
    listing = await (await admin.get("/staff/admin/consultations")).text()
    assert "Hur var det att prata med oss?" in listing


async def test_upload_a_new_consultation_as_a_file(admin):
    text = (admin.folder / "barnenkat.yml").read_text(encoding="utf-8")
    text = text.replace("id: barnenkat", "id: barnenkat-var", 1)
    form = FormData()
    form.add_field("csrf", await csrf_of(admin))
    form.add_field("definition", "")
    form.add_field("file", text.encode("utf-8"), filename="ny.yml",
                   content_type="application/x-yaml")
    response = await admin.post("/staff/admin/consultations", data=form,
                                allow_redirects=False)
    assert response.status == 302
    assert (admin.folder / "barnenkat-var.yml").exists()
    replies = await say(admin, "var-1", "hej", {**BARN, "consultation": "barnenkat-var"})
    assert replies[-1]["custom"]["type"] == "consent"


async def test_open_and_close_by_date(admin):
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    await post(admin, "/staff/admin/consultations/barnenkat/schedule",
               {"opens": "", "closes": yesterday})
    closed = await say(admin, "sen", "hej", BARN)  # a kind message, nothing stored
    assert [r["custom"]["type"] for r in closed] == ["end"]
    assert "går det inte att svara" in closed[0]["text"]
    async with admin.server.app[SESSIONS]() as session:
        assert (await session.execute(select(Conversation.id))).first() is None
    listing = await (await admin.get("/staff/admin/consultations")).text()
    assert yesterday in listing

    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    await post(admin, "/staff/admin/consultations/barnenkat/schedule",
               {"opens": tomorrow, "closes": ""})
    early = await say(admin, "tidig", "hej", {**BARN, "lang": "en"})
    assert early[-1]["custom"]["type"] == "end" and "closed right now" in early[-1]["text"]
    await post(admin, "/staff/admin/consultations/barnenkat/schedule",
               {"opens": yesterday, "closes": tomorrow})
    await say(admin, "lagom", "hej", BARN)
    await post(admin, "/staff/admin/consultations/barnenkat/schedule",
               {"opens": tomorrow, "closes": yesterday}, status=400)


async def test_admin_creates_and_deactivates_an_account(admin):
    await post(admin, "/staff/admin/users", {"email": "ny@example.se", "role": "staff",
                                             "unit": "barn-och-familj",
                                             "password": "ett-nytt-losenord-1"})
    html = await (await admin.get("/staff/admin/users")).text()
    assert "ny@example.se" in html and "barn-och-familj" in html
    again = await post(admin, "/staff/admin/users", {
        "email": "ny@example.se", "role": "staff", "unit": "barn-och-familj",
        "password": "ett-nytt-losenord-1"}, status=400)
    assert "finns redan" in await again.text()
    user_id = re.search(r'/staff/admin/users/(\d+)/active"[^<]*<input[^>]*>\s*'
                        r'<input type="hidden" name="active" value="0">\s*'
                        r'<button type="submit">Stäng av <span class="visually-hidden">'
                        r'ny@example.se', html)
    assert user_id
    await post(admin, f"/staff/admin/users/{user_id.group(1)}/active", {"active": "0"})
    await login(admin, "ny@example.se", "ett-nytt-losenord-1", status=401)


async def test_an_edit_and_new_dates_on_one_process_reach_the_others(admin, make_client,
                                                                      settings):
    """Two server processes on one database (two apps here): the admin works on the first;
    the second takes up the new version and the dates within its refresh interval."""
    other = await make_client(settings, consultations_dir=admin.folder, catalog_refresh=0.2)
    original = (admin.folder / "barnenkat.yml").read_text(encoding="utf-8")
    edited = original.replace("sv: Vad tyckte du om att prata med oss?",
                              "sv: Hur kändes det att prata med oss?", 1)
    await post(admin, "/staff/admin/consultations/barnenkat", {"definition": edited})
    first, second = await _versions(admin, "barnenkat")
    await asyncio.sleep(0.6)
    await say(other, "annan-1", "hej", BARN)
    await say(other, "annan-1", "ja")
    async with other.server.app[SESSIONS]() as session:
        started_on = (await session.execute(select(Conversation.version_id).where(
            Conversation.consultation_id == "barnenkat"))).scalar_one()
    assert started_on == second

    yesterday = (date.today() - timedelta(days=1)).isoformat()
    await post(admin, "/staff/admin/consultations/barnenkat/schedule",
               {"opens": "", "closes": yesterday})
    await asyncio.sleep(0.6)
    closed = await say(other, "annan-2", "hej", BARN)
    assert closed[-1]["custom"]["type"] == "end" and not closed[-1]["custom"].get("question_id")
