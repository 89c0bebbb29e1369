"""Parse time per message with the trained model, loaded in-process as the server does.

    .venv/bin/python benchmarks/parse_speed.py [--rounds N]

Prints the model load time and per-message parse latency (mean, p50, p95, max) in ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import load_settings  # noqa: E402
from nlu.interpreter import NluInterpreter  # noqa: E402
from nlu.train import current_model  # noqa: E402

MESSAGES = [
    "hej", "ja", "nej tack", "vet inte", "avsluta", "hoppa över", "vad betyder det",
    "jag vill prata med min handläggare", "är det anonymt", "stämmer ganska bra",
    "min handläggare svarar aldrig i telefon och jag väntar i veckor",
    "jag vill inte leva längre", "I don't understand the question", "tillbaka",
]


async def main(rounds: int) -> None:
    settings = load_settings()
    model = current_model(settings.models_dir, settings.nlu_config, settings.nlu_data_dir)
    if model is None:
        raise SystemExit("no current model: run `make train` first")
    started = time.perf_counter()
    interpreter = NluInterpreter.load(model)
    load_s = time.perf_counter() - started
    await interpreter.parse("hej")  # warm-up
    times = []
    for _ in range(rounds):
        for text in MESSAGES:
            t0 = time.perf_counter()
            await interpreter.parse(text)
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    print(f"model: {model.name}")
    print(f"model load: {load_s:.1f} s")
    print(f"parses: {len(times)}  mean {statistics.mean(times):.1f} ms  "
          f"p50 {times[len(times) // 2]:.1f} ms  p95 {times[int(len(times) * 0.95)]:.1f} ms  "
          f"max {times[-1]:.1f} ms")
    interpreter.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    asyncio.run(main(parser.parse_args().rounds))
