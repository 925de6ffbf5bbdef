"""The one shape of "this cannot be done" a service raises: a message safe to show the merchant and the HTTP
status that fits (409 unless told otherwise). An `AppError`, so `app.errors` answers it where no route does."""

from __future__ import annotations

from app.problems import AppError


class Refused(AppError):
    status = 409

    def __init__(self, message: str, status: int = 409):
        super().__init__(message, status=status)
