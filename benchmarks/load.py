"""Many respondents at once: each completes the IFO survey over the REST channel.

    .venv/bin/python benchmarks/load.py [--database sqlite|postgresql|postgresql-socket|URL]
                                        [--respondents 1,50,500]
                                        [--workers N] [--think SECONDS] [--url http://...]
                                        [--arrivals steady|wave] [--duration SECONDS]
                                        [--encoder on|off]
                                        [--repeat K] [--target RATE,P99_MS]

Starts `brukarrost serve` itself (a throw-away database, a free port) unless --url is given.
`--database postgresql` reaches PostgreSQL over TCP (127.0.0.1, as from another host);
`postgresql-socket` over its Unix socket, as a service on the database's own host should.
Half of the respondents press buttons (send the payloads), half type their answers ("stämmer
ganska bra", "fyra", "Jag själv", sentences for the free-text questions). Each waits a random
think time between its messages (uniform in 0.5-1.5 x --think; 0 sends as fast as it can).

Two ways for N respondents to arrive:

- steady (the default): N respondents are in the survey at every moment. Each starts at a
  random moment of a ramp as long as one survey (20 x --think), and whoever finishes starts
  again as a new person (a new sender). Only the --duration seconds after the ramp are
  measured: the rate and latencies of a service that has N people in it all the time.
- wave: N people start within the first --think seconds and each answers once. They move
  through the survey almost in step, so the two free-text questions of all N arrive within
  a few seconds of each other: a burst, not a rate the service keeps up (the p99 says how
  long the last of the burst waits).

Prints per run: messages, messages/s, latency p50/p95/p99 (ms), errors (non-200 replies,
failed requests, surveys not completed), NLU parses per message (from /metrics) and the
peak memory (RSS) of each server process, and the CPU time per message spent by the server,
by every PostgreSQL process on the machine and by this load generator (on a 2-core machine the
three share the cores, so their sum bounds the rate).

`--repeat K` runs the largest N K times (runs of one setting differ here by more than most
changes do). `--target 200,250` judges each run of the largest N against the load target
(at least 200 messages/s at p99 at most 250 ms, no errors, at most 1 GB per server process)
and, after the repeats, says in how many runs it was met.

`--encoder off` is an experiment, not a way to serve: the server it starts gets constant
sentence embeddings (benchmarks/encoder_off/), so the figures bound what everything but the
sentence encoder can do on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import secrets
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.server import Server, database, postgres_cpu_seconds  # noqa: E402

WEBHOOK = "/webhooks/rest/webhook"
ENCODER_OFF = Path(__file__).resolve().parent / "encoder_off"
UNITS = ["ekonomiskt-bistand-norr", "barn-och-familj", "arbetsmarknad"]
# Free text is put together from parts, so that respondents rarely write the same sentence
# (the server caches embeddings per text: repeated sentences would flatter the figures).
OPENINGS = ["Personalen är vänlig", "Min handläggare är snäll", "Det är svårt att nå er",
            "Jag har fått bra hjälp", "Det tog lång tid", "Mötena känns stressiga",
            "Jag blev lyssnad på", "Breven är svåra att förstå"]
MIDDLES = ["men det tar lång tid att få svar", "och jag får träffa samma person",
           "men ingen ringer tillbaka", "och tiderna passar mig", "men jag förstår inte besluten",
           "och jag vet vad som händer nu", "men jag väntar i flera veckor",
           "och jag känner mig trygg"]
ENDINGS = ["på mina frågor.", "när jag behöver hjälp.", "i telefon.", "om min ekonomi.",
           "med mina barn.", "på mejl.", "om boendet.", "när jag söker jobb."]
WISHES = ["", " Ni kunde svara snabbare.", " Skriv enklare brev.", " Tack för hjälpen.",
          " Jag vill ha fler möten.", " Ring tillbaka när ni lovar.", " Mer tid vore bra.",
          " Det vore bra med tolk."]
# clear answers (rules) and everyday words the scale reader reads and the bot confirms
TYPED_SCALE = ["stämmer ganska bra", "fyra", "4", "stämmer helt och hållet", "ganska bra",
               "ja absolut", "nja, sådär"]


def sentence(rng: random.Random) -> str:
    """One of 4,096 free-text answers."""
    return " ".join((rng.choice(OPENINGS), rng.choice(MIDDLES), rng.choice(ENDINGS))) + \
        rng.choice(WISHES)


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    completed: int = 0
    window: tuple[float, float] = (0.0, float("inf"))  # requests started here are measured
    stop: float = float("inf")  # no survey starts after this (perf_counter)
    free_text: list[float] = field(default_factory=list)  # latencies of free-text answers
    sent: int = 0  # every message sent, measured or not

    def record(self, started: float, latency: float, free_text: bool) -> None:
        self.sent += 1
        if self.window[0] <= started < self.window[1]:
            self.latencies.append(latency)
            if free_text:
                self.free_text.append(latency)

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


def asking(replies: list[dict]) -> dict | None:
    """The last reply that asks for something: a question, the consent or a confirmation."""
    for reply in reversed(replies):
        custom = reply.get("custom") or {}
        if custom.get("question_id") or custom.get("type") in ("consent", "confirm", "end"):
            return reply
    return None


def answer_for(reply: dict, typed: bool, rng: random.Random) -> str:
    """What a respondent sends to this reply: a payload, or the same answer typed."""
    kind = reply["custom"]["type"]
    buttons = reply.get("buttons") or []
    payloads = [b["payload"] for b in buttons]
    if kind in ("consent", "confirm"):
        return "ja, gärna" if typed and kind == "consent" else "ja"
    if kind == "text":
        if reply["custom"]["question_id"].endswith("-followup"):
            return "hoppa över" if typed else "hoppa-over"
        return sentence(rng)
    if kind == "scale":
        return rng.choice(TYPED_SCALE) if typed else "4"
    if kind == "yesno":
        return "nej det har jag inte" if typed else "nej"
    choice = rng.choice(buttons)
    return choice["title"] if typed else choice["payload"] if payloads else "hoppa över"


async def respondent(session: aiohttp.ClientSession, base: str, index: int, run: str,
                     think: float, stats: Stats, delay: float, again: bool = False) -> None:
    """One person who answers the survey once, or (`again`, steady arrivals) person after
    person in the same place until the stop time."""
    await asyncio.sleep(delay)
    survey = 0
    while True:
        await survey_once(session, base, index, f"{run}-{survey}", think, stats)
        survey += 1
        if not again or time.perf_counter() >= stats.stop:
            return


async def survey_once(session: aiohttp.ClientSession, base: str, index: int, run: str,
                      think: float, stats: Stats) -> None:
    rng = random.Random(f"{run}-{index}")  # new texts in every run
    typed = index % 2 == 1
    sender = f"load-{run}-{index}"
    message, free_text = "hej", False
    metadata = {"unit": UNITS[index % len(UNITS)], "source": "load-test"}
    for _ in range(80):
        body = {"sender": sender, "message": message}
        if metadata:
            body["metadata"], metadata = metadata, None
        started = time.perf_counter()
        try:
            async with session.post(base + WEBHOOK, json=body) as response:
                replies = await response.json(content_type=None)
                status = response.status
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            stats.error(type(exc).__name__)
            return
        stats.record(started, time.perf_counter() - started, free_text)
        if status != 200:
            stats.error(f"http {status}")
            return
        reply = asking(replies)
        if reply is None:
            stats.error("no question in reply")
            return
        if reply["custom"]["type"] == "end":
            stats.completed += 1
            return
        message = answer_for(reply, typed, rng)
        free_text = reply["custom"]["type"] == "text" and message not in ("hoppa över",
                                                                         "hoppa-over")
        if think:
            await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))
        if time.perf_counter() >= stats.stop:
            return  # steady arrivals: the measured window is over (left unfinished, no error)
    stats.error("not completed in 80 messages")


async def metric(session: aiohttp.ClientSession, base: str, name: str) -> float | None:
    """The sum of a counter over /metrics (one process's view with several workers)."""
    try:
        async with session.get(base + "/metrics") as response:
            if response.status != 200:
                return None
            text = await response.text()
    except aiohttp.ClientError:
        return None
    values = re.findall(rf"^{name}(?:{{[^}}]*}})? ([0-9.e+]+)$", text, re.M)
    return sum(float(v) for v in values) if values else None


class MemoryWatch:
    """Samples the server processes' RSS in a thread; keeps the peak of each."""

    def __init__(self, server: Server | None) -> None:
        self.server, self.peak, self._stop = server, [], threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            current = self.server.rss()
            self.peak = [max(a, b) for a, b in zip(current, self.peak)] if self.peak else current
            self._stop.wait(0.5)

    def __enter__(self):
        if self.server:
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self.server:
            self._thread.join()


def percentile(sorted_values: list[float], share: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * share))] * 1000


async def _sample_cpu(server: Server | None, at: float) -> tuple:
    await asyncio.sleep(max(0.0, at - time.perf_counter()))
    return (server.cpu() if server else None, postgres_cpu_seconds(), time.process_time())


async def run(base: str, n: int, think: float, server: Server | None, arrivals: str = "steady",
              duration: float = 60.0) -> dict:
    stats = Stats()
    steady = arrivals == "steady" and n > 1 and think > 0
    ramp = 20 * think if steady else think
    tag = secrets.token_hex(3)
    timeout = aiohttp.ClientTimeout(total=60)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        parses_before = await metric(session, base, "brukarrost_nlu_parses_total")
        with MemoryWatch(server) as memory:
            started = time.perf_counter()
            if steady:  # measure the window after the ramp, with N people in the survey
                stats.window = (started + ramp, started + ramp + duration)
                stats.stop = stats.window[1]
                cpu = [asyncio.create_task(_sample_cpu(server, at)) for at in stats.window]
            else:
                cpu = [asyncio.create_task(_sample_cpu(server, started))]
            await asyncio.gather(*(
                respondent(session, base, i, f"{n}-{tag}", think, stats,
                           random.uniform(0, ramp) if n > 1 else 0, again=steady)
                for i in range(n)
            ))
            if not steady:
                cpu.append(asyncio.create_task(_sample_cpu(server, time.perf_counter())))
                stats.window = (started, time.perf_counter())
            cpu_before, cpu_after = [await task for task in cpu]
        parses_after = await metric(session, base, "brukarrost_nlu_parses_total")
    seconds = stats.window[1] - stats.window[0]
    latencies = sorted(stats.latencies)
    errors = sum(stats.errors.values())
    parses = None
    if parses_before is not None and parses_after is not None and (server is None or
                                                                   server.workers == 1):
        parses = (parses_after - parses_before) / max(1, stats.sent)
    return {
        "n": n, "arrivals": "steady" if steady else "wave", "messages": len(latencies),
        "seconds": seconds, "rate": len(latencies) / seconds,
        "p50": percentile(latencies, 0.50), "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99), "free_text_p99": percentile(sorted(stats.free_text),
                                                                        0.99),
        "errors": errors, "error_kinds": stats.errors, "completed": stats.completed,
        "parses": parses, "rss": memory.peak,
        "cpu_ms": {name: (after - before) * 1000 / max(1, len(latencies))
                   for name, before, after in zip(("server", "postgres", "load generator"),
                                                  cpu_before, cpu_after)
                   if before is not None},
    }


def show(result: dict, database_name: str, workers: int, think: float) -> None:
    rss = ", ".join(f"{mb:.0f}" for mb in result["rss"]) or "n/a"
    parses = "n/a" if result["parses"] is None else f"{result['parses']:.2f}"
    completed = (f"surveys completed={result['completed']}" if result["arrivals"] == "steady"
                 else f"completed={result['completed']}/{result['n']}")
    print(f"{database_name:10} workers={workers} think={think:g}s N={result['n']:<4} "
          f"{result['arrivals']:6} {result['seconds']:.0f} s messages={result['messages']:<6} "
          f"{result['rate']:7.1f} msg/s  "
          f"p50={result['p50']:.0f} ms p95={result['p95']:.0f} ms p99={result['p99']:.0f} ms "
          f"(free text p99={result['free_text_p99']:.0f} ms)  "
          f"errors={result['errors']} {completed}  "
          f"nlu parses/msg={parses}  peak RSS MB per process=[{rss}]", flush=True)
    cpu = ", ".join(f"{name} {ms:.1f}" for name, ms in result["cpu_ms"].items())
    print(f"    CPU ms per message: {cpu}", flush=True)
    if result["error_kinds"]:
        print(f"    errors by kind: {result['error_kinds']}", flush=True)


MAX_RSS_MB = 1024  # the target's memory bound, per server process


@dataclass(frozen=True)
class Target:
    rate: float  # messages per second, at least
    p99_ms: float  # at most

    @classmethod
    def parse(cls, text: str) -> "Target":
        try:
            rate, p99 = (float(part) for part in text.split(","))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"--target wants RATE,P99_MS (for example 200,250), not {text!r}") from None
        return cls(rate, p99)

    def misses(self, result: dict) -> list[str]:
        """What a run fell short of; empty when it met the target."""
        missed = []
        if result["rate"] < self.rate:
            missed.append(f"{result['rate']:.1f} msg/s < {self.rate:g}")
        if not result["p99"] <= self.p99_ms:
            missed.append(f"p99 {result['p99']:.0f} ms > {self.p99_ms:g}")
        if result["errors"]:
            missed.append(f"{result['errors']} errors")
        over = [mb for mb in result["rss"] if mb > MAX_RSS_MB]
        if over:
            missed.append(f"peak RSS {max(over):.0f} MB > {MAX_RSS_MB}")
        return missed

    def __str__(self) -> str:
        return (f"target >= {self.rate:g} msg/s at p99 <= {self.p99_ms:g} ms, 0 errors, "
                f"<= {MAX_RSS_MB} MB per process")


def runs(counts: list[int], repeat: int) -> list[tuple[int, bool]]:
    """(N, whether it is a run of the largest N) for each run, the largest N `repeat` times."""
    largest = max(counts)
    return [(n, n == largest) for n in counts for _ in range(repeat if n == largest else 1)]


async def measure(args: argparse.Namespace, base: str, server: Server | None,
                  label: str) -> None:
    met = judged = 0
    for n, largest in runs([int(n) for n in args.respondents.split(",")], args.repeat):
        result = await run(base, n, args.think, server, args.arrivals, args.duration)
        show(result, label, args.workers, args.think)
        if args.target and largest:
            missed = args.target.misses(result)
            judged, met = judged + 1, met + (not missed)
            print(f"    {args.target}: " + (f"not met ({'; '.join(missed)})" if missed else "met"),
                  flush=True)
    if args.target and judged > 1:
        print(f"{args.target}: met in {met} of {judged} runs", flush=True)


async def main(args: argparse.Namespace) -> None:
    if args.url:
        await measure(args, args.url, None, "given")
        return
    async with database(args.database) as url:
        # the benchmark comes from one address: the per-address limit would stop it (by design)
        env = {"BRUKARROST_RATE_LIMIT_ADDRESS": "0"}
        if args.encoder == "off":  # an experiment: see benchmarks/encoder_off/sitecustomize.py
            env["PYTHONPATH"] = os.pathsep.join(
                filter(None, [str(ENCODER_OFF), os.environ.get("PYTHONPATH")]))
        server = Server(url, workers=args.workers, env=env)
        startup = await asyncio.get_running_loop().run_in_executor(None, server.start)
        off = ", sentence encoder OFF: a bound, not the product" if args.encoder == "off" else ""
        print(f"server up in {startup:.1f} s ({args.database}, {args.workers} worker(s){off})",
              flush=True)
        try:
            await measure(args, server.base, server, args.database)
        finally:
            server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="postgresql",
                        help="sqlite, postgresql (a throw-away database, over TCP), "
                             "postgresql-socket (the same over the Unix socket, as on the "
                             "database's own host) or a database URL")
    parser.add_argument("--respondents", default="1,50,500", help="comma-separated counts")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--think", type=float, default=2.0,
                        help="mean seconds between a reply and the next message (0: none)")
    parser.add_argument("--url", help="load a running server instead of starting one")
    parser.add_argument("--arrivals", choices=("steady", "wave"), default="steady",
                        help="steady: N people in the survey all the time (measured after a "
                             "ramp); wave: N people start at once and answer once")
    parser.add_argument("--duration", type=float, default=60.0,
                        help="steady arrivals: seconds measured after the ramp")
    parser.add_argument("--encoder", choices=("on", "off"), default="on",
                        help="off: an experiment; the server's e5 embeddings are a constant, "
                             "so the figures bound what the stack without the sentence encoder "
                             "can do (the NLU answers are then not the product's); not with --url")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run the largest N this many times")
    parser.add_argument("--target", type=Target.parse, metavar="RATE,P99_MS",
                        help="judge each run of the largest N against this target, e.g. 200,250")
    arguments = parser.parse_args()
    if arguments.repeat < 1:
        parser.error("--repeat must be 1 or more")
    asyncio.run(main(arguments))
