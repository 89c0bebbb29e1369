"""Property-based: random message sequences through the REST channel never crash the bot,
never get a 5xx, and leave the stored state consistent. Bounded in examples and time."""

from __future__ import annotations

import asyncio
import os

from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings as hypothesis_settings
from hypothesis import strategies as st

from bot.app import create_app
from bot.config import PROJECT_ROOT, Settings
from bot.engine.definitions import load_directory
from tests import db
from tests.test_survey import exported

DEFINITIONS = load_directory(PROJECT_ROOT / "consultations")
KNOWN_IDS = {q.id for d in DEFINITIONS.values() for q in d.questions}
WORDS = [
    "hej", "ja", "nej", "1", "2", "3", "4", "5", "dk", "sjalv", "foralder", "arbete", "kvinna",
    "1-3-ar", "fortsatt", "avsluta", "radera", "hoppa-over", "hoppa över", "tillbaka",
    "vet inte", "vad betyder det", "kan jag prata med en människa", "är det anonymt",
    "på engelska", "lättläst", "på svenska", "typ hälften", "👍", "nej verkligen inte",
    "jag vill inte leva längre", "min handläggare byts hela tiden", "radera mina svar",
    "jag heter Kim och mitt nummer är 070-123 45 67", "", "   ", "ok", "asdf",
]
MESSAGES = st.one_of(st.sampled_from(WORDS), st.text(max_size=40))
METADATA = st.fixed_dictionaries({}, optional={
    "consultation": st.sampled_from(sorted(DEFINITIONS)),
    "lang": st.sampled_from(["sv", "en", "sv-lattlast"]),
    "unit": st.sampled_from(["barn-och-familj", "arbetsmarknad"]),
})


async def _conversation(app_settings: Settings, interpreter, metadata, messages) -> None:
    client = TestClient(TestServer(create_app(app_settings, interpreter)))
    await client.start_server()
    try:
        for index, message in enumerate(messages):
            body = {"sender": "fuzz", "message": message}
            if index == 0:
                body["metadata"] = metadata
            response = await client.post("/webhooks/rest/webhook", json=body)
            assert response.status < 500, await response.text()
            replies = await response.json()
            assert response.status != 200 or (isinstance(replies, list) and replies)
    finally:
        await client.close()
    for question_id, value, _text in await db.answers(app_settings.database_url):
        base = question_id.removesuffix("-followup")
        assert base in KNOWN_IDS, question_id
        assert value is None or value != ""
    stored = await db.all_text(app_settings.database_url)
    assert "070-123 45 67" not in stored and "Kim" not in stored
    consultation = metadata.get("consultation", "brukarundersokning-ifo")
    rows = await exported(app_settings.database_url, consultation)
    assert len({r["session_id"] for r in rows}) <= 1


@hypothesis_settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "30")), deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture,
                                            HealthCheck.too_slow])
@given(metadata=METADATA, messages=st.lists(MESSAGES, min_size=1, max_size=25))
def test_random_conversations_never_crash(interpreter, tmp_path_factory, metadata, messages):
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.sqlite3"
    app_settings = Settings(database_url=f"sqlite+aiosqlite:///{path}", secret_key="fuzz")
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(_conversation(app_settings, interpreter, metadata, messages))
    finally:
        loop.close()
