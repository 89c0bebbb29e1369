"""API tokens: 32 random bytes shown once; only their SHA-256 is stored.

A token is high-entropy, so a plain hash is enough (a slow password hash would only make
every API request slow). The prefix makes a leaked token easy to recognise.
"""

from __future__ import annotations

import secrets

from bot.web.sessions import token_hash  # noqa: F401 - the same hash as login sessions

PREFIX = "brk_"
MAX_LENGTH = 128
ROLES = ("analyst", "admin")  # who may hold a token and read the API
MAX_NAME = 100


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)
