"""When consultations are open for new conversations."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConsultationSchedule, utcnow


async def all_schedules(session: AsyncSession) -> dict[str, tuple[date | None, date | None]]:
    rows = await session.execute(select(ConsultationSchedule))
    return {s.consultation_id: (s.opens_on, s.closes_on) for s in rows.scalars()}


async def set_schedule(session: AsyncSession, consultation_id: str, opens_on: date | None,
                       closes_on: date | None, by: str) -> None:
    schedule = await session.get(ConsultationSchedule, consultation_id)
    if schedule is None:
        schedule = ConsultationSchedule(consultation_id=consultation_id)
        session.add(schedule)
    schedule.opens_on, schedule.closes_on = opens_on, closes_on
    schedule.changed_by, schedule.changed_at = by, utcnow()
