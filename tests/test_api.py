"""The analysts' read-only JSON API (/api/v1) through HTTP, with tokens made by the CLI, on
SQLite and PostgreSQL: no valid token, no answer; the figures are the CLI's and the
exports', small groups suppressed; every request is in the audit log."""

from __future__ import annotations

import csv
import io
import json
import re

from bot.api import tokens
from bot.appkeys import SESSIONS
from storage import api_tokens, users
from tests.chat import advance_to, say
from tests.staff import add_user, login, post
from tests.test_cli import brukarrost
from tests.test_feedback import IFO, complete

API = "/api/v1/consultations"
FORUM = {"consultation": "brukarforum", "unit": "barn-och-familj"}
HARD_TO_REACH = "Det är svårt att komma fram på telefon på förmiddagen."


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def new_token(client, database_url: str, email: str, role: str = "analyst") -> str:
    """An account through the test helper, its token through `brukarrost token create`."""
    await add_user(client, email, role)
    result = brukarrost("token", "create", "--email", email, "--name", "R-skript",
                        database_url=database_url)
    assert result.returncode == 0, result.stderr
    assert "shown only now" in result.stderr
    token = result.stdout.strip()
    assert token.startswith(tokens.PREFIX) and len(token) > 40
    return token


async def get(client, path: str, token: str | None, status: int = 200):
    response = await client.get(path, headers=bearer(token) if token else {})
    body = await response.json()
    assert response.status == status, (path, response.status, body)
    assert response.content_type == "application/json"
    return body


async def audit_rows(client) -> list[dict[str, str]]:
    """The audit log as its CSV, read by an admin through the staff pages."""
    await add_user(client, "admin@example.se", "admin")
    await login(client, "admin@example.se")
    response = await client.get("/staff/admin/audit.csv")
    assert response.status == 200
    return list(csv.DictReader(io.StringIO(await response.text())))


async def test_the_api_rejects_requests_without_a_valid_token(client, database_url):
    for headers in ({}, {"Authorization": "Basic YW5uYTpsb3Nlbg=="},
                    {"Authorization": "Bearer"}, {"Authorization": "Bearer brk_gissat"},
                    {"Authorization": "Bearer " + "x" * 500}):
        response = await client.get(f"{API}/{IFO}/answers", headers=headers)
        assert response.status == 401, headers
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "error" in await response.json()

    token = await new_token(client, database_url, "analytiker@example.se")
    listed = await get(client, API, token)
    assert IFO in [c["id"] for c in listed["consultations"]]
    assert listed["min_group_size"] == 5
    assert "arbetsmarknad" in [u["id"] for u in listed["units"]]
    ifo = next(c for c in listed["consultations"] if c["id"] == IFO)
    assert "kontakt" in [q["id"] for q in ifo["questions"]]
    assert [i["id"] for i in ifo["indices"]] == ["nbi"]
    lowercase = await client.get(API, headers={"Authorization": f"bearer {token}"})
    assert lowercase.status == 200

    result = brukarrost("token", "list", "--email", "analytiker@example.se",
                        database_url=database_url)
    assert result.returncode == 0, result.stderr
    (row,) = [line.split("\t") for line in result.stdout.splitlines()[1:]]
    token_id, email, name, _created, last_used, state = row
    assert (email, name, state) == ("analytiker@example.se", "R-skript", "active")
    assert last_used  # recorded
    assert token not in result.stdout and tokens.token_hash(token) not in result.stdout

    # revoked: 401 from then on
    result = brukarrost("token", "revoke", token_id, database_url=database_url)
    assert result.returncode == 0, result.stderr
    await get(client, API, token, status=401)
    again = brukarrost("token", "revoke", token_id, database_url=database_url)
    assert again.returncode == 2 and "no active API token" in again.stderr

    # tokens are for analysts and admins; a staff account's token (say the account's role
    # was changed after the token was made) gets 403
    refused = brukarrost("token", "create", "--email", "nobody@example.se",
                         database_url=database_url)
    assert refused.returncode == 2 and "no active account" in refused.stderr
    staff_id = await add_user(client, "handlaggare@example.se", "staff", ["arbetsmarknad"])
    refused = brukarrost("token", "create", "--email", "handlaggare@example.se",
                         database_url=database_url)
    assert refused.returncode == 2 and "API tokens are for analyst and admin" in refused.stderr
    staff_token = tokens.new_token()
    async with client.server.app[SESSIONS]() as session, session.begin():
        await api_tokens.create(session, staff_id, tokens.token_hash(staff_token))
    body = await get(client, f"{API}/{IFO}/indicators", staff_token, status=403)
    assert "analyst" in body["error"]

    admin_token = await new_token(client, database_url, "chef@example.se", role="admin")
    await get(client, f"{API}/{IFO}/themes?from=2026-01-01&to=2026-12-31", admin_token)

    entries = await audit_rows(client)
    api = [(e["actor"], e["action"], e["target"], e["detail"]) for e in entries
           if e["action"].startswith("api_")]
    assert api == [
        ("command line", "api_token_created", "analytiker@example.se", f"token={token_id} "
                                                                        "name=R-skript"),
        ("analytiker@example.se", "api_request", API, "GET"),
        ("analytiker@example.se", "api_request", API, "GET"),
        ("command line", "api_token_revoked", "analytiker@example.se", f"token={token_id}"),
        ("handlaggare@example.se", "api_forbidden", f"{API}/{IFO}/indicators", "GET"),
        ("command line", "api_token_created", "chef@example.se",
         f"token={int(token_id) + 2} name=R-skript"),
        ("chef@example.se", "api_request", f"{API}/{IFO}/themes",
         "GET from=2026-01-01&to=2026-12-31"),
    ]

    # a deactivated account's token stops working (the admin is logged in by audit_rows)
    leaving = await new_token(client, database_url, "slutar@example.se")
    await get(client, API, leaving)
    async with client.server.app[SESSIONS]() as session:
        user_id = (await users.by_email(session, "slutar@example.se")).id
    await post(client, f"/staff/admin/users/{user_id}/active", {"active": "0"})
    await get(client, API, leaving, status=401)


def _overall(rows, question_id):
    (row,) = [r for r in rows if r["question_id"] == question_id and r["dimension"] == "all"]
    return row


async def test_indicators_and_answers_are_the_clis_with_small_groups_suppressed(
        client, database_url, tmp_path):
    token = await new_token(client, database_url, "analytiker@example.se")
    for number in range(4):
        await complete(client, f"api-{number}")
    four = await get(client, f"{API}/{IFO}/indicators", token)
    kontakt = _overall(four["rows"], "kontakt")
    assert kontakt["suppressed"] is True and kontakt["n"] is None
    assert kontakt["share_positive"] is None and kontakt["distribution"] is None
    assert _overall(four["rows"], "nbi")["index"] is None

    await complete(client, "api-4")
    five = await get(client, f"{API}/{IFO}/indicators", token)
    kontakt = _overall(five["rows"], "kontakt")
    # five people, every statement answered 3, computed by hand
    assert (kontakt["suppressed"], kontakt["n"], kontakt["dont_know"]) == (False, 5, 0)
    assert kontakt["share_positive"] == 0.0 and kontakt["mean"] == 3.0
    assert kontakt["distribution"] == {"1": 0, "2": 0, "3": 5, "4": 0, "5": 0}
    nbi = _overall(five["rows"], "nbi")
    assert (nbi["kind"], nbi["n"], nbi["index"]) == ("index", 5, 50.0)
    # the same figures as `brukarrost indicators`, row for row
    cli = brukarrost("indicators", "--consultation", IFO, "--format", "json",
                     database_url=database_url)
    assert cli.returncode == 0, cli.stderr
    assert five["rows"] == json.loads(cli.stdout)

    only = await get(client, f"{API}/{IFO}/indicators?dimension=all&dimension=lang", token)
    assert {r["dimension"] for r in only["rows"]} == {"all", "lang"}
    assert (await get(client, f"{API}/{IFO}/indicators?unit=arbetsmarknad", token))["rows"] == []
    from datetime import datetime, timezone

    today = datetime.now(timezone.utc).date().isoformat()
    compared = await get(client, f"{API}/{IFO}/indicators?from={today}&to={today}"
                                 "&compare=true&dimension=all", token)
    kontakt = _overall(compared["rows"], "kontakt")
    assert kontakt["n"] == 5 and kontakt["previous_n"] is None
    assert kontakt["change_share_positive_pp"] is None

    # answers: the export's rows, page by page
    out = tmp_path / "svar.json"
    result = brukarrost("export", "--consultation", IFO, "--format", "json", "--out", str(out),
                        database_url=database_url)
    assert result.returncode == 0, result.stderr
    exported = json.loads(out.read_text(encoding="utf-8"))
    pages, offset = [], 0
    while offset is not None:
        page = await get(client, f"{API}/{IFO}/answers?limit=30&offset={offset}", token)
        assert len(page["rows"]) <= 30 and page["limit"] == 30
        pages.extend(page["rows"])
        offset = page["next_offset"]
    assert pages == exported and len(exported) > 30
    empty = await get(client, f"{API}/{IFO}/answers?offset={len(exported)}", token)
    assert empty["rows"] == [] and empty["next_offset"] is None

    for query in ("from=2026-13-01", "from=2026-02-01&to=2026-01-01", "unit=finns-inte",
                  "limit=0", "limit=1001", "offset=-1", "from=9999-12-31"):
        body = await get(client, f"{API}/{IFO}/answers?{query}", token, status=400)
        assert body["error"], query
    await get(client, f"{API}/{IFO}/indicators?compare=true", token, status=400)
    await get(client, f"{API}/{IFO}/indicators?compare=kanske", token, status=400)
    await get(client, f"{API}/finns-inte/themes", token, status=404)


async def test_theme_counts_are_suppressed_under_five_people(client, database_url):
    token = await new_token(client, database_url, "analytiker@example.se")
    for number in range(4):
        await advance_to(client, f"forum-{number}", "svart-i-dag", FORUM)
        await say(client, f"forum-{number}", HARD_TO_REACH)
    four = await get(client, f"{API}/brukarforum/themes", token)
    found = {t["id"]: t for t in four["themes"]}
    assert found["tillganglighet"]["people"] is None
    assert found["tillganglighet"]["suppressed"] is True
    assert found["tillganglighet"]["label"]["sv"]

    await advance_to(client, "forum-4", "svart-i-dag", FORUM)
    await say(client, "forum-4", HARD_TO_REACH)
    five = await get(client, f"{API}/brukarforum/themes", token)
    found = {t["id"]: t for t in five["themes"]}
    assert (found["tillganglighet"]["people"], found["tillganglighet"]["suppressed"]) == \
        (5, False)
    assert five["themes"][0]["id"] == "tillganglighet"  # most people first
    assert (await get(client, f"{API}/brukarforum/themes?unit=arbetsmarknad",
                      token))["themes"] == []


async def test_analysts_make_and_revoke_their_own_tokens_on_a_page(client, database_url):
    await add_user(client, "analytiker@example.se", "analyst")
    await login(client, "analytiker@example.se")
    page = await client.get("/staff/tokens")
    assert page.status == 200 and "Du har inga nycklar." in await page.text()
    made = await post(client, "/staff/tokens", {"name": "Excel <Power Query>"}, status=200)
    text = await made.text()
    (token,) = re.findall(r"<code>(brk_[A-Za-z0-9_-]+)</code>", text)
    assert "visas bara nu" in text and "Excel &lt;Power Query&gt;" in text
    assert made.headers["Cache-Control"] == "no-store"
    assert token not in await (await client.get("/staff/tokens")).text()  # shown once
    assert (await get(client, API, token))["consultations"]

    # another analyst can neither see nor revoke it; its owner can
    (token_id,) = re.findall(r'action="/staff/tokens/(\d+)/revoke"',
                             await (await client.get("/staff/tokens")).text())
    await add_user(client, "annan@example.se", "analyst")
    await login(client, "annan@example.se")
    assert token_id not in re.findall(r'action="/staff/tokens/(\d+)/revoke"',
                                      await (await client.get("/staff/tokens")).text())
    await post(client, f"/staff/tokens/{token_id}/revoke", {}, status=400)
    await get(client, API, token)
    await login(client, "analytiker@example.se")
    await post(client, f"/staff/tokens/{token_id}/revoke", {})
    await get(client, API, token, status=401)
    assert "Återkallad" in await (await client.get("/staff/tokens")).text()
    await post(client, "/staff/tokens", {"name": "x" * 101}, status=400)

    entries = await audit_rows(client)
    assert [(e["actor"], e["action"], e["detail"]) for e in entries
            if e["action"].startswith("api_token")] == [
        ("analytiker@example.se", "api_token_created",
         f"token={token_id} name=Excel <Power Query>"),
        ("analytiker@example.se", "api_token_revoked", f"token={token_id}")]
