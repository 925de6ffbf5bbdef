"""The one shape of "this cannot be done" a service raises for the route to answer: a message safe to show
the merchant and the HTTP status that fits (409 unless told otherwise)."""

from __future__ import annotations


class Refused(Exception):
    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.message = message
        self.status = status
