"""Where the time of a turn goes: cProfile over respondents completing the IFO survey
in-process (aiohttp test server, the real model), sorted by cumulative time.

    .venv/bin/python benchmarks/profile_turn.py [--database sqlite|postgresql] [--respondents 10]
                                                [--top 40]

The NLU thread is not profiled (cProfile follows the event loop's thread); its time shows
as waiting in `parse`. Used to find the hot path for benchmarks/load.py.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp.test_utils import TestClient, TestServer  # noqa: E402

from benchmarks.load import asking, answer_for  # noqa: E402
from benchmarks.server import database  # noqa: E402
from bot.app import create_app  # noqa: E402
from bot.config import Settings, load_settings  # noqa: E402
from nlu.interpreter import NluInterpreter  # noqa: E402
from nlu.train import current_model  # noqa: E402


async def respondents(client: TestClient, count: int) -> list[float]:
    times = []
    for index in range(count):
        rng, message = random.Random(index), "hej"
        for _ in range(80):
            started = time.perf_counter()
            response = await client.post("/webhooks/rest/webhook",
                                         json={"sender": f"p{index}", "message": message})
            replies = await response.json()
            times.append(time.perf_counter() - started)
            reply = asking(replies)
            if reply is None or reply["custom"]["type"] == "end":
                break
            message = answer_for(reply, index % 2 == 1, rng)
    return times


async def main(args: argparse.Namespace) -> None:
    base = load_settings()
    model = current_model(base.models_dir, base.nlu_config, base.nlu_data_dir)
    interpreter = NluInterpreter.load(model)
    async with database(args.database) as url:
        settings = Settings(database_url=url, secret_key="profile")
        client = TestClient(TestServer(create_app(settings, interpreter)))
        await client.start_server()
        try:
            await respondents(client, 1)  # warm-up
            profile = cProfile.Profile()
            profile.enable()
            times = await respondents(client, args.respondents)
            profile.disable()
        finally:
            await client.close()
    interpreter.close()
    times.sort()
    print(f"{len(times)} messages, mean {sum(times) / len(times) * 1000:.1f} ms, "
          f"p50 {times[len(times) // 2] * 1000:.1f} ms (one at a time, profiled)")
    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="postgresql")
    parser.add_argument("--respondents", type=int, default=10)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative", help="cumulative or tottime")
    asyncio.run(main(parser.parse_args()))
