"""Consultation definitions: validated on load, errors name the file, the place and the fault."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.engine.definitions import DefinitionError, ParticipationLevel, load_directory

IFO_FILE = PROJECT_ROOT / "consultations" / "brukarundersokning-ifo.yml"


def test_shipped_consultations_are_valid_and_complete():
    definitions = load_directory(PROJECT_ROOT / "consultations")
    ifo = definitions["brukarundersokning-ifo"]
    assert ifo.participation_level == ParticipationLevel.konsultation
    types = [q.type.value for q in ifo.questions]
    assert 8 <= types.count("scale") <= 12
    assert types.count("yesno") == 1 and 1 <= types.count("text") <= 2
    assert {"vem-svarar", "malgrupp", "kon", "kontakttid"} <= {q.id for q in ifo.questions}
    for question in ifo.questions:
        assert question.text.has("en"), question.id


def _broken(tmp_path: Path, change) -> Path:
    folder = tmp_path / "consultations"
    folder.mkdir()
    data = yaml.safe_load(IFO_FILE.read_text(encoding="utf-8"))
    change(data)
    (folder / IFO_FILE.name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda d: d["questions"][4].update(type="slider"), "questions[4].type: value is not a valid enumeration member"),
        (lambda d: d.pop("participation_level"), "participation_level: field required"),
        (lambda d: d.update(participation_level=7), "participation_level"),
        (lambda d: d["questions"][0].update(options=[]), "questions[0]: a choice question needs at least two options"),
        (lambda d: d["questions"][5].update(id="kontakt"), "questions[5].id: 'kontakt' is used twice"),
        (lambda d: d["questions"][5].update(scale="smileys"), "no scale named 'smileys'"),
        (lambda d: d["questions"][5].update(text={"en": "Only English"}), "questions[5].text: a Swedish text (sv) is required"),
        (lambda d: d.update(path_step="somewhere"), "path_step"),
        (lambda d: d.update(unknown_key=1), "unknown_key: extra fields not permitted"),
        (lambda d: d.update(id="other-name"), "must match the file name"),
    ],
)
def test_broken_definition_names_file_place_and_fault(tmp_path, change, expected):
    folder = _broken(tmp_path, change)
    with pytest.raises(DefinitionError) as raised:
        load_directory(folder)
    message = str(raised.value)
    assert message.startswith("consultations/brukarundersokning-ifo.yml: ")
    assert expected in message


def test_invalid_yaml_names_the_line(tmp_path):
    folder = tmp_path / "consultations"
    folder.mkdir()
    (folder / "trasig.yml").write_text("id: trasig\nquestions: [\n  - oops: :\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"consultations/trasig.yml: line \d+, column \d+"):
        load_directory(folder)


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, env=env,
        cwd=PROJECT_ROOT, timeout=120,
    )


def test_check_and_serve_refuse_a_broken_file_with_its_place(tmp_path, monkeypatch):
    folder = _broken(tmp_path, lambda d: d["questions"][2].update(type="slider"))
    shutil.copy(IFO_FILE, folder / "kopia.yml")  # a second, otherwise valid file
    import os

    env = {**os.environ, "BRUKARROST_CONSULTATIONS_DIR": str(folder),
           "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"}
    check = _cli("consultations", "check", env=env)
    assert check.returncode == 1
    assert "consultations/brukarundersokning-ifo.yml: questions[2].type" in check.stderr
    assert "consultations/kopia.yml: id: 'brukarundersokning-ifo' must match" in check.stderr
    serve = _cli("serve", "--port", "0", env=env)
    assert serve.returncode == 2
    assert "questions[2].type" in serve.stderr
    assert "did not start" in serve.stderr
    assert not (tmp_path / "db.sqlite3").exists()  # refused before touching the database
