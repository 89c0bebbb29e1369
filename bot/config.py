"""Settings, read once from the environment and an optional `.env` file.

Every setting is listed in `.env.example`. Secrets come from the environment; the
only exception is the development fallback for `BRUKARROST_SECRET_KEY` described below.
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import load_dotenv

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    host: str = "127.0.0.1"
    port: int = 5005
    default_consultation: str = "brukarundersokning-ifo"
    log_level: str = "INFO"
    consultations_dir: Path = field(default=PROJECT_ROOT / "consultations")
    units_file: Path = field(default=PROJECT_ROOT / "units.yml")
    help_lines_file: Path = field(default=PROJECT_ROOT / "help_lines.yml")
    # social services outside office hours (socialjour), given with the help lines
    socialjour_phone: str = ""
    models_dir: Path = field(default=PROJECT_ROOT / "models")
    nlu_config: Path = field(default=PROJECT_ROOT / "config.yml")
    nlu_data_dir: Path = field(default=PROJECT_ROOT / "nlu" / "data")
    max_body_bytes: int = 64 * 1024
    # figures based on fewer people than this are suppressed everywhere
    min_group_size: int = 5
    # staff pages: session cookies only over HTTPS (also set automatically on HTTPS requests)
    cookie_secure: bool = False
    # staff pages: a login lasts this many hours
    session_hours: int = 8
    # retention (gallring) runs this often while the server is up, in hours; 0 = never
    retention_interval_hours: int = 24
    # web pages (origins like https://www.example.se) that may embed the chat widget
    allowed_origins: tuple[str, ...] = ()
    # the address brukare reach the chat at, used in invitation links
    public_url: str = "http://127.0.0.1:5005"
    # reliability and abuse (see README, "Scale and reliability")
    log_format: str = "text"  # text | json
    workers: int = 1
    rate_limit_sender: int = 120  # chat messages per minute (and at once) per sender; 0 = no limit
    rate_limit_address: int = 1200  # requests per minute (and at once) per client address; 0 = no limit
    behind_proxy: bool = False  # take the client address from X-Forwarded-For
    body_timeout: float = 10.0  # seconds to receive a request body
    turn_timeout: float = 15.0  # seconds for one turn before 503
    catalog_refresh: float = 5.0  # seconds between reading consultation versions and dates
    shutdown_timeout: float = 30.0  # seconds to finish requests in flight on SIGTERM
    # PostgreSQL connections per process (workers x this must stay below max_connections)
    database_pool_size: int = 20


def _secret_key(var_dir: Path) -> str:
    """The key for pseudonymous sender hashes.

    Production sets BRUKARROST_SECRET_KEY. For `make run` on a fresh machine a random key is
    created once under var/ so that returning senders are still recognised after a restart.
    """
    key = os.environ.get("BRUKARROST_SECRET_KEY", "").strip()
    if key:
        return key
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    path.write_text(key)
    path.chmod(0o600)
    log.warning("BRUKARROST_SECRET_KEY is not set; created a development key in %s", path)
    return key


def _number(name: str, default: str, kind=int, least: float = 0):
    text = os.environ.get(name, default).strip()
    try:
        value = kind(text)
    except ValueError:
        raise SystemExit(f"{name} must be a number, not {text!r}") from None
    if value < least:
        raise SystemExit(f"{name} must be at least {least}, not {text!r}")
    return value


def load_settings(env_file: str | os.PathLike | None = None) -> Settings:
    """Read settings; values already in the environment win over the `.env` file."""
    load_dotenv(env_file or PROJECT_ROOT / ".env", override=False)
    var_dir = PROJECT_ROOT / "var"
    default_db = f"sqlite+aiosqlite:///{var_dir / 'brukarrost.sqlite3'}"
    min_group_text = os.environ.get("MIN_GROUP_SIZE", "5")
    if not min_group_text.isdigit() or int(min_group_text) < 1:
        raise SystemExit(f"MIN_GROUP_SIZE must be a whole number of at least 1, not {min_group_text!r}")
    port_text = os.environ.get("BRUKARROST_PORT", "5005")
    try:
        port = int(port_text)
    except ValueError:
        raise SystemExit(f"BRUKARROST_PORT must be a number, not {port_text!r}") from None
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or default_db,
        secret_key=_secret_key(var_dir),
        host=os.environ.get("BRUKARROST_HOST", "127.0.0.1"),
        port=port,
        default_consultation=os.environ.get(
            "BRUKARROST_DEFAULT_CONSULTATION", "brukarundersokning-ifo"
        ),
        log_level=os.environ.get("LOG_LEVEL", "INFO").upper(),
        consultations_dir=Path(
            os.environ.get("BRUKARROST_CONSULTATIONS_DIR", PROJECT_ROOT / "consultations")
        ),
        units_file=Path(os.environ.get("BRUKARROST_UNITS_FILE", PROJECT_ROOT / "units.yml")),
        socialjour_phone=os.environ.get("BRUKARROST_SOCIALJOUR_PHONE", "").strip(),
        min_group_size=int(min_group_text),
        cookie_secure=os.environ.get("BRUKARROST_COOKIE_SECURE", "").strip().lower()
        in ("1", "true", "yes"),
        session_hours=_number("BRUKARROST_SESSION_HOURS", "8", least=1),
        retention_interval_hours=_number("BRUKARROST_RETENTION_INTERVAL_HOURS", "24"),
        models_dir=Path(os.environ.get("BRUKARROST_MODELS_DIR", PROJECT_ROOT / "models")),
        allowed_origins=tuple(
            o.rstrip("/") for o in os.environ.get("BRUKARROST_ALLOWED_ORIGINS", "").replace(
                ",", " ").split()
        ),
        public_url=os.environ.get("BRUKARROST_PUBLIC_URL", "").strip().rstrip("/")
        or f"http://{os.environ.get('BRUKARROST_HOST', '127.0.0.1')}:{port}",
        log_format="json" if os.environ.get("LOG_FORMAT", "").lower() == "json" else "text",
        workers=_number("BRUKARROST_WORKERS", "1", least=1),
        rate_limit_sender=_number("BRUKARROST_RATE_LIMIT_SENDER", "120"),
        rate_limit_address=_number("BRUKARROST_RATE_LIMIT_ADDRESS", "1200"),
        behind_proxy=os.environ.get("BRUKARROST_BEHIND_PROXY", "").lower() in ("1", "true", "yes"),
        body_timeout=_number("BRUKARROST_BODY_TIMEOUT", "10", float, 0.1),
        turn_timeout=_number("BRUKARROST_TURN_TIMEOUT", "15", float, 0.1),
        catalog_refresh=_number("BRUKARROST_CATALOG_REFRESH", "5", float, 0.1),
        shutdown_timeout=_number("BRUKARROST_SHUTDOWN_TIMEOUT", "30", float, 0),
        database_pool_size=_number("DATABASE_POOL_SIZE", "20", least=1),
    )
