"""Serving HTTP: one process, or several worker processes sharing one port.

`brukarrost serve --workers N` starts N worker processes (spawned, each loads its own NLU
model) that all listen on the same host and port with SO_REUSEPORT; the kernel spreads
new connections over them. No conversation state lives in a process: every turn reads and
writes the database, so any worker serves any message. The parent migrates the database
and registers the consultations once before the workers start, restarts a worker that
dies, and passes SIGTERM/SIGINT on; each worker then finishes its requests in flight
(up to BRUKARROST_SHUTDOWN_TIMEOUT seconds) before it exits.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import signal
import time
from pathlib import Path

from bot import logs
from bot.config import Settings

log = logging.getLogger("brukarrost")

RESTART_PAUSE = 1.0


def one_thread_per_process() -> None:
    """Run the e5 encoder (ONNX Runtime, told OMP_NUM_THREADS by nlu/e5.py) and BLAS on one
    thread in a serving process, unless the environment says otherwise. Requests run in
    parallel across worker processes, one per core; a team of threads in every worker only
    oversubscribes the cores, and threads that spin while they wait burn the CPU the other
    workers need. Must run before the encoder loads (the first embedding), so it runs as
    `serve` starts."""
    import os

    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")


async def freeze_heap(_app) -> None:
    """Exempt everything loaded at start-up from the garbage collector's full passes.

    A worker holds about half a million container objects once Rasa, TensorFlow and the
    models are loaded, and a full (generation 2) collection walks all of them: about 250 ms
    in which the event loop answers nobody (measured in session 11). They live as long as
    the process, so after one last collection they are frozen (`gc.freeze()`, Python's
    permanent generation) and later passes walk only what requests create. Runs as the last
    start-up step of a serving process, after the storage context loaded the readers."""
    started = time.perf_counter()
    gc.collect()
    gc.freeze()
    log.info("froze %d start-up objects for the garbage collector in %.2f s",
             gc.get_freeze_count(), time.perf_counter() - started)


def serve_one(settings: Settings, host: str, port: int, model: Path, reuse_port: bool) -> None:
    """Load the model, build the app and serve until SIGTERM/SIGINT (this process)."""
    from aiohttp import web

    from bot.app import create_app
    from nlu.interpreter import NluInterpreter

    logs.setup(settings.log_level, settings.log_format)
    interpreter = NluInterpreter.load(model)
    app = create_app(settings, interpreter)
    app.on_startup.append(freeze_heap)  # after the storage context: the readers are loaded
    web.run_app(
        app, host=host, port=port, reuse_port=reuse_port or None,
        shutdown_timeout=settings.shutdown_timeout, keepalive_timeout=30,
        access_log_format=logs.ACCESS_LOG_FORMAT,
        print=lambda _: log.info("Brukarröst is listening on http://%s:%s", host, port),
    )


def _prepare_database(settings: Settings) -> None:
    """Migrate and register consultation versions once, before workers race to do it."""
    from bot.engine.catalog import Catalog
    from storage.db import create_engine, migrate, session_factory

    async def run() -> None:
        engine = create_engine(settings.database_url)
        try:
            await migrate(engine)
            async with session_factory(engine)() as session, session.begin():
                await Catalog.load(session, settings.consultations_dir, settings.units_file)
        finally:
            await engine.dispose()

    asyncio.run(run())


def serve_workers(settings: Settings, host: str, port: int, model: Path, count: int) -> int:
    """Run `count` workers on host:port until a signal; returns the exit code."""
    _prepare_database(settings)
    context = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> multiprocessing.Process:
        process = context.Process(target=serve_one, args=(settings, host, port, model, True),
                                  daemon=False)
        process.start()
        return process

    def stop(signum, _frame) -> None:
        nonlocal stopping
        stopping = True
        for process in workers:
            if process.is_alive():
                process.terminate()  # SIGTERM: graceful in the worker

    workers = [start() for _ in range(count)]
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("%d workers started on http://%s:%s", count, host, port)
    while not stopping:
        time.sleep(0.5)
        for index, process in enumerate(workers):
            if not process.is_alive() and not stopping:
                log.warning("worker %d exited with %s; starting it again", process.pid,
                            process.exitcode)
                time.sleep(RESTART_PAUSE)
                workers[index] = start()
    for process in workers:
        process.join(settings.shutdown_timeout + 10)
    return 0
