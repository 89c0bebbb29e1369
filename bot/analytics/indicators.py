"""Indicators per question and index, overall and broken down, with small groups suppressed.

For every scale question: the number of answers on the scale (n), "vet inte" answers,
the distribution, the share positive (contracts.md: the positive points out of the
answers on the scale), the share "vet inte" and the mean. Breakdowns: unit, source,
language and every background question of the definition (target group, gender, contact
duration ...).

Indices (declared under `indices:` in the definition) are scaled 0-100: a person's index
is the mean of (value - 1) / (points - 1) * 100 over the index's questions that person
answered on the scale ("vet inte" and skipped questions left out; on the five-point scale
(value - 1) / 4 * 100); a group's index is the mean over its people, and its n is the
number of people with at least one such answer.

Every answer is read with the definition version it was given under (its scale, its type),
so a question that was later changed or removed is still counted rightly.

Small groups: a figure based on fewer than MIN_GROUP_SIZE people is suppressed. If only
one group of a breakdown is suppressed, it could be worked out from the total and the
others, so the next smallest group is suppressed too (secondary suppression).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Collection, Iterable

from sqlalchemy.orm import sessionmaker

from bot.analytics.export import day_start
from bot.engine.definitions import Definition, Localized, QuestionType, Scale, from_stored
from storage import consultations as consultation_store
from storage import reporting

DONT_KNOW = "dk"
ALL = "all"
QUESTION = "question"
INDEX = "index"


@dataclass
class Person:
    """One conversation's answers as the indicators need them."""

    context: dict[str, str]  # unit, source, lang and the background answers
    started: date  # the day (UTC) the conversation started
    scale: dict[str, tuple[str, Scale]] = field(default_factory=dict)  # question -> value, scale

    def index_value(self, questions: Iterable[str]) -> float | None:
        points = [(int(value) - 1) / (len(scale.points) - 1) * 100
                  for value, scale in (self.scale.get(q, ("", None)) for q in questions)
                  if value and value != DONT_KNOW]
        return sum(points) / len(points) if points else None


@dataclass
class Cell:
    kind: str
    question_id: str
    dimension: str  # "all", "unit", "source", "lang" or a background question id
    group: str
    n: int = 0  # answers on the scale (questions) or people with an index value (indices)
    dont_know: int = 0
    distribution: Counter = field(default_factory=Counter)
    positive: int = 0
    total: float = 0.0
    suppressed: bool = False
    points: int = 0  # the scale's number of points, shown with zeros in the distribution

    @property
    def people(self) -> int:
        return self.n + self.dont_know

    def add(self, value: str, scale: Scale) -> None:
        self.points = max(self.points, len(scale.points))
        if value == DONT_KNOW:
            self.dont_know += 1
            return
        self.n += 1
        self.distribution[value] += 1
        self.total += int(value)
        self.positive += int(value) in scale.positive

    def as_row(self) -> dict[str, Any]:
        row: dict[str, Any] = {"kind": self.kind, "question_id": self.question_id,
                               "dimension": self.dimension, "group": self.group,
                               "suppressed": self.suppressed, "n": None, "dont_know": None,
                               "share_positive": None, "share_dont_know": None, "mean": None,
                               "index": None, "distribution": None}
        if self.suppressed or not self.people:
            return row
        if self.kind == INDEX:
            row.update(n=self.n, index=round(self.total / self.n, 1))
            return row
        row.update(
            n=self.n,
            dont_know=self.dont_know,
            share_positive=round(self.positive / self.n, 4) if self.n else None,
            share_dont_know=round(self.dont_know / self.people, 4),
            mean=round(self.total / self.n, 3) if self.n else None,
            distribution={str(k): self.distribution[str(k)] for k in range(1, self.points + 1)},
        )
        return row


@dataclass
class Result:
    rows: list[dict[str, Any]]
    # question and index id -> its text, from the newest version that has it
    labels: dict[str, Localized]
    # question id -> its scale (from the newest version that has it)
    scales: dict[str, Scale]
    respondents: int = 0  # conversations with at least one answer in scope


def suppress(cells: list[Cell], min_group_size: int) -> None:
    """Primary and secondary suppression within one question and one dimension."""
    for cell in cells:
        cell.suppressed = cell.people < min_group_size
    suppressed = [c for c in cells if c.suppressed]
    shown = sorted((c for c in cells if not c.suppressed), key=lambda c: c.people)
    if len(suppressed) == 1 and shown and cells[0].dimension != ALL:
        shown[0].suppressed = True


async def _people(sessions: sessionmaker, definition: Definition, unit_id: str | None,
                  date_from: date | None, date_to: date | None,
                  units: Collection[str] | None = None
                  ) -> tuple[list[Person], dict[int, Definition]]:
    """Every conversation in scope (`units`: only these units, None for all), with its
    answers read under its own definition version."""
    versions: dict[int, Definition] = {}
    people: dict[str, Person] = {}
    background = {q.id for q in definition.questions if q.background}
    scope = dict(unit_id=unit_id,
                 started_from=day_start(date_from) if date_from else None,
                 started_before=day_start(date_to + timedelta(days=1)) if date_to else None)
    async with sessions() as session:
        for (conversation_id, unit, source, lang, question_id, value, version_id,
             started) in await reporting.scale_rows(session, definition.id, **scope):
            if units is not None and unit not in units:
                continue
            if version_id not in versions:
                stored = await consultation_store.get_version(session, version_id)
                versions[version_id] = from_stored(stored.definition)
            person = people.get(conversation_id)
            if person is None:
                person = people[conversation_id] = Person(context={
                    "unit": unit or "-", "source": source or "-", "lang": lang},
                    started=_utc_day(started))
            if question_id in background:
                person.context[question_id] = value or "-"
            asked = _question_in(versions[version_id], question_id)
            if asked is not None and asked.type == QuestionType.scale and value:
                person.scale[question_id] = (value, versions[version_id].scale_for(asked))
    return list(people.values()), versions


def _utc_day(moment: datetime) -> date:
    if moment.tzinfo is None:  # SQLite hands back naive datetimes; they were stored as UTC
        return moment.date()
    return moment.astimezone(timezone.utc).date()


def _question_in(definition: Definition, question_id: str):
    try:
        return definition.question(question_id)
    except KeyError:
        return None


def _scale_questions(definition: Definition, versions: dict[int, Definition]
                     ) -> tuple[dict[str, Localized], dict[str, Scale]]:
    """Scale questions of the current definition, then those only older versions had."""
    labels: dict[str, Localized] = {}
    scales: dict[str, Scale] = {}
    newest_first = [definition, *(versions[v] for v in sorted(versions, reverse=True))]
    for source in newest_first:
        for question in source.questions:
            if question.type == QuestionType.scale and question.id not in labels:
                labels[question.id] = question.text
                scales[question.id] = source.scale_for(question)
    return labels, scales


def _breakdown(people: list[Person], dimensions: list[str], kind: str, item_id: str,
               values: dict[int, Any], fill, min_group_size: int) -> list[dict[str, Any]]:
    """Cells per group of every dimension; `values` maps a person (by position) to what
    `fill(cell, value)` adds, for the people who have one."""
    out: list[dict[str, Any]] = []
    for dimension in dimensions:
        cells: dict[str, Cell] = {}
        for number, value in values.items():
            group = ALL if dimension == ALL else people[number].context.get(dimension, "-")
            cell = cells.get(group)
            if cell is None:
                cell = cells[group] = Cell(kind, item_id, dimension, group)
            fill(cell, value)
        ordered = [cells[g] for g in sorted(cells)]
        suppress(ordered, min_group_size)
        out.extend(cell.as_row() for cell in ordered)
    return out


def _add_to_index(cell: Cell, value: float) -> None:
    cell.n += 1
    cell.total += value


def _aggregate(definition: Definition, people: list[Person], labels: dict[str, Localized],
               min_group_size: int) -> list[dict[str, Any]]:
    background = [q.id for q in definition.questions if q.background]
    dimensions = [ALL, "unit", "source", "lang", *background]
    rows: list[dict[str, Any]] = []
    for question_id in labels:
        answered = {n: p.scale[question_id] for n, p in enumerate(people)
                    if question_id in p.scale}
        rows.extend(_breakdown(people, dimensions, QUESTION, question_id, answered,
                               lambda cell, given: cell.add(*given), min_group_size))
    for index in definition.indices:
        values = {n: p.index_value(index.questions) for n, p in enumerate(people)}
        values = {n: v for n, v in values.items() if v is not None}
        rows.extend(_breakdown(people, dimensions, INDEX, index.id, values, _add_to_index,
                               min_group_size))
    return rows


async def compute_result(
    sessions: sessionmaker,
    definition: Definition,
    min_group_size: int,
    unit_id: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    units: Collection[str] | None = None,
) -> Result:
    """Indicator rows for every scale question answered and every index of the definition.
    The database is read asynchronously; the counting runs in a worker thread."""
    people, versions = await _people(sessions, definition, unit_id, date_from, date_to, units)
    labels, scales = _scale_questions(definition, versions)
    rows = await asyncio.get_running_loop().run_in_executor(
        None, _aggregate, definition, people, labels, min_group_size)
    labels.update({index.id: index.label for index in definition.indices})
    return Result(rows, labels, scales, len(people))


async def compute_periods(sessions: sessionmaker, definition: Definition, min_group_size: int,
                          periods: list[tuple[date, date]],
                          units: Collection[str] | None = None) -> list[Result]:
    """The same as `compute_result` for each period, reading the database once."""
    if not periods:
        return []
    people, versions = await _people(sessions, definition, None, min(p[0] for p in periods),
                                     max(p[1] for p in periods), units)
    labels, scales = _scale_questions(definition, versions)
    loop = asyncio.get_running_loop()
    results = []
    for start, end in periods:
        part = [person for person in people if start <= person.started <= end]
        rows = await loop.run_in_executor(None, _aggregate, definition, part, labels,
                                          min_group_size)
        results.append(Result(rows, {**labels, **{i.id: i.label for i in definition.indices}},
                              scales, len(part)))
    return results


async def compute(sessions: sessionmaker, definition: Definition, min_group_size: int,
                  **scope) -> list[dict[str, Any]]:
    return (await compute_result(sessions, definition, min_group_size, **scope)).rows


# -- comparison with the previous period -------------------------------------------------

def previous_period(date_from: date, date_to: date) -> tuple[date, date]:
    """The period of equal length that ends the day before `date_from` (days inclusive)."""
    length = (date_to - date_from).days + 1
    return date_from - timedelta(days=length), date_from - timedelta(days=1)


def _key(row: dict[str, Any]) -> tuple[str, str, str, str]:
    return row["kind"], row["question_id"], row["dimension"], row["group"]


def _change(now: float | None, before: float | None, factor: float) -> float | None:
    if now is None or before is None:
        return None
    return round((now - before) * factor, 1)


def compare(rows: list[dict[str, Any]], previous: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row with the previous period's figures beside it and the change: share positive
    in percentage points, the index in index points. A change is given only when both sides
    are shown (a suppressed side has no figures, so nothing can be worked out from it)."""
    before = {_key(row): row for row in previous}
    out = []
    for row in rows:
        old = before.get(_key(row), {})
        out.append({
            **row,
            "previous_suppressed": old.get("suppressed"),
            "previous_n": old.get("n"),
            "previous_share_positive": old.get("share_positive"),
            "previous_mean": old.get("mean"),
            "previous_index": old.get("index"),
            "change_share_positive_pp": _change(row["share_positive"],
                                                old.get("share_positive"), 100),
            "change_index": _change(row["index"], old.get("index"), 1),
        })
    return out
