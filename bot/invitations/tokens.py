"""Invitation tokens: random, URL-safe, stored only as a keyed hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 16  # 22 URL-safe characters: short enough for a QR code read at a glance


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(secret_key: str, token: str) -> str:
    """HMAC-SHA256 of the token; the database never sees the token itself."""
    return hmac.new(secret_key.encode("utf-8"), f"invite\x00{token}".encode(),
                    hashlib.sha256).hexdigest()
