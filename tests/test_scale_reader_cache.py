"""The scale reader trained by `make train` is the one every process loads: its cache file
name may not depend on the process (string hashing is salted per process)."""

from __future__ import annotations

import os
import subprocess
import sys

from bot.config import PROJECT_ROOT

NAME = ("from bot.engine.scale_reader import cache_name, training_set; "
        "print(cache_name(*training_set()))")


def _name_in_new_process(hash_seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run([sys.executable, "-c", NAME], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    return done.stdout.strip()


def test_the_cache_name_is_the_same_in_every_process():
    names = {_name_in_new_process(seed) for seed in ("1", "2", "3")}
    assert len(names) == 1, names
    assert names.pop().startswith("scale-reader-")
