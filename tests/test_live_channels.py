"""The widget's WebSocket channel and the rasa-webchat socket.io channel, over real sockets."""

from __future__ import annotations

import asyncio
import json

import socketio

from tests import db

IFO = {"consultation": "brukarundersokning-ifo", "unit": "ekonomiskt-bistand-norr"}


async def _ask(socket, body):
    await socket.send_str(json.dumps(body))
    return json.loads((await socket.receive(timeout=60)).data)


async def test_websocket_speaks_the_rest_json_and_resumes_without_storing(client, database_url):
    socket = await client.ws_connect("/webhooks/websocket")
    replies = await _ask(socket, {"sender": "ws-1", "resume": True, "metadata": IFO})
    assert [r["custom"]["type"] for r in replies] == ["consent"]
    assert replies[0]["recipient_id"] == "ws-1" and replies[0]["lang"] == "sv"
    replies = await _ask(socket, {"sender": "ws-1", "message": "ja"})
    assert replies[-1]["custom"]["question_id"] == "vem-svarar"
    replies = await _ask(socket, {"sender": "ws-1", "message": "sjalv"})
    assert replies[-1]["custom"]["question_id"] == "malgrupp"
    await socket.close()

    before = await db.counts(database_url)
    socket = await client.ws_connect("/webhooks/websocket")  # a reloaded page
    replies = await _ask(socket, {"sender": "ws-1", "resume": True, "metadata": IFO})
    assert replies[0]["text"].startswith("Välkommen tillbaka")
    assert replies[-1]["custom"] == {"type": "choice", "question_id": "malgrupp", "step": 2,
                                     "of": 17}
    assert await db.counts(database_url) == before  # resuming stores nothing

    assert "error" in await _ask(socket, {"sender": "ws-1", "message": "x" * 2001})
    assert "error" in await _ask(socket, {"sender": "", "message": "hej"})
    await socket.send_str("not json")
    assert "error" in json.loads((await socket.receive(timeout=60)).data)
    await socket.close()
    assert [a[0] for a in await db.answers(database_url)] == ["vem-svarar"]


async def test_websocket_refuses_pages_that_may_not_embed_the_chat(make_client, settings):
    client = await make_client(settings, allowed_origins=("https://www.stad.se",))
    response = await client.get("/webhooks/websocket", headers={
        "Origin": "https://evil.example", "Connection": "Upgrade", "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
    assert response.status == 403
    socket = await client.ws_connect("/webhooks/websocket",
                                     headers={"Origin": "https://www.stad.se"})
    replies = await _ask(socket, {"sender": "embedded", "resume": True, "metadata": IFO})
    assert replies[0]["custom"]["type"] == "consent"
    await socket.close()


async def test_socketio_channel_as_rasa_webchat_uses_it(client, database_url):
    """rasa-webchat: session_request, session_confirm, then user_uttered with customData;
    its initPayload first; bot_uttered with Rasa's quick_replies."""
    url = str(client.make_url("")).rstrip("/")
    received: asyncio.Queue = asyncio.Queue()
    sio = socketio.AsyncClient()
    sio.on("session_confirm", lambda session_id: received.put_nowait(("confirm", session_id)))
    sio.on("bot_uttered", lambda message: received.put_nowait(("bot", message)))

    async def utter(message: str, session_id: str, count: int) -> list[dict]:
        await sio.emit("user_uttered", {"message": message, "session_id": session_id,
                                        "customData": {**IFO, "lang": "sv"}})
        return [(await asyncio.wait_for(received.get(), 60))[1] for _ in range(count)]

    await sio.connect(url, socketio_path="socket.io", transports=["polling"])
    await sio.emit("session_request", {"session_id": None})
    kind, session_id = await asyncio.wait_for(received.get(), 60)
    assert kind == "confirm" and len(session_id) == 32

    [consent] = await utter("/get_started", session_id, 1)
    assert consent["custom"]["type"] == "consent"
    assert consent["quick_replies"] == [
        {"content_type": "text", "title": "Ja", "payload": "ja"},
        {"content_type": "text", "title": "Nej", "payload": "nej"},
    ]
    [question] = await utter("ja", session_id, 1)
    assert question["text"].startswith("Fråga 1 av 18.")
    assert question["custom"]["question_id"] == "vem-svarar"
    [question] = await utter(question["quick_replies"][0]["payload"], session_id, 1)
    assert question["custom"]["question_id"] == "malgrupp"
    await sio.disconnect()

    # a reload: a new socket, the same session id kept by the webchat
    sio = socketio.AsyncClient()
    sio.on("session_confirm", lambda session_id: received.put_nowait(("confirm", session_id)))
    sio.on("bot_uttered", lambda message: received.put_nowait(("bot", message)))
    await sio.connect(url, socketio_path="socket.io", transports=["polling"])
    await sio.emit("session_request", {"session_id": session_id})
    assert await asyncio.wait_for(received.get(), 60) == ("confirm", session_id)
    welcome, question = await utter("/get_started", session_id, 2)
    assert question["custom"]["question_id"] == "malgrupp"
    [bad] = await utter("x" * 2001, session_id, 1)
    assert bad["error"] is True and "too long" in bad["text"]
    await sio.disconnect()
    assert [a[:2] for a in await db.answers(database_url)] == [("vem-svarar", "sjalv")]


async def test_socketio_over_the_websocket_transport(client):
    """Browsers' socket.io clients (rasa-webchat) upgrade to a WebSocket: the Engine.IO v4
    frames spoken by hand, since this aiohttp is older than the Python client's WebSocket."""
    socket = await client.ws_connect("/socket.io/?EIO=4&transport=websocket")
    opened = (await socket.receive(timeout=60)).data
    assert opened.startswith("0{") and '"sid"' in opened
    await socket.send_str("40")
    assert (await socket.receive(timeout=60)).data.startswith("40{")
    await socket.send_str('42["session_request",{"session_id":"webchat-1"}]')
    assert (await socket.receive(timeout=60)).data == '42["session_confirm","webchat-1"]'
    await socket.send_str('42["user_uttered",{"message":"/get_started","session_id":"webchat-1",'
                          '"customData":{"consultation":"barnenkat"}}]')
    frame = (await socket.receive(timeout=60)).data
    assert frame.startswith('42["bot_uttered",') and '"type":"consent"' in frame.replace(" ", "")
    await socket.close()


async def test_a_reloaded_page_shows_a_pending_confirmation_again(client, database_url):
    socket = await client.ws_connect("/webhooks/websocket")
    await _ask(socket, {"sender": "ws-c", "resume": True, "metadata": IFO})
    for answer in ("ja", "sjalv", "ekonomiskt-bistand", "kvinna", "under-6-man"):
        replies = await _ask(socket, {"sender": "ws-c", "message": answer})
    assert replies[-1]["custom"]["question_id"] == "kontakt"
    replies = await _ask(socket, {"sender": "ws-c", "message": "ganska bra faktiskt"})
    assert replies[-1]["custom"]["type"] == "confirm"
    asked = replies[-1]["text"]
    await socket.close()

    socket = await client.ws_connect("/webhooks/websocket")  # a reloaded page
    replies = await _ask(socket, {"sender": "ws-c", "resume": True, "metadata": IFO})
    assert replies[-1]["custom"]["type"] == "confirm" and replies[-1]["text"] == asked
    replies = await _ask(socket, {"sender": "ws-c", "message": "ja"})
    assert replies[-1]["custom"]["question_id"] == "snabb-hjalp"
    await socket.close()
    assert ("kontakt", "4") in [a[:2] for a in await db.answers(database_url)]
