"""The async database engine, sessions and migrations."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _lower(value):
    return value.lower() if isinstance(value, str) else value


# PostgreSQL connections per process. A turn keeps its connection while the model reads the
# message, so under load many are busy at once. The pool never opens extra ones for a moment
# (no overflow): a connection opened and closed again costs PostgreSQL a new backend and
# asyncpg its prepared statements, which under load cost more than the wait for a free one
# (README, "Scale and reliability").
DEFAULT_POOL_SIZE = 20


def create_engine(database_url: str, pool_size: int = DEFAULT_POOL_SIZE) -> AsyncEngine:
    """An async engine for SQLite (aiosqlite) or PostgreSQL (asyncpg, `pool_size`
    connections, opened as needed and kept)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url, future=True, connect_args={"timeout": 30}
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - driver hook
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()
            # SQLite's own lower() folds ASCII only; staff's text search needs Ö = ö
            dbapi_connection.create_function("lower", 1, _lower, deterministic=True)

        return engine
    # No pre-ping (it costs a round trip per turn); a connection that died with a database
    # restart is recycled, and the engine redoes a turn that failed on one.
    return create_async_engine(url, future=True, pool_size=pool_size, max_overflow=0,
                               pool_recycle=1800)


def session_factory(engine: AsyncEngine) -> sessionmaker:
    return sessionmaker(engine, class_=AsyncSession, expire_on_commit=False, future=True)


def alembic_config(database_url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if database_url:
        cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


async def migrate(engine: AsyncEngine) -> None:
    """Bring the schema to the newest migration (idempotent)."""

    def _upgrade(sync_connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = sync_connection
        command.upgrade(cfg, "head")

    async with engine.begin() as conn:
        await conn.run_sync(_upgrade)
