"""Every staff route against every role: the right role and unit gets in, the wrong role or
unit gets 403, and nobody logged in is sent to the login page.

The routes come from the app's router: a new route under /staff fails this test until it is
added to EXPECTED with the roles that may use it.
"""

from __future__ import annotations

import shutil

import pytest

from bot.config import PROJECT_ROOT
from tests.staff import add_user, csrf_of, login, seed

PUBLIC = "public"
STAFF = frozenset({"staff"})
ADMIN = frozenset({"admin"})
ANALYST = frozenset({"analyst"})
EVERYONE = frozenset({"admin", "staff", "analyst"})

# (method, route) -> who may use it. "staff" means staff of the conversation's unit; staff of
# another unit get 403 on routes with a {conversation_id}.
EXPECTED = {
    ("GET", "/staff"): PUBLIC,
    ("GET", "/staff/login"): PUBLIC,
    ("POST", "/staff/login"): PUBLIC,
    ("GET", "/staff/style.css"): PUBLIC,
    ("POST", "/staff/logout"): EVERYONE,
    ("GET", "/staff/"): STAFF,
    ("GET", "/staff/crisis"): STAFF,
    ("GET", "/staff/conversations/{conversation_id}"): STAFF,
    ("POST", "/staff/conversations/{conversation_id}/tags"): STAFF,
    ("POST", "/staff/conversations/{conversation_id}/notes"): STAFF,
    ("POST", "/staff/conversations/{conversation_id}/reviewed"): STAFF,
    ("POST", "/staff/conversations/{conversation_id}/follow-up"): STAFF,
    ("GET", "/staff/export"): ANALYST,
    ("GET", "/staff/aggregates"): ANALYST,
    # the report: analysts see every unit, staff only their own units' figures
    ("GET", "/staff/reports/{consultation}"): ANALYST | STAFF,
    ("GET", "/staff/export/answers.csv"): ANALYST,
    ("GET", "/staff/admin/audit"): ADMIN,
    ("GET", "/staff/admin/audit.csv"): ADMIN,
    ("GET", "/staff/admin/users"): ADMIN,
    ("POST", "/staff/admin/users"): ADMIN,
    ("POST", "/staff/admin/users/{user_id}/active"): ADMIN,
    ("GET", "/staff/admin/consultations"): ADMIN,
    ("POST", "/staff/admin/consultations"): ADMIN,
    ("GET", "/staff/admin/consultations/{consultation_id}"): ADMIN,
    ("POST", "/staff/admin/consultations/{consultation_id}"): ADMIN,
    ("POST", "/staff/admin/consultations/{consultation_id}/schedule"): ADMIN,
    # themes of free text: staff for their own units' texts, analysts every unit's
    ("GET", "/staff/themes"): ANALYST | STAFF,
    ("GET", "/staff/themes/{consultation}"): ANALYST | STAFF,
    ("POST", "/staff/themes/{kind}/{item_id}"): ANALYST | STAFF,
    # "Ni sa – vi gör": staff and admins publish and retract
    ("GET", "/staff/feedback"): STAFF | ADMIN,
    ("GET", "/staff/feedback/{consultation}"): STAFF | ADMIN,
    ("POST", "/staff/feedback/{consultation}"): STAFF | ADMIN,
    ("POST", "/staff/feedback/{consultation}/{message_id}/retract"): STAFF | ADMIN,
    # one's own tokens of the analyst API
    ("GET", "/staff/tokens"): ANALYST | ADMIN,
    ("POST", "/staff/tokens"): ANALYST | ADMIN,
    ("POST", "/staff/tokens/{token_id}/revoke"): ANALYST | ADMIN,
}

# harmless bodies that the allowed role may send (nothing is deleted or broken by them)
BODIES = {
    "/staff/conversations/{conversation_id}/tags": {"tag": "matris"},
    "/staff/conversations/{conversation_id}/notes": {"note": "anteckning"},
    "/staff/conversations/{conversation_id}/reviewed": {"reviewed": "1"},
    "/staff/conversations/{conversation_id}/follow-up": {"status": "contacted"},
    "/staff/admin/users": {"email": "ny@example.se", "role": "analyst",
                           "password": "kort"},
    "/staff/admin/users/{user_id}/active": {"active": "1"},
    "/staff/admin/consultations": {"definition": "id: [trasig"},
    "/staff/admin/consultations/{consultation_id}": {"definition": "id: [trasig"},
    "/staff/admin/consultations/{consultation_id}/schedule": {"opens": "", "closes": ""},
    "/staff/export/answers.csv": {},
    "/staff/themes/{kind}/{item_id}": {"theme": "sprak"},  # no such text: 400
    "/staff/feedback/{consultation}": {"said": "", "doing": ""},  # empty: 400
    "/staff/feedback/{consultation}/{message_id}/retract": {},  # no such message: 400
    "/staff/tokens": {"name": "x" * 101},  # too long a name: 400
    "/staff/tokens/{token_id}/revoke": {},  # no such token: 400
}
QUERIES = {"/staff/export/answers.csv": "?consultation=brukarundersokning-ifo"}

# the people who try every route: role, and units
PEOPLE = {
    "admin": ("admin", []),
    "staff": ("staff", ["barn-och-familj"]),
    "staff of another unit": ("staff", ["arbetsmarknad"]),
    "analyst": ("analyst", []),
}


def _router_routes(app) -> set[tuple[str, str]]:
    found = set()
    for route in app.router.routes():
        path = route.resource.canonical if route.resource else ""
        if (path == "/staff" or path.startswith("/staff/")) and route.method != "HEAD":
            found.add((route.method, path))
    return found


def _allowed(expected, person: str) -> bool:
    role, _ = PEOPLE[person]
    return role in expected


def _url(route: str, ids: dict[str, str]) -> str:
    return route.format(**ids) + QUERIES.get(route, "")


async def _call(client, method: str, route: str, ids: dict[str, str], token: str | None):
    url = _url(route, ids)
    if method == "GET":
        return await client.get(url, allow_redirects=False)
    return await client.post(url, data={"csrf": token or "", **BODIES.get(route, {})},
                             allow_redirects=False)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_every_staff_route_checks_role_and_unit(make_client, settings, tmp_path):
    consultations = tmp_path / "consultations"
    shutil.copytree(PROJECT_ROOT / "consultations", consultations)
    client = await make_client(settings, consultations_dir=consultations)
    app = client.server.app

    routes = _router_routes(app)
    assert routes == set(EXPECTED), (
        "routes under /staff without an entry in EXPECTED (or entries without a route): "
        f"{sorted(routes ^ set(EXPECTED))}")

    conversation = await seed(client, "barn-och-familj", flagged=True)
    user_ids = {name: await add_user(client, f"{name.replace(' ', '-')}@example.se", role, units)
                for name, (role, units) in PEOPLE.items()}
    ids = {"conversation_id": conversation, "user_id": str(user_ids["analyst"]),
           "consultation_id": "barnenkat", "consultation": "brukarundersokning-ifo",
           "kind": "answer", "item_id": "999999", "message_id": "999999",
           "token_id": "999999"}
    ordered = sorted(EXPECTED, key=lambda key: key[1] == "/staff/logout")  # logout last

    client.session.cookie_jar.clear()
    for method, route in ordered:
        if EXPECTED[(method, route)] == PUBLIC or route == "/staff/login":
            continue
        response = await _call(client, method, route, ids, None)
        assert response.status == 302, (method, route, response.status)
        assert response.headers["Location"].startswith("/staff/login"), (method, route)

    for person in PEOPLE:
        await login(client, f"{person.replace(' ', '-')}@example.se")
        token = await csrf_of(client)
        for method, route in ordered:
            expected = EXPECTED[(method, route)]
            if expected == PUBLIC:
                if method == "GET":
                    assert (await _call(client, method, route, ids, token)).status in (200, 302)
                continue
            response = await _call(client, method, route, ids, token)
            where = (person, method, route, response.status)
            other_unit = person == "staff of another unit" and "{conversation_id}" in route
            if _allowed(expected, person) and not other_unit:
                assert response.status in (200, 302, 400), where
                if response.status == 302 and route != "/staff/logout":
                    assert not response.headers["Location"].startswith("/staff/login"), where
                if method == "GET":
                    assert response.status == 200, where
            else:
                assert response.status == 403, where
                assert "text/html" in response.headers["Content-Type"], where
