"""benchmarks/load.py judges its runs against the load target (`make bench` passes
`--target 200,250 --repeat 3`), small: a few respondents on SQLite, against a target they
meet and one they cannot."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from bot.config import PROJECT_ROOT

LOAD = str(PROJECT_ROOT / "benchmarks" / "load.py")


def _load(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, LOAD, "--database", "sqlite", "--think", "0", *args],
                          capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=280)


def _runs(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if re.match(r"sqlite +workers=1 ", line)]


@pytest.mark.timeout(300)
def test_the_largest_count_is_repeated_and_each_of_its_runs_judged():
    result = _load("--respondents", "1,2", "--repeat", "2", "--target", "1,60000")
    assert result.returncode == 0, result.stderr[-3000:]
    runs = _runs(result.stdout)
    assert [re.search(r"N=(\d+)", line).group(1) for line in runs] == ["1", "2", "2"], runs
    assert all("errors=0" in line for line in runs), runs
    verdicts = [line.strip() for line in result.stdout.splitlines()
                if line.startswith("    target")]
    assert verdicts == ["target >= 1 msg/s at p99 <= 60000 ms, 0 errors, "
                        "<= 1024 MB per process: met"] * 2, result.stdout
    assert result.stdout.rstrip().endswith("met in 2 of 2 runs"), result.stdout


@pytest.mark.timeout(300)
def test_a_run_short_of_the_target_says_by_how_much():
    result = _load("--respondents", "2", "--target", "100000,1")
    assert result.returncode == 0, result.stderr[-3000:]
    rate = float(re.search(r"([0-9.]+) msg/s", _runs(result.stdout)[0]).group(1))
    p99 = re.search(r"p99=(\d+) ms", _runs(result.stdout)[0]).group(1)
    verdict = re.search(r"^    target .*: not met \((.*)\)$", result.stdout, re.M)
    assert verdict, result.stdout
    assert verdict.group(1) == f"{rate:.1f} msg/s < 100000; p99 {p99} ms > 1", result.stdout
    assert "met in" not in result.stdout  # one run: no summary


def test_a_malformed_target_is_refused_before_anything_starts():
    result = subprocess.run([sys.executable, LOAD, "--target", "200"], capture_output=True,
                            text=True, cwd=PROJECT_ROOT, timeout=60)
    assert result.returncode == 2
    assert "--target wants RATE,P99_MS (for example 200,250), not '200'" in result.stderr
    assert "server up" not in result.stdout
