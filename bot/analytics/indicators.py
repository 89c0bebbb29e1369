"""Indicators per question, overall and broken down, with small groups suppressed.

For every scale question: the number of answers on the scale (n), "vet inte" answers,
the distribution, the share positive (contracts.md: the positive points out of the
answers on the scale), the share "vet inte" and the mean. Breakdowns: unit, source,
language and every background question of the definition (target group, gender, contact
duration ...).

Small groups: a figure based on fewer than MIN_GROUP_SIZE people is suppressed. If only
one group of a breakdown is suppressed, it could be worked out from the total and the
others, so the next smallest group is suppressed too (secondary suppression).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import sessionmaker

from bot.analytics.export import rows as export_rows
from bot.engine.definitions import Definition, QuestionType

DONT_KNOW = "dk"
ALL = "all"


@dataclass
class Cell:
    question_id: str
    dimension: str  # "all", "unit", "source", "lang" or a background question id
    group: str
    n: int = 0  # answers on the scale
    dont_know: int = 0
    distribution: Counter = field(default_factory=Counter)
    positive: int = 0
    total: float = 0.0
    suppressed: bool = False

    @property
    def people(self) -> int:
        return self.n + self.dont_know

    def as_row(self) -> dict[str, Any]:
        row: dict[str, Any] = {"question_id": self.question_id, "dimension": self.dimension,
                               "group": self.group, "suppressed": self.suppressed}
        if self.suppressed:
            row.update(n=None, dont_know=None, share_positive=None, share_dont_know=None,
                       mean=None, distribution=None)
            return row
        row.update(
            n=self.n,
            dont_know=self.dont_know,
            share_positive=round(self.positive / self.n, 4) if self.n else None,
            share_dont_know=round(self.dont_know / self.people, 4) if self.people else None,
            mean=round(self.total / self.n, 3) if self.n else None,
            distribution={k: self.distribution[k] for k in sorted(self.distribution)},
        )
        return row


def _suppress(cells: list[Cell], min_group_size: int) -> None:
    """Primary and secondary suppression within one question and one dimension."""
    for cell in cells:
        cell.suppressed = cell.people < min_group_size
    suppressed = [c for c in cells if c.suppressed]
    shown = sorted((c for c in cells if not c.suppressed), key=lambda c: c.people)
    if len(suppressed) == 1 and shown and cells[0].dimension != ALL:
        shown[0].suppressed = True


async def compute(
    sessions: sessionmaker,
    definition: Definition,
    min_group_size: int,
    unit_id: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[dict[str, Any]]:
    """Indicator rows for every scale question of the definition."""
    scale_questions = {q.id: q for q in definition.questions if q.type == QuestionType.scale}
    background = [q.id for q in definition.questions if q.background]
    answers: dict[str, dict[str, str]] = defaultdict(dict)  # session -> question -> value
    context: dict[str, dict[str, str]] = {}
    async for row in export_rows(sessions, definition.id, unit_id=unit_id,
                                 date_from=date_from, date_to=date_to):
        answers[row["session_id"]][row["question_id"]] = row["value"]
        context[row["session_id"]] = {"unit": row["unit_id"] or "-", "source": row["source"] or "-",
                                      "lang": row["lang"]}
    dimensions = [ALL, "unit", "source", "lang", *background]
    out: list[dict[str, Any]] = []
    for question_id, question in scale_questions.items():
        scale = definition.scale_for(question)
        for dimension in dimensions:
            cells: dict[str, Cell] = {}
            for session_id, given in answers.items():
                value = given.get(question_id)
                if not value:
                    continue
                if dimension == ALL:
                    group = ALL
                elif dimension in context[session_id]:
                    group = context[session_id][dimension]
                else:
                    group = given.get(dimension) or "-"
                cell = cells.setdefault(group, Cell(question_id, dimension, group))
                if value == DONT_KNOW:
                    cell.dont_know += 1
                    continue
                cell.n += 1
                cell.distribution[value] += 1
                cell.total += int(value)
                cell.positive += int(value) in scale.positive
            ordered = [cells[g] for g in sorted(cells)]
            _suppress(ordered, min_group_size)
            out.extend(cell.as_row() for cell in ordered)
    return out
