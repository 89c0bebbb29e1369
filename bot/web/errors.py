"""An error shown to staff as an HTML page, with a message in Swedish."""

from __future__ import annotations


class PageError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
