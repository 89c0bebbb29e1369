"""The Rasa NLU model, loaded once per process, parsing off the event loop.

Rasa's `Agent.parse_message` is a coroutine that does CPU-bound work without yielding. It
runs here on a dedicated thread with its own event loop, so a parse never blocks other
conversations; the one thread also keeps TensorFlow calls serialised.

Results for short texts are kept in a small cache (a parse is a pure function of the text
for one model): "ja", "ja, gärna", "nja, sådär" come again and again. Long texts, which are
rarely the same twice, are always parsed. Kept in memory only, never written anywhere.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import os
import threading
import time
from pathlib import Path
from collections import OrderedDict
from typing import Any

from nlu import e5

log = logging.getLogger(__name__)

CACHED_TEXT_LENGTH = 60  # characters; longer texts are parsed every time
CACHE_SIZE = 2048


class NluInterpreter:
    def __init__(self, model_path: Path) -> None:
        self.model_path = Path(model_path)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="nlu", daemon=True)
        self._thread.start()
        self._agent = None
        self._cache: OrderedDict[str, dict[str, Any]] = OrderedDict()

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
        e5.load()  # the model's featurizer would load it in the first request that needs it
        log.info("NLU model %s loaded in %.1f s", model_path.name, time.perf_counter() - started)
        return interpreter

    @property
    def model_name(self) -> str:
        return self.model_path.name

    async def parse(self, text: str) -> dict[str, Any]:
        """Rasa's parse result: text, intent, intent_ranking, entities."""
        cached = self._cache.get(text)
        if cached is not None:
            self._cache.move_to_end(text)
            return copy.deepcopy(cached)
        result = await self._parse(text)
        if len(text) <= CACHED_TEXT_LENGTH:
            self._cache[text] = copy.deepcopy(result)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return result

    async def _parse(self, text: str) -> dict[str, Any]:
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
