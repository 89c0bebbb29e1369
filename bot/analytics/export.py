"""Exports of answers in the long format of contracts.md (one row per answer)."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, AsyncIterator

from sqlalchemy.orm import sessionmaker

from storage import answers as answer_store

COLUMNS = [
    "session_id", "consultation_id", "unit_id", "source", "lang", "question_id",
    "question_type", "value", "answer_text", "themes", "started_at", "completed", "flagged",
]
FORMATS = ("csv", "xlsx", "json")
COMMENT = "comment"


def _utc_iso(moment: datetime) -> str:
    if moment.tzinfo is None:  # SQLite hands back naive datetimes; they were stored as UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def _row(conversation, question_id: str, question_type: str, value: str | None,
         text: str | None, themes: str | None) -> dict[str, Any]:
    return {
        "session_id": conversation.id,
        "consultation_id": conversation.consultation_id,
        "unit_id": conversation.unit_id or "",
        "source": conversation.source or "",
        "lang": conversation.lang,
        "question_id": question_id,
        "question_type": question_type,
        "value": value or "",
        "answer_text": text or "",
        "themes": themes or "",  # ids joined by ";" (free text only)
        "started_at": _utc_iso(conversation.started_at),
        "completed": "true" if conversation.status == "completed" else "false",
        "flagged": "true" if conversation.flagged else "false",
    }


async def rows(
    sessions: sessionmaker,
    consultation_id: str,
    unit_id: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> AsyncIterator[dict[str, Any]]:
    """Export rows; `date_from` and `date_to` are inclusive days of the conversation's start.

    First every answer, then every comment given out of turn (question_id and
    question_type `comment`: the person's own words, not an answer to a question).
    """
    scope = dict(
        unit_id=unit_id,
        started_from=day_start(date_from) if date_from else None,
        started_before=day_start(date_to + timedelta(days=1)) if date_to else None,
    )
    async with sessions() as session:
        async for answer, conversation in answer_store.export_rows(
            session, consultation_id, **scope
        ):
            yield _row(conversation, answer.question_id, answer.question_type, answer.value,
                       answer.answer_text, answer.themes)
        async for comment, conversation in answer_store.export_comments(
            session, consultation_id, **scope
        ):
            yield _row(conversation, COMMENT, COMMENT, None, comment.text, comment.themes)


async def write(path: Path, fmt: str, source: AsyncIterator[dict[str, Any]]) -> int:
    """Write the rows to `path` in `fmt`; returns the number of rows."""
    count = 0
    if fmt == "csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            writer.writeheader()
            async for row in source:
                writer.writerow(row)
                count += 1
    elif fmt == "json":
        collected = [row async for row in source]
        path.write_text(json.dumps(collected, ensure_ascii=False, indent=1), encoding="utf-8")
        count = len(collected)
    elif fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        workbook = Workbook(write_only=False)
        sheet = workbook.active
        sheet.title = "answers"
        sheet.append(COLUMNS)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        async for row in source:
            values = [row[c] for c in COLUMNS]
            if row["value"].isdigit():
                values[COLUMNS.index("value")] = int(row["value"])
            sheet.append(values)
            count += 1
        workbook.save(path)
    else:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return count
