"""Logging set-up: plain lines for people, or one JSON object per line (LOG_FORMAT=json).

Log records never carry message text or anything identifying: the engine logs no text, and
an exception is logged with its type and stack frames only, never its message (a database
error's message can quote the values it failed on). The access log leaves out the client
address.
"""

from __future__ import annotations

import json
import logging
import os
import traceback
from datetime import datetime, timezone

NOISY = ("rasa", "tensorflow", "absl", "matplotlib", "h5py", "asyncio")
# database drivers log statements with their parameters (message text) at debug level
QUIET_ALWAYS = ("aiosqlite", "asyncpg", "sqlalchemy")
# aiohttp's access log without %a (the client address): method, path, status, size, seconds
ACCESS_LOG_FORMAT = '"%r" %s %b %Tf'


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "process": os.getpid(),
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__
            entry["trace"] = "".join(traceback.format_tb(record.exc_info[2]))
        return json.dumps(entry, ensure_ascii=False)


class PlainFormatter(logging.Formatter):
    """The usual line; an exception shows its type and frames, not its message."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatException(self, exc_info) -> str:  # noqa: N802 - logging's name
        frames = "".join(traceback.format_tb(exc_info[2]))
        return f"Traceback (most recent call last):\n{frames}{exc_info[0].__name__}"


def setup(level: str, log_format: str = "text") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else PlainFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(getattr(logging, level, logging.INFO))
    # Rasa and TensorFlow are chatty; their warnings stay, their info does not.
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    for driver in QUIET_ALWAYS:
        logging.getLogger(driver).setLevel(logging.WARNING)
