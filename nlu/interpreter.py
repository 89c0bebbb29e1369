"""The Rasa NLU model, loaded once per process, parsing off the event loop.

Rasa's `Agent.parse_message` is a coroutine that does CPU-bound work without yielding. It
runs here on a dedicated thread with its own event loop, so a parse never blocks other
conversations; the one thread also keeps TensorFlow calls serialised.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class NluInterpreter:
    def __init__(self, model_path: Path) -> None:
        self.model_path = Path(model_path)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="nlu", daemon=True)
        self._thread.start()
        self._agent = None

    @classmethod
    def load(cls, model_path: Path) -> "NluInterpreter":
        """Load the model (takes seconds); call once at start-up."""
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        from rasa.core.agent import Agent  # heavy import, kept out of module import time
        from rasa.utils.log_utils import configure_structlog

        # Unconfigured, Rasa's structlog prints every parse with its text at debug level.
        configure_structlog(logging.WARNING)
        interpreter = cls(model_path)
        started = time.perf_counter()

        async def _load():
            return Agent.load(str(model_path))

        interpreter._agent = asyncio.run_coroutine_threadsafe(_load(), interpreter._loop).result()
        log.info("NLU model %s loaded in %.1f s", model_path.name, time.perf_counter() - started)
        return interpreter

    @property
    def model_name(self) -> str:
        return self.model_path.name

    async def parse(self, text: str) -> dict[str, Any]:
        """Rasa's parse result: text, intent, intent_ranking, entities."""
        future = asyncio.run_coroutine_threadsafe(self._agent.parse_message(text), self._loop)
        result = await asyncio.wrap_future(future)
        return {
            "text": result.get("text", text),
            "intent": result.get("intent") or {"name": None, "confidence": 0.0},
            "intent_ranking": result.get("intent_ranking", []),
            "entities": result.get("entities", []),
        }

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
