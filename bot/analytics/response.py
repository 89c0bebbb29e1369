"""Response rate per unit (completed / offered), as the yearly survey reports it.

Started counts conversations that got past the consent; completed those that reached the
end. Figures for a unit with fewer than MIN_GROUP_SIZE completed conversations are
suppressed (the offered count, entered by staff, is not about any person and is shown).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import sessionmaker

from bot.analytics.export import day_start
from storage import response as response_store


def _row(unit: str, cell: dict[str, int], min_group_size: int) -> dict[str, Any]:
    suppressed = cell["completed"] < min_group_size
    rate = cell["completed"] / cell["offered"] if cell["offered"] else None
    return {
        "unit_id": unit,
        "offered": cell["offered"],
        "started": None if suppressed else cell["started"],
        "completed": None if suppressed else cell["completed"],
        "response_rate": None if suppressed or rate is None else round(rate, 4),
        "suppressed": suppressed,
    }


async def compute(sessions: sessionmaker, consultation_id: str, min_group_size: int,
                  date_from: date | None = None, date_to: date | None = None
                  ) -> list[dict[str, Any]]:
    async with sessions() as session:
        cells = await response_store.counts(
            session, consultation_id, date_from, date_to,
            day_start(date_from) if date_from else None,
            day_start(date_to + timedelta(days=1)) if date_to else None,
        )
    total = {key: sum(c[key] for c in cells.values()) for key in ("offered", "started",
                                                                   "completed")}
    rows = [_row(unit, cells[unit], min_group_size) for unit in sorted(cells)]
    if sum(r["suppressed"] for r in rows) == 1:  # secondary: the total would give it away
        shown = sorted((r for r in rows if not r["suppressed"]), key=lambda r: r["completed"])
        if shown:
            shown[0].update(started=None, completed=None, response_rate=None, suppressed=True)
    return rows + [_row("all", total, min_group_size)]
