"""API tokens: 32 random bytes shown once; only their SHA-256 is stored.

A token is high-entropy, so a plain hash is enough (a slow password hash would only make
every API request slow). The prefix makes a leaked token easy to recognise.
"""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "brk_"
MAX_LENGTH = 128
ROLES = ("analyst", "admin")  # who may hold a token and read the API
MAX_NAME = 100


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
