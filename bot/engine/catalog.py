"""The consultations the server offers, and every stored version of them.

At start-up each definition file is registered as a version in the database (a new
version only when its content changed). A conversation keeps the version it started
with, so editing a file never changes the questions under someone mid-survey.

Which version new conversations start on, and when each consultation is open, live in the
database; every server process reads them again every few seconds (`refresh`), so an
admin's edit or new dates on one worker reach all of them without a restart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.definitions import Definition, DefinitionError, from_stored, load_directory
from storage import consultations as consultation_store
from storage import schedules as schedule_store


@dataclass(frozen=True)
class UnitInfo:
    id: str
    name: str
    contact: dict[str, str]


def load_units(path: Path) -> dict[str, UnitInfo]:
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise DefinitionError(f"{path.name}: not valid YAML: {exc}") from None
    units: dict[str, UnitInfo] = {}
    for index, item in enumerate(data.get("units", [])):
        if not isinstance(item, dict) or not item.get("id") or not item.get("name"):
            raise DefinitionError(f"{path.name}: units[{index}]: needs an id and a name")
        units[str(item["id"])] = UnitInfo(
            id=str(item["id"]), name=str(item["name"]), contact=dict(item.get("contact") or {})
        )
    return units


class Catalog:
    def __init__(self, units: dict[str, UnitInfo]) -> None:
        self.units = units
        self._current: dict[str, int] = {}  # consultation id -> version id
        self._versions: dict[int, Definition] = {}  # immutable, safe to cache
        # consultation id -> (opens on, closes on), both inclusive; None = no limit
        self.schedules: dict[str, tuple[date | None, date | None]] = {}

    @classmethod
    async def load(
        cls, session: AsyncSession, consultations_dir: Path, units_file: Path
    ) -> "Catalog":
        """Validate every definition, then register versions and units (one transaction)."""
        definitions = load_directory(consultations_dir)
        catalog = cls(load_units(units_file))
        for unit in catalog.units.values():
            await consultation_store.upsert_unit(session, unit.id, unit.name)
        for definition in definitions.values():
            version = await consultation_store.register_version(
                session,
                consultation_id=definition.id,
                title=definition.title.sv,
                checksum=definition.checksum(),
                definition=definition.canonical(),
                source_file=f"consultations/{definition.id}.yml",
            )
            await consultation_store.set_current(session, definition.id, version.id)
            catalog._current[definition.id] = version.id
            catalog._versions[version.id] = definition
        catalog.schedules = await schedule_store.all_schedules(session)
        return catalog

    def is_open(self, consultation_id: str, today: date | None = None) -> bool:
        """Whether new conversations may start today (the city's local date)."""
        opens, closes = self.schedules.get(consultation_id, (None, None))
        today = today or date.today()
        return (opens is None or opens <= today) and (closes is None or today <= closes)

    def __contains__(self, consultation_id: str) -> bool:
        return consultation_id in self._current

    @property
    def consultation_ids(self) -> list[str]:
        return sorted(self._current)

    def use(self, version_id: int, definition: Definition) -> None:
        """Make a newly registered version the current one (an admin saved a definition)."""
        self._current[definition.id] = version_id
        self._versions[version_id] = definition

    async def refresh(self, session: AsyncSession) -> list[str]:
        """Follow the current versions and schedules in the database (another process may
        have changed them). Returns the consultations whose version changed."""
        changed = []
        for consultation_id, version_id in (
                await consultation_store.current_versions(session)).items():
            if self._current.get(consultation_id) != version_id:
                await self.version(session, version_id)
                self._current[consultation_id] = version_id
                changed.append(consultation_id)
        self.schedules = await schedule_store.all_schedules(session)
        return changed

    def current(self, consultation_id: str) -> tuple[int, Definition]:
        version_id = self._current[consultation_id]
        return version_id, self._versions[version_id]

    async def version(self, session: AsyncSession, version_id: int) -> Definition:
        definition = self._versions.get(version_id)
        if definition is None:
            stored = await consultation_store.get_version(session, version_id)
            if stored is None:
                raise KeyError(f"consultation version {version_id} is not stored")
            definition = from_stored(stored.definition)
            self._versions[version_id] = definition
        return definition
