"""Nothing acknowledged is lost: load, SIGKILL the server mid-load, restart, check.

    .venv/bin/python benchmarks/durability.py [--database postgresql|sqlite|URL]
                                              [--respondents 60] [--kill-after 4] [--workers N]
                                              [--kill-at-answers N]

Respondents complete the IFO survey by buttons (and typed sentences for the free-text
questions). As soon as --kill-at-answers answers are acknowledged (by default a third of
what all respondents will answer, so that the kill lands mid-survey however fast the
machine is), or after --kill-after seconds if that comes first, every server process gets
SIGKILL, as in a power cut; requests in flight fail. The server is started again on the
same database. Each respondent whose message failed sends an empty message (the bot then
shows where the person is) and goes on to the end. Then the database is compared with what
the respondents saw:

- lost: an answer that got a 200 reply but is not stored (with the value sent);
- duplicated: a question stored twice for one conversation, or a stored answer that no
  message sent for that question (an answer applied to the wrong question);
- wrong_question: an interrupted conversation that did not continue at the question after
  its last stored answer.

Exits with 1 when anything was lost, duplicated or continued at the wrong question, when a
respondent failed, or when the kill interrupted nobody (such a run has tested nothing).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.load import WEBHOOK, asking  # noqa: E402
from benchmarks.server import ROOT, SECRET_KEY, Server, database  # noqa: E402
from bot.engine import prompts  # noqa: E402
from bot.engine.definitions import load_directory  # noqa: E402
from storage.db import create_engine  # noqa: E402
from storage.models import Answer, Conversation  # noqa: E402

IFO = load_directory(ROOT / "consultations")["brukarundersokning-ifo"]
SENTENCE = "Personalen är vänlig men det tar lång tid att få svar."


@dataclass
class Respondent:
    sender: str
    sent: dict[str, set[str | None]] = field(default_factory=dict)  # question -> values sent
    acked: dict[str, str | None] = field(default_factory=dict)  # question -> value, got 200
    interrupted: str | None = None  # the question whose answer got no reply
    resumed_at: str | None = None  # the question asked after the restart
    completed: bool = False


def sender_hash(sender: str) -> str:
    """As the engine finds a conversation: HMAC(secret, channel NUL sender)."""
    message = f"rest\x00{sender}".encode()
    return hmac.new(SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def answer(reply: dict) -> tuple[str, str | None]:
    """(message to send, value it stores) for a button respondent; text is typed."""
    kind = reply["custom"]["type"]
    if kind in ("consent", "confirm"):
        return "ja", None
    if kind == "text":
        return SENTENCE, None
    if kind == "scale":
        return "4", "4"
    if kind == "yesno":
        return "nej", "nej"
    payload = reply["buttons"][0]["payload"]
    return payload, payload


async def post(session, base: str, sender: str, message: str) -> list[dict]:
    async with session.post(base + WEBHOOK, json={"sender": sender, "message": message}) as r:
        if r.status != 200:
            raise aiohttp.ClientResponseError(r.request_info, (), status=r.status)
        return await r.json()


async def where_am_i(session, base: str, sender: str, attempts: int = 5) -> list:
    """The empty message that shows where the person is (it stores nothing, so it is safe to
    send again). The client's pool may still hold connections to the killed server: each
    fails once, as a browser's would, and the next attempt opens a new one."""
    for _ in range(attempts - 1):
        try:
            return await post(session, base, sender, "")
        except aiohttp.ClientConnectionError:
            pass
    return await post(session, base, sender, "")


async def run_respondent(person: Respondent, session, base: str, back: asyncio.Event) -> None:
    rng = random.Random(person.sender)
    message, question, value = "hej", None, None  # the first message starts the conversation
    while True:
        try:
            replies = await post(session, base, person.sender, message)
        except (aiohttp.ClientError, asyncio.TimeoutError):
            person.interrupted = question or "consent"
            await back.wait()
            replies = await where_am_i(session, base, person.sender)
            person.resumed_at = asking(replies)["custom"].get("question_id") or "consent"
        else:
            if question:
                person.acked[question] = value
        reply = asking(replies)
        if reply["custom"]["type"] == "end":
            person.completed = True
            return
        message, value = answer(reply)
        question = reply["custom"].get("question_id")
        if question and reply["custom"]["type"] != "confirm":
            person.sent.setdefault(question, set()).add(value if value else None)
        await asyncio.sleep(rng.uniform(0.05, 0.15))


async def stored(url: str, people: list[Respondent]) -> dict[str, list[tuple]]:
    hashes = {sender_hash(p.sender): p.sender for p in people}
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(Conversation.sender_hash, Answer.question_id, Answer.value)
                .join(Answer, Answer.conversation_id == Conversation.id)
                .where(Conversation.sender_hash.in_(list(hashes)))
            )
            out: dict[str, list[tuple]] = {}
            for digest, question, value in rows:
                out.setdefault(hashes[digest], []).append((question, value))
            return out
    finally:
        await engine.dispose()


def check(people: list[Respondent], answers: dict[str, list[tuple]],
          at_restart: dict[str, list[tuple]]) -> dict[str, int]:
    lost = duplicated = wrong = 0
    for person in people:
        rows = answers.get(person.sender, [])
        by_question: dict[str, str | None] = {}
        for question, value in rows:
            if question in by_question or value not in person.sent.get(question, set()):
                duplicated += 1
                print(f"  {person.sender}: {question} stored {value!r}, sent "
                      f"{sorted(map(str, person.sent.get(question, set())))}")
            by_question[question] = value
        lost += sum(1 for q, v in person.acked.items() if q not in by_question
                    or by_question[q] != v)
        if person.interrupted and person.interrupted != "consent":
            asked = IFO.question(person.interrupted)
            before = dict(at_restart.get(person.sender, []))
            if person.interrupted in before:  # the answer was committed before the kill
                following = prompts.next_question(IFO, asked, before)
                expected = following.id if following else None
            else:
                expected = person.interrupted
            if person.resumed_at != expected:
                wrong += 1
                print(f"  {person.sender}: interrupted at {person.interrupted}, went on at "
                      f"{person.resumed_at}, expected {expected}")
    return {"lost": lost, "duplicated": duplicated, "wrong_question": wrong}


async def main(args: argparse.Namespace) -> None:
    async with database(args.database) as url:
        env = {"BRUKARROST_RATE_LIMIT_ADDRESS": "0"}
        server = Server(url, workers=args.workers, env=env)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, server.start)
        people = [Respondent(f"durable-{i}") for i in range(args.respondents)]
        back = asyncio.Event()
        timeout = aiohttp.ClientTimeout(total=120)
        async with aiohttp.ClientSession(timeout=timeout,
                                         connector=aiohttp.TCPConnector(limit=0)) as session:
            tasks = [asyncio.create_task(run_respondent(p, session, server.base, back))
                     for p in people]
            started = time.perf_counter()
            kill_at = args.kill_at_answers or args.respondents * len(IFO.questions) // 3
            while time.perf_counter() - started < args.kill_after and \
                    sum(len(p.acked) for p in people) < kill_at:
                await asyncio.sleep(0.01)
            server.kill()
            killed_at = time.perf_counter()
            restarted = Server(url, workers=args.workers, port=server.port, env=env)
            await loop.run_in_executor(None, restarted.start)
            at_restart = await stored(url, people)  # what survived, before anyone goes on
            back.set()
            print(f"killed with SIGKILL after {killed_at - started:.1f} s; back after "
                  f"{time.perf_counter() - killed_at:.1f} s", flush=True)
            try:
                results = await asyncio.gather(*tasks, return_exceptions=True)
            finally:
                restarted.stop()
        failures = [r for r in results if isinstance(r, BaseException)]
        figures = check(people, await stored(url, people), at_restart)
    acked = sum(len(p.acked) for p in people)
    print(f"respondents={len(people)} completed={sum(p.completed for p in people)} "
          f"acknowledged answers={acked} interrupted={sum(bool(p.interrupted) for p in people)} "
          f"respondent failures={len(failures)}")
    print(f"lost={figures['lost']} duplicated={figures['duplicated']} "
          f"wrong_question={figures['wrong_question']}")
    if failures:
        print(f"first failure: {failures[0]!r}")
    if not any(p.interrupted for p in people):
        print("the kill interrupted no conversation, so nothing was tested: "
              "give a smaller --kill-at-answers")
        sys.exit(1)
    if failures or any(figures.values()):
        sys.exit(1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="postgresql",
                        help="sqlite, postgresql, postgresql-socket or a database URL")
    parser.add_argument("--respondents", type=int, default=60)
    parser.add_argument("--kill-after", type=float, default=4.0,
                        help="seconds of load before the SIGKILL (at most)")
    parser.add_argument("--kill-at-answers", type=int,
                        help="kill as soon as this many answers are acknowledged (default: a "
                             "third of all the respondents' answers)")
    parser.add_argument("--workers", type=int, default=1)
    asyncio.run(main(parser.parse_args()))
