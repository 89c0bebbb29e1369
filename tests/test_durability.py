"""Nothing acknowledged is lost: benchmarks/durability.py (load, SIGKILL mid-load, restart,
compare the database with what the respondents were told) as part of the test run, small.

The full-size run is `make bench` (60 respondents on PostgreSQL). This one found that an
empty "where am I?" message after the restart was read as a scale answer.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.config import PROJECT_ROOT


@pytest.mark.timeout(900)
@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_sigkill_mid_load_loses_and_duplicates_nothing(database, postgres_available):
    if database == "postgresql" and postgres_available:
        pytest.skip(postgres_available)
    result = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "benchmarks" / "durability.py"), "--database",
         database, "--respondents", "16", "--kill-after", "30", "--kill-at-answers", "100"],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=850)
    assert result.returncode == 0, (result.stdout[-3000:], result.stderr[-3000:])
    assert "respondent failures=0" in result.stdout, result.stdout
    assert "lost=0 duplicated=0 wrong_question=0" in result.stdout, result.stdout
    assert "interrupted=0" not in result.stdout, result.stdout  # the kill hit someone


@pytest.mark.timeout(300)
def test_a_kill_that_interrupts_nobody_is_not_a_pass():
    """One respondent, killed only after it could have answered everything: the run has
    tested nothing, and says so with exit code 1 instead of printing a clean lost=0."""
    result = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "benchmarks" / "durability.py"), "--database",
         "sqlite", "--respondents", "1", "--kill-after", "20", "--kill-at-answers", "1000"],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=280)
    assert result.returncode == 1, (result.stdout, result.stderr[-3000:])
    assert "completed=1 " in result.stdout and "interrupted=0 " in result.stdout
    assert "the kill interrupted no conversation, so nothing was tested" in result.stdout
