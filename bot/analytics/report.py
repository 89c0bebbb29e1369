"""The HTML report per consultation and period: charts with their tables, small groups
suppressed in every figure, printable.

`render(..., units=...)` is the seam for access control: it shows only the units it is
given (None: every unit). The HTTP route passes what the signed-in analyst may see.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import partial
from typing import Any, Collection

from sqlalchemy.orm import sessionmaker

from bot.analytics import charts, indicators
from bot.analytics import response as response_rate
from bot.analytics.export import rows as export_rows
from bot.analytics.templating import render_template
from bot.engine.definitions import Definition
from storage import feedback as feedback_store
from storage import reporting

MAX_PERIODS = 24
DIMENSION_LABELS = {"unit": "Enhet", "source": "Källa", "lang": "Språk"}


@dataclass
class Period:
    label: str
    start: date
    end: date


def months(start: date, end: date) -> list[Period]:
    """Calendar months from `start` to `end` (the last MAX_PERIODS of them)."""
    out = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        following = date(year + (month == 12), month % 12 + 1, 1)
        first = max(start, date(year, month, 1))
        last = min(end, date.fromordinal(following.toordinal() - 1))
        out.append(Period(f"{year}-{month:02d}", first, last))
        year, month = following.year, following.month
    return out[-MAX_PERIODS:]


@dataclass
class Trend:
    index_id: str
    label: str
    columns: list[charts.Column]


@dataclass
class ReportData:
    definition: Definition
    date_from: date | None
    date_to: date | None
    previous: tuple[date, date] | None
    min_group_size: int
    respondents: int | None
    indices: list[dict[str, Any]]
    bars: list[charts.Bar]
    point_labels: list[str]
    breakdowns: list[tuple[str, list[dict[str, Any]]]]
    trends: list[Trend]
    periods: list[Period]
    statement_trend: list[tuple[str, list[dict[str, Any]]]]
    themes: list[tuple[str, int | None]]
    response: list[dict[str, Any]]
    feedback: list[Any] = field(default_factory=list)
    generated: str = ""


def _overall(rows: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [r for r in rows if r["kind"] == kind and r["dimension"] == indicators.ALL]


async def _trends(sessions, definition, min_group_size, start, end, units):
    periods = months(start, end) if start and end else []
    results = await indicators.compute_periods(
        sessions, definition, min_group_size, [(p.start, p.end) for p in periods], units)
    per_period = [{(r["kind"], r["question_id"]): r for r in result.rows
                   if r["dimension"] == indicators.ALL} for result in results]
    trends = [Trend(index.id, index.label.sv, charts.columns([
        (period.label, cells.get(("index", index.id), {}).get("index"),
         cells.get(("index", index.id), {}).get("n"))
        for period, cells in zip(periods, per_period)])) for index in definition.indices]
    return periods, per_period, trends


async def theme_counts(sessions, consultation_id, min_group_size, date_from=None, date_to=None,
                       units=None):
    """(theme, number of people whose words carry it), most first; fewer than the minimum:
    None (primary suppression only: themes are multi-label, there is no total). Also the
    analyst API's /themes."""
    people: dict[str, set[str]] = {}
    async for row in export_rows(sessions, consultation_id, date_from=date_from,
                                 date_to=date_to):
        if units is not None and row["unit_id"] not in units:
            continue
        for theme in filter(None, (row.get("themes") or "").split(";")):
            people.setdefault(theme, set()).add(row["session_id"])
    counts = Counter({theme: len(ids) for theme, ids in people.items()})
    return [(theme, count if count >= min_group_size else None)
            for theme, count in counts.most_common()]


async def collect(sessions: sessionmaker, definition: Definition, min_group_size: int,
                  date_from: date | None = None, date_to: date | None = None,
                  units: Collection[str] | None = None) -> ReportData:
    scope = dict(date_from=date_from, date_to=date_to, units=units)
    result = await indicators.compute_result(sessions, definition, min_group_size, **scope)
    rows = result.rows
    previous = None
    if date_from and date_to:
        previous = indicators.previous_period(date_from, date_to)
        before = await indicators.compute_result(sessions, definition, min_group_size,
                                                 date_from=previous[0], date_to=previous[1],
                                                 units=units)
        rows = indicators.compare(rows, before.rows)
    points = [p.label.sv for p in charts_scale(definition).points]
    bars = [charts.stacked_bar(r["question_id"], result.labels[r["question_id"]].sv, r,
                               [p.label.sv for p in result.scales[r["question_id"]].points],
                               "Vet inte")
            for r in _overall(rows, indicators.QUESTION)]
    dimensions = [d for d in dict.fromkeys(r["dimension"] for r in rows) if d != indicators.ALL]
    labels = {**DIMENSION_LABELS, **{q.id: q.text.sv for q in definition.questions}}
    breakdowns = [(labels.get(d, d), [r for r in rows if r["kind"] == indicators.INDEX
                                      and r["dimension"] == d]) for d in dimensions]
    async with sessions() as session:
        first = await reporting.first_started_at(session, definition.id)
        messages = await feedback_store.listed(session, definition.id)
    start = date_from or (first.date() if first else None)
    end = date_to or datetime.now(timezone.utc).date()
    periods, per_period, trends = await _trends(sessions, definition, min_group_size, start,
                                                end, units)
    statement_trend = [(result.labels[b.item_id].sv, [cells.get(("question", b.item_id), {})
                                                      for cells in per_period]) for b in bars]
    response = await response_rate.compute(sessions, definition.id, min_group_size,
                                           date_from, date_to)
    if units is not None:
        response = [r for r in response if r["unit_id"] in units]
    return ReportData(
        definition=definition, date_from=date_from, date_to=date_to, previous=previous,
        min_group_size=min_group_size,
        respondents=result.respondents if result.respondents >= min_group_size else None,
        indices=[{**r, "label": result.labels[r["question_id"]].sv}
                 for r in _overall(rows, indicators.INDEX)],
        bars=bars, point_labels=points,
        breakdowns=[(label, cells) for label, cells in breakdowns if cells],
        trends=trends, periods=periods, statement_trend=statement_trend,
        themes=await theme_counts(sessions, definition.id, min_group_size, date_from,
                                  date_to, units),
        response=response, feedback=messages,
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    )


def charts_scale(definition: Definition):
    """The scale shown in the chart legend: the first scale question's scale."""
    for question in definition.questions:
        if question.type.value == "scale":
            return definition.scale_for(question)
    from bot.engine.definitions import DEFAULT_SCALE

    return DEFAULT_SCALE


async def render(sessions: sessionmaker, definition: Definition, min_group_size: int,
                 date_from: date | None = None, date_to: date | None = None,
                 units: Collection[str] | None = None) -> str:
    data = await collect(sessions, definition, min_group_size, date_from, date_to, units)
    return await asyncio.get_running_loop().run_in_executor(None, partial(
        render_template, "report.html", report=data, bar_width=charts.BAR_WIDTH,
        column_height=charts.COLUMN_HEIGHT))
