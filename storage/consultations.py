"""Consultations, their immutable definition versions, and units."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Consultation, ConsultationVersion, Unit


async def register_version(
    session: AsyncSession,
    consultation_id: str,
    title: str,
    checksum: str,
    definition: dict[str, Any],
    source_file: str,
) -> ConsultationVersion:
    """Return the stored version with this checksum, creating consultation and version if new."""
    consultation = await session.get(Consultation, consultation_id)
    if consultation is None:
        session.add(Consultation(id=consultation_id, title=title))
    elif consultation.title != title:
        consultation.title = title
    existing = (
        await session.execute(
            select(ConsultationVersion).where(
                ConsultationVersion.consultation_id == consultation_id,
                ConsultationVersion.checksum == checksum,
            )
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    newest = (
        await session.execute(
            select(func.max(ConsultationVersion.version)).where(
                ConsultationVersion.consultation_id == consultation_id
            )
        )
    ).scalar_one()
    version = ConsultationVersion(
        consultation_id=consultation_id,
        version=(newest or 0) + 1,
        checksum=checksum,
        definition=definition,
        source_file=source_file,
    )
    session.add(version)
    await session.flush()
    return version


async def set_current(session: AsyncSession, consultation_id: str, version_id: int) -> None:
    """New conversations of this consultation start on this version, in every process."""
    await session.execute(update(Consultation).where(Consultation.id == consultation_id)
                          .values(current_version_id=version_id))


async def current_versions(session: AsyncSession) -> dict[str, int]:
    """consultation id -> the version new conversations start on."""
    rows = await session.execute(select(Consultation.id, Consultation.current_version_id)
                                 .where(Consultation.current_version_id.is_not(None)))
    return {consultation_id: version_id for consultation_id, version_id in rows}


async def get_version(session: AsyncSession, version_id: int) -> ConsultationVersion | None:
    return await session.get(ConsultationVersion, version_id)


async def upsert_unit(session: AsyncSession, unit_id: str, name: str) -> None:
    unit = await session.get(Unit, unit_id)
    if unit is None:
        session.add(Unit(id=unit_id, name=name))
    elif unit.name != name:
        unit.name = name
