"""Offered counts entered by staff, and the started and completed conversations beside them."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import invitations
from storage.models import Conversation, OfferedCount


async def set_offered(session: AsyncSession, consultation_id: str, unit_id: str, start: date,
                      end: date, offered: int) -> None:
    """Record (or replace) how many were offered the consultation in a unit and period."""
    row = (await session.execute(select(OfferedCount).where(
        OfferedCount.consultation_id == consultation_id, OfferedCount.unit_id == unit_id,
        OfferedCount.period_start == start, OfferedCount.period_end == end,
    ))).scalar_one_or_none()
    if row is None:
        session.add(OfferedCount(consultation_id=consultation_id, unit_id=unit_id,
                                 period_start=start, period_end=end, offered=offered))
    else:
        row.offered = offered


async def counts(session: AsyncSession, consultation_id: str, start: date | None,
                 end: date | None, started_from: datetime | None,
                 started_before: datetime | None) -> dict[str, dict[str, int]]:
    """unit -> {offered, started, completed}. Offered: counts entered for periods within
    [start, end] plus invitations made in the period; conversations that started in the same
    period (after their consent)."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: {"offered": 0, "started": 0,
                                                          "completed": 0})
    offered = select(OfferedCount.unit_id, func.sum(OfferedCount.offered)).where(
        OfferedCount.consultation_id == consultation_id).group_by(OfferedCount.unit_id)
    if start is not None:
        offered = offered.where(OfferedCount.period_start >= start)
    if end is not None:
        offered = offered.where(OfferedCount.period_end <= end)
    for unit_id, total in await session.execute(offered):
        out[unit_id]["offered"] = int(total or 0)
    invited = await invitations.offered_per_unit(session, consultation_id, started_from,
                                                 started_before)
    for unit_id, number in invited.items():
        out[unit_id]["offered"] += number
    conversations = select(Conversation.unit_id, Conversation.status, func.count()).where(
        Conversation.consultation_id == consultation_id,
        Conversation.status.notin_(("new", "consent", "declined")),
    ).group_by(Conversation.unit_id, Conversation.status)
    if started_from is not None:
        conversations = conversations.where(Conversation.started_at >= started_from)
    if started_before is not None:
        conversations = conversations.where(Conversation.started_at < started_before)
    for unit_id, status, number in await session.execute(conversations):
        cell = out[unit_id or "-"]
        cell["started"] += number
        if status == "completed":
            cell["completed"] += number
    return dict(out)
