"""The command line: export in the long format, and training that skips when up to date."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

from bot.analytics.export import COLUMNS
from bot.config import PROJECT_ROOT
from tests.chat import say

IFO = {"consultation": "brukarundersokning-ifo", "unit": "barn-och-familj", "source": "sms"}


def brukarrost(*args: str, database_url: str | None = None,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, **(env or {})}
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run(
        [str(PROJECT_ROOT / ".venv" / "bin" / "brukarrost"), *args]
        if (PROJECT_ROOT / ".venv" / "bin" / "brukarrost").exists()
        else [sys.executable, "-m", "bot.cli", *args],
        capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=900,
    )


async def _answer_some(client) -> None:
    await say(client, "cli-person", "hej", IFO)
    await say(client, "cli-person", "ja")
    for message in ("foralder", "barn", "man", "over-3-ar", "5", "vet inte"):
        await say(client, "cli-person", message)


async def test_export_csv_through_the_cli(client, database_url, tmp_path):
    await _answer_some(client)
    out = tmp_path / "svar.csv"
    result = brukarrost("export", "--consultation", "brukarundersokning-ifo", "--format", "csv",
                        "--out", str(out), database_url=database_url)
    assert result.returncode == 0, result.stderr
    assert "Wrote 6 answers" in result.stdout
    with out.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == COLUMNS
        rows = list(reader)
    assert [(r["question_id"], r["value"]) for r in rows] == [
        ("vem-svarar", "foralder"), ("malgrupp", "barn-och-familj"), ("kon", "man"),
        ("kontakttid", "over-3-ar"), ("kontakt", "5"), ("snabb-hjalp", "dk"),
    ]
    assert {r["unit_id"] for r in rows} == {"barn-och-familj"}
    assert {r["source"] for r in rows} == {"sms"}
    assert {r["completed"] for r in rows} == {"false"}


async def test_export_json_and_xlsx(client, database_url, tmp_path):
    await _answer_some(client)
    out = tmp_path / "svar.json"
    assert brukarrost("export", "--consultation", "brukarundersokning-ifo", "--format", "json",
                      "--out", str(out), database_url=database_url).returncode == 0
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert rows[4]["value"] == "5" and set(rows[0]) == set(COLUMNS)
    out = tmp_path / "svar.xlsx"
    assert brukarrost("export", "--consultation", "brukarundersokning-ifo", "--format", "xlsx",
                      "--out", str(out), database_url=database_url).returncode == 0
    sheet = load_workbook(out)["answers"]
    assert [c.value for c in sheet[1]] == COLUMNS
    assert sheet.cell(row=6, column=COLUMNS.index("value") + 1).value == 5  # a number
    assert sheet.cell(row=7, column=COLUMNS.index("value") + 1).value == "dk"


async def test_export_errors_are_clear(client, database_url, tmp_path):
    await _answer_some(client)
    result = brukarrost("export", "--consultation", "finns-inte", "--format", "csv",
                        "--out", str(tmp_path / "x.csv"), database_url=database_url)
    assert result.returncode == 2
    assert "no consultation called 'finns-inte'" in result.stderr
    result = brukarrost("export", "--consultation", "brukarundersokning-ifo", "--format", "pdf",
                        "--out", str(tmp_path / "x.pdf"), database_url=database_url)
    assert result.returncode == 2 and "invalid choice" in result.stderr
    result = brukarrost("export", "--consultation", "brukarundersokning-ifo", "--from", "igår",
                        "--out", str(tmp_path / "x.csv"), database_url=database_url)
    assert result.returncode == 2 and "not a date" in result.stderr


def test_train_skips_when_data_and_config_are_unchanged(model_path):
    result = brukarrost("train")
    assert result.returncode == 0, result.stderr
    assert "Up to date, not retrained" in result.stdout
    assert model_path.name in result.stdout
    # the scale reader is there to load, under the name every process computes
    reader = [line for line in result.stdout.splitlines() if line.startswith("Scale reader: ")]
    assert len(reader) == 1 and Path(reader[0].removeprefix("Scale reader: ")).is_file()
